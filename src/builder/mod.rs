//! `App::builder()`: what the app is made of, declared before it runs.
//!
//! # Layout
//! - `mod.rs`: [`App`], [`AppBuilder`] and its general options.
//! - `desktop`: the desktop-integration options (single instance, deep
//!   links, autostart, shortcuts, logging) — sugar for the desktop plugin.
//! - `boot`: checking the declarations, building the plugins, starting.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use traykit_actors::app::{AppHandle, PageEvent, Plugin, StateMap};
use traykit_actors::app::{CallContext, Router};
use traykit_actors::ipc::{typed, Capability, RpcError};
use traykit_actors::notifier::NotificationEvent;
use traykit_actors::tray::{MenuClicked, Tray, TrayActivated};
use traykit_actors::window::Window;

mod boot;
mod desktop;

/// The error type `setup` closures may return.
///
/// ```
/// use traykit::prelude::*;
///
/// let builder = App::builder().setup(|app| {
///     let port: u16 = std::env::var("NOTES_PORT").unwrap_or("8080".into()).parse()?;
///     println!("{} listens on {port}", app.name());
///     Ok(())
/// });
/// # let _ = builder;
/// ```
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

type SetupFn = Box<dyn FnOnce(&AppHandle) -> Result<(), SetupError> + Send>;
type MenuFn = Box<dyn Fn(&AppHandle, &MenuClicked) + Send>;
type NotificationFn = Box<dyn Fn(&AppHandle, &NotificationEvent) + Send>;
type ActivationFn = Box<dyn Fn(&AppHandle, &TrayActivated) + Send>;
type EventFn = Box<dyn Fn(&AppHandle, &PageEvent) + Send>;

/// Entry point: `App::builder()`.
///
/// ```no_run
/// use traykit::prelude::*;
///
/// fn main() -> Result<(), traykit::Error> {
///     App::builder().name("Clock").tray(Tray::new("main").title("12:00")).run()
/// }
/// ```
#[derive(Debug)]
pub struct App;

impl App {
    /// Starts declaring an app.
    ///
    /// ```no_run
    /// use traykit::prelude::*;
    ///
    /// fn main() -> Result<(), traykit::Error> {
    ///     App::builder()
    ///         .name("Hello")
    ///         .tray(Tray::new("main").title("Hi").menu(Menu::new().item("quit", "Quit")))
    ///         .on_menu_click(|app, click| {
    ///             if click.item == "quit" {
    ///                 app.quit();
    ///             }
    ///         })
    ///         .run()
    /// }
    /// ```
    pub fn builder() -> AppBuilder {
        AppBuilder::default()
    }
}

/// Declares trays, state and hooks; [`run`](AppBuilder::run) starts the app.
///
/// ```no_run
/// use traykit::prelude::*;
///
/// fn main() -> Result<(), traykit::Error> {
///     App::builder()
///         .name("Notes")
///         .single_instance(true)
///         .tray(Tray::new("main").menu(Menu::new().item("open", "Open").item("quit", "Quit")))
///         .window(Window::new("notes").url("index.html"))
///         .store(StoreOptions::new("notes"))
///         .capability(r#"{"identifier":"notes","windows":["notes"],"stores":["notes"]}"#)
///         .on_menu_click(|app, click| match click.item.as_str() {
///             "open" => app.show_window("notes"),
///             "quit" => app.quit(),
///             _ => {}
///         })
///         .run()
/// }
/// ```
pub struct AppBuilder {
    pub(crate) name: String,
    pub(crate) trays: Vec<Tray>,
    pub(crate) state: StateMap,
    pub(crate) duplicate_state: Option<&'static str>,
    pub(crate) setup: Vec<SetupFn>,
    pub(crate) on_menu: Vec<MenuFn>,
    pub(crate) on_notification: Vec<NotificationFn>,
    pub(crate) on_activation: Vec<ActivationFn>,
    pub(crate) on_event: Vec<EventFn>,
    pub(crate) request_timeout: Duration,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) opengl: bool,
    /// How long the webview host outlives the last window.
    pub(crate) host_keep_alive: Duration,
    pub(crate) windows: Vec<Window>,
    pub(crate) router: Router,
    pub(crate) duplicate_command: Option<String>,
    pub(crate) capabilities: Vec<Result<Capability, String>>,
    pub(crate) tauri_compat: bool,
    pub(crate) dev_url: Option<String>,
    pub(crate) data_dir: Option<std::path::PathBuf>,
    pub(crate) ipc_limits: traykit_actors::ipc::IpcLimits,
    pub(crate) stores: Vec<traykit_actors::store::StoreOptions>,
    pub(crate) isolation: Option<traykit_actors::isolation::Isolation>,
    /// Added with `.plugin(p)`, built and started in this order.
    pub(crate) plugins: Vec<Box<dyn Plugin>>,
    /// Single instance, deep links, autostart, shortcuts, logging
    /// (`src/desktop/integration.rs`).
    pub(crate) desktop: crate::desktop::Options,
    #[cfg(feature = "webview")]
    pub(crate) assets: crate::webview::Assets,
}

