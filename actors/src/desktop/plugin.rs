//! The desktop integration as a plugin: its state and its built-ins reach
//! the app the way a third party's do.

use std::sync::Mutex;

use crate::app::Router;
use crate::app::{Plugin, PluginError, PluginSetup};
use crate::sync::lock;

use super::{register_builtins, Desktop, DesktopConfig};

/// Single instance hand-over, deep links, autostart, global shortcuts and
/// page logs: the state behind `app.autostart()`, `app.on_deep_link(..)`…
/// and the `autostart.*`, `shortcut.*`, `log.write` methods. The builder
/// adds it to every app (its options — `.single_instance`,
/// `.deep_link_scheme`, `.on_shortcut`… — configure it); the platform half
/// (instance socket, hotkeys, log files) stays in the `traykit` crate.
///
/// ```
/// use traykit_actors::app::Plugin;
/// use traykit_actors::desktop::{DesktopConfig, DesktopPlugin};
/// let plugin = DesktopPlugin::new(DesktopConfig::new("my-app", "My app"));
/// assert_eq!(plugin.name(), "desktop");
/// ```
pub struct DesktopPlugin {
    /// Taken by the first `build`; a later build (the capability report
    /// builds plugins it never starts) only declares the methods.
    config: Mutex<Option<DesktopConfig>>,
}

impl std::fmt::Debug for DesktopPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DesktopPlugin").finish_non_exhaustive()
    }
}

impl DesktopPlugin {
    /// The plugin with these settings.
    pub fn new(config: DesktopConfig) -> Self {
        Self {
            config: Mutex::new(Some(config)),
        }
    }
}

impl Plugin for DesktopPlugin {
    fn name(&self) -> &str {
        "desktop"
    }

    fn build(&self, setup: &mut PluginSetup<'_>) -> Result<(), PluginError> {
        // `autostart.*`, `shortcut.*` and `log.write` predate plugins: their
        // names stay, outside a `desktop.*` namespace.
        let mut router = Router::default();
        register_builtins(&mut router);
        setup.extend_router(router)?;
        if let Some(config) = lock(&self.config).take() {
            setup.manage(Desktop::new(config))?;
        }
        Ok(())
    }
}
