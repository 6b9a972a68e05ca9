//! [`AppHandle`]: the `Send + Clone` way to everything, and what it holds.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use actix::prelude::*;

use crate::ipc::{Capabilities, IpcLimits, RpcError};
use crate::isolation::Isolation;
use crate::notify::NotifierActor;
use crate::ui::UiHandle;
use crate::window::PageLink;

use super::lifecycle::{AppActor, Quit, Shutdown, SubscribeShutdown};
use super::registry::{BootGate, EventRegistry, TrayRegistry, WindowRegistry};
use super::StateMap;

/// What the handle holds: a few plain values and one sub-registry per
/// concern, each defined in the file of that concern, so the handle's
/// methods delegate.
pub(super) struct Inner {
    pub(super) name: String,
    pub(super) timeout: Duration,
    pub(super) data_dir: std::path::PathBuf,
    pub(super) state: StateMap,
    pub(super) ui: UiHandle,
    /// The lifecycle actor: shutdown subscribers, `Quit`.
    pub(super) app: Addr<AppActor>,
    pub(super) notifier: Addr<NotifierActor>,
    pub(super) trays: TrayRegistry,
    pub(super) windows: WindowRegistry,
    pub(super) events: EventRegistry,
    pub(super) pages: PageRegistry,
    pub(super) boot: BootGate,
    /// The started plugins' names.
    pub(super) plugins: RwLock<Vec<String>>,
}

/// The app, as seen from actors and handlers: `Send + Clone`, cheap to copy.
/// Every hook gets one (`setup`, `on_menu_click`, …), and so does every
/// command (through [`CallContext`](super::CallContext)).
///
/// ```
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().tray(Tray::new("main"))).await?;
/// # let app = test.handle();
/// let tray = app.tray("main")?;
/// tray.set_tooltip("All synced").await?;
/// app.notify(Notification::new("Sync finished")).await?;
/// app.emit("sync://done", serde_json::json!({ "files": 3 }));
/// app.quit();
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AppHandle {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for AppHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppHandle")
            .field("name", &self.inner.name)
            .finish_non_exhaustive()
    }
}

impl AppHandle {
    /// The app's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The request timeout handles use.
    pub fn request_timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Managed state of type `T`, if the builder was given one.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.state.get::<T>()
    }

    /// Limits on what each page may send.
    pub fn ipc_limits(&self) -> &crate::ipc::IpcLimits {
        &self.inner.pages.limits
    }

    /// The directory stores live in.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.inner.data_dir
    }

    /// The isolation application, when the isolation pattern is on.
    pub fn isolation(&self) -> Option<&crate::isolation::Isolation> {
        self.inner.pages.isolation.as_ref()
    }

    /// The methods pages can call.
    pub(crate) fn router(&self) -> &Router {
        &self.inner.pages.router
    }

    /// What each window may call.
    pub(crate) fn capabilities(&self) -> &Capabilities {
        &self.inner.pages.capabilities
    }

    /// Sends [`Shutdown`] to `recipient` before the app exits, and waits for it.
    pub fn on_shutdown(&self, recipient: Recipient<Shutdown>) {
        self.inner.app.do_send(SubscribeShutdown(recipient));
    }

    /// Exits cleanly with code 0: shutdown subscribers run, trays leave the
    /// panel, the event loop ends and `App::run` returns.
    pub fn quit(&self) {
        self.exit(0);
    }

    /// Like [`quit`](Self::quit), with an exit code.
    pub fn exit(&self, code: i32) {
        self.inner.app.do_send(Quit { code });
    }
}

/// The app's router: `ipc::Router` with the app's [`CallContext`].
///
/// ```
/// use traykit::ipc::{typed, CallContext, Router, RpcError};
///
/// let mut router = Router::default();
/// router.insert("app.hello", typed("app.hello", |(): (), ctx: CallContext| async move {
///     Ok::<_, RpcError>(format!("hello, {}", ctx.window))
/// }));
/// assert!(router.contains("app.hello"));
/// ```
/// It lives
/// in this file because the handle holds it and the context holds the handle.
pub type Router = crate::ipc::Router<CallContext>;
/// A method handler of the app's router: what [`Router`] stores per method.
///
/// ```
/// use traykit::ipc::{typed, CallContext, Handler, Router, RpcError};
///
/// let ping: Handler = typed("app.ping", |(): (), _: CallContext| async { Ok::<_, RpcError>("pong") });
/// let mut router = Router::default();
/// router.insert("app.ping", ping);
/// assert_eq!(router.methods(), ["app.ping"]);
/// ```
pub type Handler = crate::ipc::Handler<CallContext>;

/// Who is calling: handed to every handler.
///
/// ```
/// use std::sync::Mutex;
/// use traykit::ipc::{CallContext, RpcError};
/// use traykit::prelude::*;
///
/// struct Notes(Mutex<Vec<String>>);
///
/// let builder = App::builder()
///     .manage(Notes(Mutex::new(Vec::new())))
///     .command("notes.add", |text: String, ctx: CallContext| async move {
///         let notes = ctx.state::<Notes>()?;
///         notes.0.lock().unwrap().push(text);
///         ctx.app.emit("notes://changed", &ctx.window);
///         Ok::<_, RpcError>(())
///     });
/// # let _ = builder;
/// ```
#[derive(Clone, Debug)]
pub struct CallContext {
    /// The app, for state (`app.state::<T>()`), trays, windows, events.
    pub app: AppHandle,
    /// The label of the calling window (or the name of another transport).
    pub window: String,
    /// The page's origin when it is not the app's own (a remote page).
    pub origin: Option<String>,
    /// The capabilities the call was admitted under when they are not the
    /// app's page capabilities: `--ctl` calls carry the `.ctl_capability`
    /// set, so the ctl's own `stores` and `open` grants apply to it, never
    /// a page capability naming a window `ctl`. `None` for pages.
    pub grants: Option<Arc<Capabilities>>,
    /// The calling page's session (`None` for transports without a page,
    /// such as `--ctl`): what `event.listen` and `store.watch` act on.
    pub page: Option<PageLink>,
}

impl CallContext {
    /// The capabilities built-ins check grants beyond the method against
    /// (store keys, `window.open` labels): [`grants`](Self::grants), else
    /// the app's page capabilities.
    pub fn capabilities(&self) -> &Capabilities {
        self.grants
            .as_deref()
            .unwrap_or_else(|| self.app.capabilities())
    }

    /// Managed state of type `T`, or -32603 saying it is missing.
    pub fn state<T: Send + Sync + 'static>(&self) -> Result<&T, RpcError> {
        self.app.state::<T>().ok_or_else(|| {
            RpcError::internal(format!(
                "no managed state of type `{}` (call `.manage(..)` on the builder)",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// The handle's pages: what every page is served and checked with.
pub(super) struct PageRegistry {
    /// The methods pages (and `--ctl`) can call.
    pub(super) router: Arc<Router>,
    /// What each window may call.
    pub(super) capabilities: Arc<Capabilities>,
    /// The bridge and the plugins' scripts, injected into every page.
    pub(super) init_script: Arc<str>,
    /// Relative window URLs resolve against it instead of the app's assets.
    pub(super) dev_url: Option<Arc<str>>,
    pub(super) limits: IpcLimits,
    pub(super) isolation: Option<Isolation>,
}