/// The default of [`AppBuilder::host_keep_alive`]: a popup reopened within
/// half a minute finds its host (a reopen in a kept host took 105 ms
/// against 186 ms with a process start); an app left alone gets the host's
/// memory back soon after.
const DEFAULT_HOST_KEEP_ALIVE: Duration = Duration::from_secs(30);

impl Default for AppBuilder {
    fn default() -> Self {
        Self {
            name: "traykit app".into(),
            trays: Vec::new(),
            state: StateMap::default(),
            duplicate_state: None,
            setup: Vec::new(),
            on_menu: Vec::new(),
            on_notification: Vec::new(),
            on_activation: Vec::new(),
            on_event: Vec::new(),
            request_timeout: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(3),
            opengl: false,
            host_keep_alive: DEFAULT_HOST_KEEP_ALIVE,
            windows: Vec::new(),
            router: Router::default(),
            duplicate_command: None,
            capabilities: Vec::new(),
            tauri_compat: false,
            dev_url: None,
            data_dir: None,
            ipc_limits: traykit_actors::ipc::IpcLimits::default(),
            stores: Vec::new(),
            isolation: None,
            plugins: Vec::new(),
            desktop: Default::default(),
            #[cfg(feature = "webview")]
            assets: crate::webview::Assets::default(),
        }
    }
}

impl std::fmt::Debug for AppBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppBuilder")
            .field("name", &self.name)
            .field("trays", &self.trays)
            .finish_non_exhaustive()
    }
}

impl AppBuilder {
    /// The app's name: used as the notifications' app name and in logs.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Adds a tray icon, shown at start.
    pub fn tray(mut self, tray: Tray) -> Self {
        self.trays.push(tray);
        self
    }

