//! The app's lifecycle actor and the handle everything else is reached by.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use actix::prelude::*;

use crate::error::ActorError;
use crate::ids::TrayId;
use crate::ipc::{Capabilities, Router};
use crate::notifier::{
    Notification, NotificationBackend, NotificationEvent, NotificationId, NotifierActor, Notify,
    NotifyError, SubscribeNotifications,
};
use crate::supervise::guard_callback;
use crate::tray::{
    IconActivated, MenuActivated, MenuClicked, RemoveTray, Tray, TrayActivated, TrayActor,
    TrayError, TrayHandle,
};
use crate::ui::{UiEvent, UiHandle, UiRequest};
use crate::window::{PushEvent, Window, WindowActor, WindowCommand, WindowError, WindowHandle};
use serde_json::Value;

/// Values handed to the app at build time and reachable from every handler
/// through [`AppHandle::state`]. One value per type.
#[derive(Default)]
pub struct StateMap(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl StateMap {
    /// Adds a value; returns `false` (and keeps the first) if one of this type
    /// is already there.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) -> bool {
        let key = TypeId::of::<T>();
        if self.0.contains_key(&key) {
            return false;
        }
        self.0.insert(key, Box::new(value));
        true
    }

    fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref()
    }
}

impl std::fmt::Debug for StateMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StateMap({} values)", self.0.len())
    }
}

/// What the actor graph needs to start.
pub struct AppConfig {
    /// The app's name: notifications' app name, logs.
    pub name: String,
    /// Timeout of every request made through a handle.
    pub request_timeout: Duration,
    /// How long shutdown waits for each [`Shutdown`] subscriber.
    pub shutdown_timeout: Duration,
    /// Managed state.
    pub state: StateMap,
    /// Where notifications go.
    pub notifications: Arc<dyn NotificationBackend + Send + Sync>,
    /// Methods pages can call: app commands and built-ins.
    pub router: Router,
    /// What each window may call.
    pub capabilities: Capabilities,
    /// The IPC bridge injected into every page (traykit.js, and optionally
    /// the Tauri compatibility layer).
    pub init_script: String,
    /// Serve relative window URLs from this dev server instead of the app's
    /// assets (its origin then counts as the app's own).
    pub dev_url: Option<String>,
    /// Where stores live (`<data dir>/stores/<name>.json`).
    pub data_dir: std::path::PathBuf,
    /// Stores declared with options; others open with defaults on first use.
    pub stores: Vec<crate::store::StoreOptions>,
    /// Limits on what each page may send.
    pub ipc_limits: crate::ipc::IpcLimits,
    /// The isolation pattern: when set, every page's IPC goes through this
    /// isolation application and is sealed (see [`crate::isolation`]).
    pub isolation: Option<crate::isolation::Isolation>,
    /// Single instance, deep links, autostart, shortcuts, page logs.
    pub desktop: crate::desktop::DesktopConfig,
}

/// The app's data directory for `name`: `$XDG_DATA_HOME/<name>` (usually
/// `~/.local/share/<name>`), via the `directories` crate.
pub fn default_data_dir(name: &str) -> std::path::PathBuf {
    directories::ProjectDirs::from("", "", name)
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join(name))
}

/// An event a page emitted, for Rust subscribers.
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

/// Sent to shutdown subscribers before the app exits; the app waits for the
/// reply (up to the shutdown timeout), so a handler can flush its work.
#[derive(Debug, Clone, Copy, Message)]
#[rtype(result = "()")]
pub struct Shutdown;

/// Ask the app to exit with a code.
#[derive(Debug, Clone, Copy, Message)]
#[rtype(result = "()")]
pub struct Quit {
    /// Process exit code.
    pub code: i32,
}

/// Subscribe to [`Shutdown`].
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SubscribeShutdown(pub Recipient<Shutdown>);

type Trays = Arc<RwLock<BTreeMap<TrayId, TrayHandle>>>;
type Windows = RwLock<BTreeMap<String, WindowHandle>>;

/// Lifecycle: runs the ordered shutdown on [`Quit`].
pub struct AppActor {
    ui: UiHandle,
    trays: Trays,
    shutdown_subscribers: Vec<Recipient<Shutdown>>,
    shutdown_timeout: Duration,
    quitting: bool,
}

impl Actor for AppActor {
    type Context = Context<Self>;
}

