//! `App::builder()`: what the app is made of, declared before it runs.

use std::sync::Arc;
use std::time::Duration;

use traykit_actors::app::{AppConfig, AppHandle, StateMap};
use traykit_actors::notifier::{NotificationBackend, NotificationEvent};
use traykit_actors::supervise::panic_message;
use traykit_actors::tray::{MenuClicked, Tray, TrayActivated};
use traykit_actors::ui::UiHandle;

use crate::error::Error;

/// The error type `setup` closures may return.
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

type SetupFn = Box<dyn FnOnce(&AppHandle) -> Result<(), SetupError> + Send>;
type MenuFn = Box<dyn Fn(&AppHandle, &MenuClicked) + Send>;
type NotificationFn = Box<dyn Fn(&AppHandle, &NotificationEvent) + Send>;
type ActivationFn = Box<dyn Fn(&AppHandle, &TrayActivated) + Send>;

/// Entry point: `App::builder()`.
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
pub struct AppBuilder {
    pub(crate) name: String,
    pub(crate) trays: Vec<Tray>,
    pub(crate) state: StateMap,
    pub(crate) duplicate_state: Option<&'static str>,
    pub(crate) setup: Vec<SetupFn>,
    pub(crate) on_menu: Vec<MenuFn>,
    pub(crate) on_notification: Vec<NotificationFn>,
    pub(crate) on_activation: Vec<ActivationFn>,
    pub(crate) request_timeout: Duration,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) opengl: bool,
}

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
            request_timeout: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(3),
            opengl: false,
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
    /// [`Error::Setup`].
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

    /// Lets GTK initialise OpenGL. Off by default: a tray app has no use for
    /// it and GLX/EGL start-up maps tens of MB of Mesa (see ARCHITECTURE.md).
    pub fn opengl(mut self, enabled: bool) -> Self {
        self.opengl = enabled;
        self
    }

    /// Starts the actor graph against `ui`: actors, trays, hooks, setup.
    /// Runs inside the actix System.
    pub(crate) async fn boot(
        self,
        ui: UiHandle,
        notifications: Arc<dyn NotificationBackend + Send + Sync>,
        app_slot: impl FnOnce(&AppHandle),
    ) -> Result<AppHandle, Error> {
        if let Some(ty) = self.duplicate_state {
            return Err(Error::DuplicateState(ty));
        }
        let app = AppHandle::start(
            AppConfig {
                name: self.name,
                request_timeout: self.request_timeout,
                shutdown_timeout: self.shutdown_timeout,
                state: self.state,
                notifications,
            },
            ui,
        );
        app_slot(&app);
        for tray in self.trays {
            app.add_tray(tray).await?;
        }
        for f in self.on_menu {
            app.on_menu_click(f);
        }
        for f in self.on_notification {
            app.on_notification(f);
        }
        for f in self.on_activation {
            app.on_tray_activated(f);
        }
        for f in self.setup {
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&app))) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(Error::Setup(e.to_string())),
                Err(p) => {
                    return Err(Error::Setup(format!(
                        "panicked: {}",
                        panic_message(p.as_ref())
                    )))
                }
            }
        }
        Ok(app)
    }
}