    /// Hands a value to the app; handlers reach it with `app.state::<T>()`.
    /// One value per type.
    pub fn manage<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        if !self.state.insert(value) {
            self.duplicate_state
                .get_or_insert(std::any::type_name::<T>());
        }
        self
    }

    /// Runs once the trays exist, on the actor thread: start your actors
    /// here. An error (or a panic) stops the app and `run` returns
    /// [`Error::Setup`](crate::Error::Setup).
    pub fn setup(
        mut self,
        f: impl FnOnce(&AppHandle) -> Result<(), SetupError> + Send + 'static,
    ) -> Self {
        self.setup.push(Box::new(f));
        self
    }

    /// Runs `f` on every tray menu click, on the actor thread.
    pub fn on_menu_click(mut self, f: impl Fn(&AppHandle, &MenuClicked) + Send + 'static) -> Self {
        self.on_menu.push(Box::new(f));
        self
    }

    /// Runs `f` when a notification's action is clicked or it closes.
    pub fn on_notification(
        mut self,
        f: impl Fn(&AppHandle, &NotificationEvent) + Send + 'static,
    ) -> Self {
        self.on_notification.push(Box::new(f));
        self
    }

    /// Runs `f` when a tray icon itself is clicked.
    pub fn on_tray_activated(
        mut self,
        f: impl Fn(&AppHandle, &TrayActivated) + Send + 'static,
    ) -> Self {
        self.on_activation.push(Box::new(f));
        self
    }

    /// Declares a window. It is created on its first `show` (or at start with
    /// `visible_on_start`/`prewarm`).
    pub fn window(mut self, window: Window) -> Self {
        self.windows.push(window);
        self
    }

    /// Registers a command pages can call as JSON-RPC method `name`. The
    /// params are deserialised into `A` (bad params → -32602), the result
    /// serialised; the error converts into an [`RpcError`] with your code.
    /// Only windows a capability grants `name` to can call it.
    ///
    /// ```no_run
    /// use serde::Deserialize;
    /// use traykit::ipc::{CallContext, RpcError};
    ///
    /// #[derive(Deserialize)]
    /// struct Add { a: i64, b: i64 }
    ///
    /// traykit::App::builder().command("math.add", |args: Add, _ctx: CallContext| async move {
    ///     args.a.checked_add(args.b).ok_or_else(|| RpcError::new(4000, "overflow"))
    /// });
    /// ```
    pub fn command<A, R, E, F, Fut>(mut self, name: &str, f: F) -> Self
    where
        A: DeserializeOwned + 'static,
        R: Serialize + 'static,
        E: Into<RpcError> + 'static,
        F: Fn(A, CallContext) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<R, E>> + 'static,
    {
        if self.router.contains(name) {
            self.duplicate_command
                .get_or_insert_with(|| name.to_owned());
        }
        self.router.insert(name, typed(name, f));
        self
    }

    /// Adds a capability from its JSON text (typically
    /// `include_str!("capabilities/main.json")`). An invalid one makes `run`
    /// fail with [`Error::Capability`](crate::Error::Capability). Without any, pages can call nothing.
    pub fn capability(mut self, json: &str) -> Self {
        self.capabilities
            .push(Capability::from_json(json).map_err(|e| e.to_string()));
        self
    }

    /// Presents `window.__TAURI_INTERNALS__`, so pages built against
    /// `@tauri-apps/api` (core.invoke, event.listen/emit/once) work
    /// unchanged.
    pub fn tauri_compat(mut self, enabled: bool) -> Self {
        self.tauri_compat = enabled;
        self
    }

    /// Serves a file at `traykit://localhost/<path>`.
    #[cfg(feature = "webview")]
    pub fn asset(mut self, path: &str, bytes: &'static [u8]) -> Self {
        self.assets.insert(path, std::borrow::Cow::Borrowed(bytes));
        self
    }

    /// Serves every file of a `#[derive(RustEmbed)]` folder at
    /// `traykit://localhost/…` (embedded at compile time).
    ///
    /// ```ignore
    /// #[derive(traykit::RustEmbed)]
    /// #[folder = "ui/"]
    /// #[crate_path = "traykit::rust_embed"]
    /// struct Ui;
    ///
    /// App::builder().assets::<Ui>();
    /// ```
    #[cfg(feature = "webview")]
    pub fn assets<E: rust_embed::RustEmbed>(mut self) -> Self {
        self.assets.embed::<E>();
        self
    }

    /// Serves the files of a folder on disk at `traykit://localhost/…`,
    /// read at request time: for development (edit, reload) and for pages
    /// generated at build time. Embedded assets win over it.
    #[cfg(feature = "webview")]
    pub fn assets_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.assets.dir(dir.into());
        self
    }

    /// Replaces the Content-Security-Policy sent with served HTML (default:
    /// [`crate::DEFAULT_CSP`], the app's own origin only).
    #[cfg(feature = "webview")]
    pub fn csp(mut self, policy: impl Into<String>) -> Self {
        self.assets.csp = policy.into();
        self
    }

    /// Turns on the isolation pattern (off by default): every IPC message
    /// of every page first passes through `isolation`, an app-supplied
    /// document in a sandboxed iframe whose hook may check, rewrite or
    /// refuse it, and is then sealed (AES-256-GCM, a key per webview that
    /// the page never sees). The core refuses anything else, including
    /// replays. See [`Isolation`](traykit_actors::isolation::Isolation).
    ///
    /// ```no_run
    /// use traykit::isolation::Isolation;
    /// traykit::App::builder().isolation(
    ///     Isolation::new(r#"<html><body><script src="hook.js"></script></body></html>"#)
    ///         .script("hook.js", "window.__TRAYKIT_ISOLATION_HOOK__ = (p) => p;"),
    /// );
    /// ```
    pub fn isolation(mut self, isolation: traykit_actors::isolation::Isolation) -> Self {
        #[cfg(feature = "webview")]
        {
            self.assets.isolation = true;
        }
        self.isolation = Some(isolation);
        self
    }

    /// Allows the inline `<script>`s of served HTML by their SHA-256 hashes
    /// in the Content-Security-Policy (on by default), so a strict policy
    /// needs no `'unsafe-inline'`. Turn off to send the policy unchanged.
    #[cfg(feature = "webview")]
    pub fn csp_hashes(mut self, enabled: bool) -> Self {
        self.assets.csp_hashes = enabled;
        self
    }

    /// In debug builds, windows with relative URLs load from this dev server
    /// (e.g. Vite's `http://localhost:5173`) instead of the embedded assets,
    /// and its origin counts as the app's own for capabilities. Ignored in
    /// release builds, which always serve the embedded assets.
    pub fn dev_url(mut self, url: impl Into<String>) -> Self {
        if cfg!(debug_assertions) {
            self.dev_url = Some(url.into());
        }
        self
    }

    /// Declares a store with options (schema version and migrations,
    /// debounce, corrupt-file policy). Stores not declared open with
    /// defaults on first `app.store(name)`.
    pub fn store(mut self, options: traykit_actors::store::StoreOptions) -> Self {
        self.stores.push(options);
        self
    }

    /// Limits on what each page may send (size, batch length, requests in
    /// flight, rate); see [`IpcLimits`](traykit_actors::ipc::IpcLimits) for
    /// the defaults.
    pub fn ipc_limits(mut self, limits: traykit_actors::ipc::IpcLimits) -> Self {
        self.ipc_limits = limits;
        self
    }

    /// Where the app keeps its data (stores). Default: the platform data
    /// directory for the app's name (`~/.local/share/<name>`).
    pub fn data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Runs `f` on every event a page emits.
    pub fn on_event(mut self, f: impl Fn(&AppHandle, &PageEvent) + Send + 'static) -> Self {
        self.on_event.push(Box::new(f));
        self
    }

    /// Timeout of every request made through a handle (default 5 s). A
    /// caller never waits longer than this for an answer.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long shutdown waits for each `Shutdown` subscriber (default 3 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Adds a plugin: its methods, page script, capabilities, state and
    /// stores are declared now; it starts with the app (before trays,
    /// windows and `setup`) and its shutdown hook runs at the ordered
    /// shutdown. See [`Plugin`](traykit_actors::app::Plugin).
    ///
    /// ```no_run
    /// use traykit::app::{Plugin, PluginError, PluginSetup};
    /// use traykit::ipc::{CallContext, RpcError};
    ///
    /// struct Ping;
    /// impl Plugin for Ping {
    ///     fn name(&self) -> &str { "ping" }
    ///     fn build(&self, setup: &mut PluginSetup<'_>) -> Result<(), PluginError> {
    ///         setup.method("ping.ping", |(): (), _: CallContext| async { Ok::<_, RpcError>("pong") })?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// traykit::App::builder().plugin(Ping);
    /// ```
    pub fn plugin(mut self, plugin: impl Plugin) -> Self {
        self.plugins.push(Box::new(plugin));
        self
    }

    /// How long the webview host (the process windows live in) is kept
    /// after the last window closed, ready for the next one (default 30 s).
    /// A window opened meanwhile reuses it and opens in about half the
    /// time; afterwards the host exits and its memory (~95 MiB) comes back.
    /// `Duration::ZERO` lets it go with the last window.
    ///
    /// ```
    /// use std::time::Duration;
    /// use traykit::prelude::*;
    ///
    /// let builder = App::builder()
    ///     .window(Window::new("popup").url("popup.html"))
    ///     .host_keep_alive(Duration::from_secs(120));
    /// # let _ = builder;
    /// ```
    pub fn host_keep_alive(mut self, keep_alive: Duration) -> Self {
        self.host_keep_alive = keep_alive;
        self
    }

    /// Lets GTK initialise OpenGL. Off by default: a tray app has no use for
    /// it and GLX/EGL start-up maps tens of MB of Mesa (see ARCHITECTURE.md).
    pub fn opengl(mut self, enabled: bool) -> Self {
        self.opengl = enabled;
        self
    }
}