impl Handler<SubscribeShutdown> for AppActor {
    type Result = ();
    fn handle(&mut self, msg: SubscribeShutdown, _: &mut Context<Self>) {
        self.shutdown_subscribers.push(msg.0);
    }
}

impl Handler<Quit> for AppActor {
    type Result = ();

    fn handle(&mut self, Quit { code }: Quit, _: &mut Context<Self>) {
        if self.quitting {
            return;
        }
        self.quitting = true;
        tracing::info!(code, "shutting down");
        let subscribers = std::mem::take(&mut self.shutdown_subscribers);
        let trays: Vec<TrayHandle> = read(&self.trays).values().cloned().collect();
        let ui = self.ui.clone();
        let timeout = self.shutdown_timeout;
        actix::spawn(async move {
            // 1. Let actors finish their work, all at once, each bounded.
            let waits = subscribers
                .iter()
                .map(|s| tokio::time::timeout(timeout, s.send(Shutdown)));
            for (i, result) in futures_util::future::join_all(waits)
                .await
                .into_iter()
                .enumerate()
            {
                if result.is_err() {
                    tracing::warn!(
                        subscriber = i,
                        ?timeout,
                        "shutdown subscriber did not finish in time"
                    );
                }
            }
            // 2. Take the icons off the panel while the bus connection still
            //    lives — through their actors, so late changes are refused.
            for tray in trays {
                let removed = tray.addr().send(RemoveTray).timeout(timeout).await;
                if !matches!(removed, Ok(Ok(()))) {
                    tracing::warn!(tray = %tray.id(), ?removed, "could not remove tray during shutdown");
                }
            }
            // 3. Leave the event loop; the runtime then stops the actor system.
            if let Err(error) = ui.request(UiRequest::Exit { code }).await {
                tracing::warn!(%error, "exit request not acknowledged");
            }
        });
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // A panic while holding the lock cannot leave the map half-written
    // (single inserts/removes), so a poisoned lock is still usable.
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

struct Inner {
    name: String,
    ui: UiHandle,
    timeout: Duration,
    app: Addr<AppActor>,
    notifier: Addr<NotifierActor>,
    trays: Trays,
    /// Subscribed to every tray, including trays added later.
    menu_subscribers: Mutex<Vec<Recipient<MenuClicked>>>,
    activation_subscribers: Mutex<Vec<Recipient<TrayActivated>>>,
    state: StateMap,
    windows: Windows,
    router: Arc<Router>,
    capabilities: Arc<Capabilities>,
    init_script: Arc<str>,
    dev_url: Option<Arc<str>>,
    event_subscribers: Mutex<Vec<Recipient<PageEvent>>>,
    data_dir: std::path::PathBuf,
    ipc_limits: crate::ipc::IpcLimits,
    isolation: Option<crate::isolation::Isolation>,
    /// False until boot (trays, hooks, setup) is done: UI events that come
    /// earlier are held, so a click on a tray that just appeared reaches the
    /// subscribers `setup` is about to add.
    ready: std::sync::atomic::AtomicBool,
    held: Mutex<Vec<UiEvent>>,
    /// Open stores, and options for stores not opened yet.
    stores: Mutex<BTreeMap<String, crate::store::StoreHandle>>,
    /// The thread every store actor runs on, started with the first store.
    store_thread: std::sync::OnceLock<actix::ArbiterHandle>,
    store_options: Mutex<BTreeMap<String, crate::store::StoreOptions>>,
    desktop: crate::desktop::Desktop,
    /// Windows declared through `window.open` (pages, ctl), for its bound.
    page_windows: std::sync::atomic::AtomicUsize,
}

/// A reserved place for a page-declared window (see
/// `AppHandle::reserve_page_window`).
pub(crate) struct PageWindowSlot {
    app: Option<AppHandle>,
}

impl PageWindowSlot {
    /// The window was declared: the place stays taken.
    pub(crate) fn keep(mut self) {
        self.app = None;
    }
}

impl Drop for PageWindowSlot {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.inner
                .page_windows
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// The app, as seen from actors and handlers: `Send + Clone`, cheap to copy.
#[derive(Clone)]
pub struct AppHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AppHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppHandle")
            .field("name", &self.inner.name)
            .finish_non_exhaustive()
    }
}

impl AppHandle {
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
                menu_subscribers: Mutex::default(),
                activation_subscribers: Mutex::default(),
                state: config.state,
                windows: Windows::default(),
                router: Arc::new(config.router),
                capabilities: Arc::new(config.capabilities),
                init_script: config.init_script.into(),
                dev_url: config.dev_url.map(Into::into),
                event_subscribers: Mutex::default(),
                data_dir: config.data_dir,
                ipc_limits: config.ipc_limits,
                isolation: config.isolation,
                desktop: crate::desktop::Desktop::new(config.desktop),
                ready: std::sync::atomic::AtomicBool::new(false),
                page_windows: std::sync::atomic::AtomicUsize::new(0),
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

