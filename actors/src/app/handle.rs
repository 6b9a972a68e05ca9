//! [`AppHandle`]: the `Send + Clone` way to everything, and what it holds.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use actix::prelude::*;
use serde_json::Value;

use crate::ipc::{Capabilities, Router};
use crate::notify::NotifierActor;
use crate::sync::Subscribers;
use crate::tray::{MenuClicked, TrayActivated};
use crate::ui::{UiEvent, UiHandle};
use crate::window::WindowHandle;

use super::lifecycle::{AppActor, Quit, Shutdown, SubscribeShutdown, Trays};
use super::{AppConfig, StateMap};

type Windows = RwLock<BTreeMap<String, WindowHandle>>;

pub(super) struct Inner {
    pub(super) name: String,
    pub(super) ui: UiHandle,
    pub(super) timeout: Duration,
    pub(super) app: Addr<AppActor>,
    pub(super) notifier: Addr<NotifierActor>,
    pub(super) trays: Trays,
    /// Subscribed to every tray, including trays added later.
    pub(super) menu_subscribers: Subscribers<MenuClicked>,
    pub(super) activation_subscribers: Subscribers<TrayActivated>,
    pub(super) state: StateMap,
    pub(super) windows: Windows,
    pub(super) router: Arc<Router>,
    pub(super) capabilities: Arc<Capabilities>,
    pub(super) init_script: Arc<str>,
    pub(super) dev_url: Option<Arc<str>>,
    pub(super) event_subscribers: Subscribers<PageEvent>,
    pub(super) data_dir: std::path::PathBuf,
    pub(super) ipc_limits: crate::ipc::IpcLimits,
    pub(super) isolation: Option<crate::isolation::Isolation>,
    /// False until boot (trays, hooks, setup) is done: UI events that come
    /// earlier are held, so a click on a tray that just appeared reaches the
    /// subscribers `setup` is about to add.
    pub(super) ready: std::sync::atomic::AtomicBool,
    pub(super) held: Mutex<Vec<UiEvent>>,
    /// Open stores, and options for stores not opened yet.
    pub(super) stores: Mutex<BTreeMap<String, crate::store::StoreHandle>>,
    /// The thread every store actor runs on, started with the first store.
    pub(super) store_thread: std::sync::OnceLock<actix::ArbiterHandle>,
    pub(super) store_options: Mutex<BTreeMap<String, crate::store::StoreOptions>>,
    /// The started plugins' names.
    pub(super) plugins: RwLock<Vec<String>>,
    /// Windows declared through `window.open` (pages, ctl), for its bound.
    pub(super) page_windows: std::sync::atomic::AtomicUsize,
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
    #[doc(hidden)]
    /// Starts the app's actors. Must run inside an actix `System`.
    pub fn start(config: AppConfig, ui: UiHandle) -> AppHandle {
        let trays = Trays::default();
        let app = AppActor {
            ui: ui.clone(),
            trays: trays.clone(),
            shutdown_subscribers: Vec::new(),
            shutdown_timeout: config.shutdown_timeout,
            quitting: false,
        }
        .start();
        let (name, backend) = (config.name.clone(), config.notifications.clone());
        let notifier = Supervisor::start(move |_| NotifierActor::new(name, backend));
        AppHandle {
            inner: Arc::new(Inner {
                name: config.name,
                ui,
                timeout: config.request_timeout,
                app,
                notifier,
                trays,
                menu_subscribers: Subscribers::new(),
                activation_subscribers: Subscribers::new(),
                state: config.state,
                windows: Windows::default(),
                router: Arc::new(config.router),
                capabilities: Arc::new(config.capabilities),
                init_script: config.init_script.into(),
                dev_url: config.dev_url.map(Into::into),
                event_subscribers: Subscribers::new(),
                data_dir: config.data_dir,
                ipc_limits: config.ipc_limits,
                isolation: config.isolation,
                ready: std::sync::atomic::AtomicBool::new(false),
                page_windows: std::sync::atomic::AtomicUsize::new(0),
                plugins: RwLock::default(),
                held: Mutex::default(),
                stores: Mutex::default(),
                store_thread: std::sync::OnceLock::new(),
                store_options: Mutex::new(
                    config
                        .stores
                        .into_iter()
                        .chain(std::iter::once(
                            // Moves and resizes come in bursts: batch them,
                            // and skip the corrupt-file dance for a cache.
                            crate::store::StoreOptions::new(crate::window::WINDOW_STATE_STORE)
                                .debounce(Duration::from_millis(500))
                                .on_corrupt(crate::store::OnCorrupt::StartEmpty),
                        ))
                        .map(|o| (o.name().to_owned(), o))
                        .collect(),
                ),
            }),
        }
    }

    /// The app's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The request timeout handles use.
    pub fn request_timeout(&self) -> Duration {
        self.inner.timeout
    }

    #[doc(hidden)]
    /// The handle actors use to reach the UI thread.
    pub fn ui(&self) -> &UiHandle {
        &self.inner.ui
    }

    /// Managed state of type `T`, if the builder was given one.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.state.get::<T>()
    }

    /// Limits on what each page may send.
    pub fn ipc_limits(&self) -> &crate::ipc::IpcLimits {
        &self.inner.ipc_limits
    }

    /// The directory stores live in.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.inner.data_dir
    }

    /// The isolation application, when the isolation pattern is on.
    pub fn isolation(&self) -> Option<&crate::isolation::Isolation> {
        self.inner.isolation.as_ref()
    }

    #[doc(hidden)]
    /// The methods pages can call.
    pub fn router(&self) -> &Router {
        &self.inner.router
    }

    #[doc(hidden)]
    /// What each window may call.
    pub fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
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

/// An event a page emitted, for Rust subscribers.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::app::PageEvent;
///
/// let builder = App::builder().on_event(|_app, event: &PageEvent| {
///     if event.event == "note-saved" {
///         println!("{} saved {}", event.source, event.payload);
///     }
/// });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct PageEvent {
    /// Event name.
    pub event: String,
    /// Payload.
    pub payload: Arc<Value>,
    /// The emitting window.
    pub source: String,
}
