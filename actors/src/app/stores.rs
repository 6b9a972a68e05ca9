//! [`StoreExt`]: `app.store(name)`, the store plugin's way in from the
//! handle (as `tauri_plugin_store::StoreExt` is Tauri's).

use crate::store::{StoreError, StoreHandle, Stores};

use super::{AppHandle, CallContext};

/// Opens the app's stores: `app.store(name)` and `ctx.store(name)`. In the
/// prelude. The stores are the store plugin's (which the builder adds to
/// every app), not the handle's own: this trait is how the handle reaches
/// them, as it would a third party's plugin.
///
/// ```
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder()).await?;
/// # let app = test.handle();
/// let settings = app.store("settings")?;
/// settings.set("theme", &"dark").await?;
/// assert_eq!(settings.get::<String>("theme").await?.as_deref(), Some("dark"));
/// # Ok(()) }
/// ```
pub trait StoreExt {
    /// The store `name`, opened (loaded, migrated) on first use with the
    /// options given to the builder or a plugin, or defaults. Its changes
    /// are flushed at shutdown.
    fn store(&self, name: &str) -> Result<StoreHandle, StoreError>;
}

impl StoreExt for AppHandle {
    fn store(&self, name: &str) -> Result<StoreHandle, StoreError> {
        let stores = self
            .state::<Stores>()
            .ok_or_else(|| StoreError::NotInstalled(name.to_owned()))?;
        let dir = self.data_dir().join("stores");
        stores.open(&dir, name, self.request_timeout(), |flush| {
            self.on_shutdown(flush)
        })
    }
}

impl StoreExt for CallContext {
    fn store(&self, name: &str) -> Result<StoreHandle, StoreError> {
        self.app.store(name)
    }
}