    /// Takes one of `max` places for a window declared at run time by a
    /// page; `None` when all are taken. The place goes back unless
    /// [`PageWindowSlot::keep`] is called (the declaration failed).
    pub(crate) fn reserve_page_window(&self, max: usize) -> Option<PageWindowSlot> {
        use std::sync::atomic::Ordering::SeqCst;
        self.inner
            .page_windows
            .fetch_update(SeqCst, SeqCst, |n| (n < max).then_some(n + 1))
            .ok()?;
        Some(PageWindowSlot {
            app: Some(self.clone()),
        })
    }

    pub(crate) fn desktop_state(&self) -> &crate::desktop::Desktop {
        &self.inner.desktop
    }

    /// The app's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The request timeout handles use.
    pub fn request_timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The handle actors use to reach the UI thread.
    pub fn ui(&self) -> &UiHandle {
        &self.inner.ui
    }

    /// Managed state of type `T`, if the builder was given one.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.state.get::<T>()
    }

    /// Puts a new tray icon on the panel, under a supervised actor.
    pub async fn add_tray(&self, tray: Tray) -> Result<TrayHandle, TrayError> {
        let spec = tray.into_spec()?;
        let id = spec.id.clone();
        if read(&self.inner.trays).contains_key(&id) {
            return Err(TrayError::Duplicate(id.to_string()));
        }
        self.inner
            .ui
            .request(UiRequest::CreateTray(spec.clone()))
            .await
            .map_err(|source| TrayError::Ui {
                tray: id.to_string(),
                source,
            })?;
        let ui = self.inner.ui.clone();
        let addr = Supervisor::start(move |_| TrayActor::new(spec, ui));
        let handle = TrayHandle::new(id.clone(), addr, self.inner.timeout);
        for s in lock(&self.inner.menu_subscribers).iter() {
            handle.subscribe(s.clone());
        }
        for s in lock(&self.inner.activation_subscribers).iter() {
            handle.subscribe_activation(s.clone());
        }
        let lost_race = {
            let mut trays = write(&self.inner.trays);
            let taken = trays.contains_key(&id);
            if !taken {
                trays.insert(id.clone(), handle.clone());
            }
            taken
        };
        if lost_race {
            // A concurrent add of the same id won; take ours off the panel.
            let _ = handle.addr().send(RemoveTray).await;
            return Err(TrayError::Duplicate(id.to_string()));
        }
        Ok(handle)
    }

    /// Takes a tray icon off the panel and stops its actor.
    pub async fn remove_tray(&self, id: &str) -> Result<(), TrayError> {
        let handle = write(&self.inner.trays)
            .remove(id)
            .ok_or_else(|| TrayError::Unknown(id.to_owned()))?;
        let timeout = self.inner.timeout;
        handle
            .addr()
            .send(RemoveTray)
            .timeout(timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, "TrayActor", timeout))?
    }

    /// The handle of one tray.
    pub fn tray(&self, id: &str) -> Result<TrayHandle, TrayError> {
        read(&self.inner.trays)
            .get(id)
            .cloned()
            .ok_or_else(|| TrayError::Unknown(id.to_owned()))
    }

    /// Every tray, by id.
    pub fn trays(&self) -> Vec<TrayHandle> {
        read(&self.inner.trays).values().cloned().collect()
    }

    /// Sends clicks on every tray's menu (also trays added later) to `recipient`.
    pub fn subscribe_menus(&self, recipient: Recipient<MenuClicked>) {
        for tray in self.trays() {
            tray.subscribe(recipient.clone());
        }
        lock(&self.inner.menu_subscribers).push(recipient);
    }

    /// Sends clicks on every tray icon (also trays added later) to `recipient`.
    pub fn subscribe_activations(&self, recipient: Recipient<TrayActivated>) {
        for tray in self.trays() {
            tray.subscribe_activation(recipient.clone());
        }
        lock(&self.inner.activation_subscribers).push(recipient);
    }

    /// Shows a desktop notification.
    pub async fn notify(&self, notification: Notification) -> Result<NotificationId, NotifyError> {
        let timeout = self.inner.timeout;
        self.inner
            .notifier
            .send(Notify(notification))
            .timeout(timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, "NotifierActor", timeout))?
    }

    /// Sends actions and closes of every notification to `recipient`.
    pub fn subscribe_notifications(&self, recipient: Recipient<NotificationEvent>) {
        self.inner
            .notifier
            .do_send(SubscribeNotifications(recipient));
    }

    /// Sends [`Shutdown`] to `recipient` before the app exits, and waits for it.
    pub fn on_shutdown(&self, recipient: Recipient<Shutdown>) {
        self.inner.app.do_send(SubscribeShutdown(recipient));
    }

    /// Runs `f` on every menu click of every tray. A panic in `f` is logged
    /// and the app keeps running.
    pub fn on_menu_click(&self, f: impl Fn(&AppHandle, &MenuClicked) + 'static) {
        let recipient = Callback::start(self.clone(), f);
        self.subscribe_menus(recipient);
    }

    /// Runs `f` on every notification action or close.
    pub fn on_notification(&self, f: impl Fn(&AppHandle, &NotificationEvent) + 'static) {
        let recipient = Callback::start(self.clone(), f);
        self.subscribe_notifications(recipient);
    }

    /// Runs `f` on every click on a tray icon.
    pub fn on_tray_activated(&self, f: impl Fn(&AppHandle, &TrayActivated) + 'static) {
        let recipient = Callback::start(self.clone(), f);
        self.subscribe_activations(recipient);
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

    /// Declares a window at run time (it opens on its first `show`).
    pub async fn add_window(&self, window: Window) -> Result<WindowHandle, WindowError> {
        let (mut spec, visible_on_start, prewarm) = match &self.inner.dev_url {
            Some(base) => window.into_spec_at(base)?,
            None => window.into_spec()?,
        };
        if spec.remember {
            self.restore_geometry(&mut spec).await;
        }
        let label = spec.label.clone();
        let handle = {
            let mut windows = write(&self.inner.windows);
            if windows.contains_key(label.as_str()) {
                return Err(WindowError::Duplicate(label.to_string()));
            }
            let (ui, app) = (self.inner.ui.clone(), self.clone());
            let script = self.inner.init_script.clone();
            let dev_origin: Option<Arc<str>> = self
                .inner
                .dev_url
                .as_deref()
                .map(|u| crate::window::origin_of(u).into());
            let backlog = Arc::new(crate::ipc::Backlog::default());
            let shared = backlog.clone();
            let addr = Supervisor::start(move |_| {
                let host = Arc::new(crate::app_context::AppPages(app));
                WindowActor::new(spec, ui, host, script, dev_origin).with_backlog(shared)
            });
            let handle =
                WindowHandle::new(label.clone(), addr, self.inner.timeout).with_backlog(backlog);
            windows.insert(label.to_string(), handle.clone());
            handle
        };
        if visible_on_start {
            handle.show().await?;
        } else if prewarm {
            handle
                .addr()
                .send(crate::window::Prewarm)
                .await
                .map_err(|e| ActorError::from_mailbox(e, "WindowActor", self.inner.timeout))??;
        }
        Ok(handle)
    }

    /// Applies the geometry remembered for this window, if any. A store
    /// that cannot be read only costs the memory, never the window.
    async fn restore_geometry(&self, spec: &mut crate::window::WindowSpec) {
        let store = match self.store(crate::window::WINDOW_STATE_STORE) {
            Ok(store) => store,
            Err(error) => {
                tracing::warn!(%error, "window state store unavailable");
                return;
            }
        };
        match store
            .get::<crate::window::Geometry>(spec.label.as_str())
            .await
        {
            Ok(Some(g)) => {
                spec.size = g.size;
                spec.position = Some(g.position);
                spec.maximized = g.maximized;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(window = %spec.label, %error, "window state unreadable"),
        }
    }

    /// The handle of one window.
    pub fn window(&self, label: &str) -> Result<WindowHandle, WindowError> {
        read(&self.inner.windows)
            .get(label)
            .cloned()
            .ok_or_else(|| WindowError::Unknown(label.to_owned()))
    }

    /// Every declared window.
    pub fn windows(&self) -> Vec<WindowHandle> {
        read(&self.inner.windows).values().cloned().collect()
    }

    /// Shows a window (creating it on first use) without waiting: the
    /// one-liner for a tray menu click. A failure is logged.
    pub fn show_window(&self, label: &str) {
        match self.window(label) {
            Ok(window) => {
                window
                    .addr()
                    .do_send(crate::window::Command(WindowCommand::Show));
            }
            Err(error) => tracing::warn!(%error, "show_window"),
        }
    }

    /// The store `name`, opened (loaded, migrated) on first use with the
    /// options given to the builder, or defaults. Its changes are flushed at
    /// shutdown.
    pub fn store(&self, name: &str) -> Result<crate::store::StoreHandle, crate::store::StoreError> {
        let mut stores = lock(&self.inner.stores);
        if let Some(handle) = stores.get(name) {
            return Ok(handle.clone());
        }
        let dir = self.inner.data_dir.join("stores");
        // The declared options stay until an open succeeds: after a corrupt
        // file, a locked store or a failed migration, the next try must run
        // the same migrations at the same version, not fall back to defaults.
        let mut declared = lock(&self.inner.store_options);
        let store = match declared.get(name) {
            Some(options) => crate::store::StoreActor::open_with(&dir, options)?,
            None => crate::store::StoreActor::open(&dir, crate::store::StoreOptions::new(name))?,
        };
        declared.remove(name);
        drop(declared);
        // Stores write with fsync (milliseconds; on a busy disk, seconds).
        // On the actor thread that stalled every window's IPC and every
        // other actor meanwhile, so stores get a thread of their own (one
        // for all of them: writes of one store stay in order).
        let thread = self
            .inner
            .store_thread
            .get_or_init(|| actix::Arbiter::new().handle());
        let actor = crate::store::StoreActor::start_in_arbiter(thread, move |_| store);
        self.on_shutdown(actor.clone().recipient());
        let handle = crate::store::StoreHandle::new(name, actor, self.inner.timeout);
        stores.insert(name.to_owned(), handle.clone());
        Ok(handle)
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

    /// The methods pages can call.
    pub fn router(&self) -> &Router {
        &self.inner.router
    }

    /// What each window may call.
    pub fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// Sends an event to every window that listens, and to Rust subscribers.
    pub fn emit(&self, event: &str, payload: impl serde::Serialize) {
        let payload = serde_json::to_value(payload).unwrap_or(Value::Null);
        self.emit_from(None, event, payload);
    }

    /// Sends an event to one window.
    pub fn emit_to(
        &self,
        label: &str,
        event: &str,
        payload: impl serde::Serialize,
    ) -> Result<(), WindowError> {
        let payload = serde_json::to_value(payload).unwrap_or(Value::Null);
        self.emit_to_from(None, label, event, payload)
    }

    pub(crate) fn emit_from(&self, source: Option<&str>, event: &str, payload: Value) {
        let payload = Arc::new(payload);
        let msg = PushEvent {
            event: event.into(),
            payload: payload.clone(),
            source: source.map(Into::into),
        };
        for window in self.windows() {
            window.addr().do_send(msg.clone());
        }
        if let Some(source) = source {
            let page_event = PageEvent {
                event: event.to_owned(),
                payload,
                source: source.to_owned(),
            };
            let mut subs = lock(&self.inner.event_subscribers);
            subs.retain(|s| s.connected());
            for s in subs.iter() {
                s.do_send(page_event.clone());
            }
        }
    }

    pub(crate) fn emit_to_from(
        &self,
        source: Option<&str>,
        label: &str,
        event: &str,
        payload: Value,
    ) -> Result<(), WindowError> {
        self.window(label)?.addr().do_send(PushEvent {
            event: event.into(),
            payload: Arc::new(payload),
            source: source.map(Into::into),
        });
        Ok(())
    }

    /// Sends every event a page emits to `recipient`.
    pub fn subscribe_events(&self, recipient: Recipient<PageEvent>) {
        lock(&self.inner.event_subscribers).push(recipient);
    }

    /// Runs `f` on every event a page emits.
    pub fn on_event(&self, f: impl Fn(&AppHandle, &PageEvent) + 'static) {
        let recipient = Callback::start(self.clone(), f);
        self.subscribe_events(recipient);
    }

    /// Marks boot as done and delivers the UI events held until now, in
    /// order. Called by the runtime after `setup`.
    pub fn mark_ready(&self) {
        let held = {
            let mut held = lock(&self.inner.held);
            self.inner
                .ready
                .store(true, std::sync::atomic::Ordering::SeqCst);
            std::mem::take(&mut *held)
        };
        for event in held {
            self.route(event);
        }
    }

    /// Routes an event from the UI thread to the actor that owns it. Safe to
    /// call from any thread; never blocks. Before boot is done the event is
    /// held and delivered by [`mark_ready`](Self::mark_ready).
    pub fn dispatch(&self, event: UiEvent) {
        if !self.inner.ready.load(std::sync::atomic::Ordering::SeqCst) {
            let mut held = lock(&self.inner.held);
            // Re-check under the lock: mark_ready may have just run.
            if !self.inner.ready.load(std::sync::atomic::Ordering::SeqCst) {
                held.push(event);
                return;
            }
        }
        self.route(event);
    }

    fn route(&self, event: UiEvent) {
        match event {
            UiEvent::MenuActivated { tray, item } => match self.tray(tray.as_str()) {
                Ok(handle) => handle.addr().do_send(MenuActivated(item)),
                Err(_) => tracing::debug!(%tray, "menu event for a removed tray dropped"),
            },
            UiEvent::TrayActivated {
                tray,
                button,
                position,
            } => match self.tray(tray.as_str()) {
                Ok(handle) => handle.addr().do_send(IconActivated { button, position }),
                Err(_) => tracing::debug!(%tray, "activation for a removed tray dropped"),
            },
            UiEvent::Ipc {
                window,
                url,
                seq,
                body,
            } => match self.window(window.as_str()) {
                // Counted before it is queued, so a flooding page is refused
                // here instead of growing the actor's mailbox.
                Ok(handle) => match handle.backlog().admit(body.len(), self.ipc_limits()) {
                    Ok(()) => handle
                        .addr()
                        .do_send(crate::window::IpcIn { url, seq, body }),
                    Err(error) => {
                        tracing::debug!(%window, bytes = body.len(), "IPC message refused: backlog full");
                        drop(body);
                        refuse_ipc(&handle, seq, error);
                    }
                },
                Err(_) => tracing::debug!(%window, "IPC for an unknown window dropped"),
            },
            UiEvent::IpcRefused { window, seq, error } => {
                // Bounded like the router's own refusals: a page that floods
                // oversized messages cannot queue unbounded answers.
                if let Ok(handle) = self.window(window.as_str()) {
                    refuse_ipc(&handle, seq, error);
                }
            }
            UiEvent::WindowCloseRequested { window } => {
                if let Ok(handle) = self.window(window.as_str()) {
                    handle.addr().do_send(crate::window::CloseRequested);
                }
            }
            UiEvent::WindowGone { window } => {
                if let Ok(handle) = self.window(window.as_str()) {
                    handle.addr().do_send(crate::window::Gone);
                }
            }
            UiEvent::WindowGeometry { window, geometry } => {
                if let Ok(handle) = self.window(window.as_str()) {
                    handle
                        .addr()
                        .do_send(crate::window::GeometryChanged(geometry));
                }
            }
        }
    }
}

/// Tells `handle`'s actor that its page's message `seq` was refused before
/// it got there, if a refusal slot is free: a page that floods cannot queue
/// unbounded answers (router and pipe-reader refusals share the bound).
fn refuse_ipc(handle: &crate::window::WindowHandle, seq: Option<u64>, error: crate::ipc::RpcError) {
    if handle.backlog().refusal_slot() {
        handle
            .addr()
            .do_send(crate::window::IpcRefused { seq, error });
    } else {
        tracing::debug!(window = %handle.label(), "refusal dropped: too many pending");
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

type CallbackFn<M> = Box<dyn Fn(&AppHandle, &M)>;

/// Turns a closure into a subscriber actor.
pub(crate) struct Callback<M> {
    app: AppHandle,
    f: CallbackFn<M>,
}

impl<M> Callback<M>
where
    M: Message<Result = ()> + Send + 'static,
{
    pub(crate) fn start(app: AppHandle, f: impl Fn(&AppHandle, &M) + 'static) -> Recipient<M> {
        Callback {
            app,
            f: Box::new(f),
        }
        .start()
        .recipient()
    }
}

impl<M: 'static> Actor for Callback<M> {
    type Context = Context<Self>;
}

impl<M> Handler<M> for Callback<M>
where
    M: Message<Result = ()> + Send + 'static,
{
    type Result = ();
    fn handle(&mut self, msg: M, _: &mut Context<Self>) {
        guard_callback(std::any::type_name::<M>(), || (self.f)(&self.app, &msg));
    }
}
