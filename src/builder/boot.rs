//! Boot: the declarations checked and merged with the plugins', then the
//! actor graph started and filled in order (hooks, plugins, trays, windows,
//! `setup`). `traykit::test::TestApp` runs this same code.

use std::sync::Arc;

use traykit_actors::app::Router;
use traykit_actors::app::{AppConfig, AppHandle, Plugin, PluginError, PluginSetup, StateMap};
use traykit_actors::desktop::{DesktopConfig, DesktopPlugin};
use traykit_actors::ipc::Capabilities;
use traykit_actors::notifier::NotificationBackend;
use traykit_actors::supervise::panic_message;
use traykit_actors::tray::Tray;
use traykit_actors::ui::UiHandle;
use traykit_actors::window::Window;

use super::{ActivationFn, AppBuilder, EventFn, MenuFn, NotificationFn, SetupFn};
use crate::error::Error;

/// The page-side IPC bridge, injected into every page before its scripts.
const BRIDGE_JS: &str = include_str!("../../ui-assets/traykit.js");
/// `window.__TAURI_INTERNALS__` on top of the bridge (opt-in).
const TAURI_COMPAT_JS: &str = include_str!("../../ui-assets/tauri-compat.js");

impl AppBuilder {
    /// The capability report: per window, what it may call, listen to and
    /// store; the registered methods no capability grants (unreachable from
    /// any page); grants that match no method. Apps print it when started
    /// with `--print-capabilities` (or `--print-capabilities=json`), without
    /// needing a display.
    pub fn capability_report(&self) -> Result<traykit_actors::report::CapabilityReport, Error> {
        let mut declared = Declared {
            router: Router::default(),
            capabilities: Capabilities::default(),
            init_script: String::new(),
            state: StateMap::default(),
            stores: Vec::new(),
        };
        for cap in &self.capabilities {
            declared
                .capabilities
                .push(cap.clone().map_err(Error::Capability)?);
        }
        traykit_actors::builtins::register(&mut declared.router);
        declared.router.extend(self.router.clone());
        // Built, never started: the report needs their methods and grants.
        let desktop = DesktopPlugin::new(DesktopConfig::new("report", &self.name));
        declared.build_plugins(&[Box::new(desktop) as Box<dyn Plugin>])?;
        declared.build_plugins(&self.plugins)?;
        Ok(traykit_actors::report::CapabilityReport::new(
            &declared.capabilities,
            declared.router.methods(),
            self.windows.iter().map(Window::label),
        ))
    }

    /// Starts the actor graph against `ui`: actors, plugins, trays, hooks,
    /// setup. Runs inside the actix System.
    pub(crate) async fn boot(
        self,
        ui: UiHandle,
        notifications: Arc<dyn NotificationBackend + Send + Sync>,
        app_slot: impl FnOnce(&AppHandle),
    ) -> Result<AppHandle, Error> {
        let (config, boot) = self.into_config(notifications)?;
        let app = AppHandle::start(config, ui);
        app_slot(&app);
        boot.run(&app).await?;
        app.mark_ready();
        Ok(app)
    }

    /// Checks the declarations and merges in the plugins': what the actor
    /// graph starts from, and what boot does once it runs.
    fn into_config(
        mut self,
        notifications: Arc<dyn NotificationBackend + Send + Sync>,
    ) -> Result<(AppConfig, Boot), Error> {
        if let Some(ty) = self.duplicate_state {
            return Err(Error::DuplicateState(ty));
        }
        if let Some(name) = self.duplicate_command {
            return Err(Error::DuplicateCommand(name));
        }
        let mut capabilities = Capabilities::default();
        for cap in std::mem::take(&mut self.capabilities) {
            capabilities.push(cap.map_err(Error::Capability)?);
        }
        let mut router = Router::default();
        traykit_actors::builtins::register(&mut router);
        for name in self.router.methods() {
            if router.contains(name) {
                return Err(Error::DuplicateCommand(name.to_owned()));
            }
        }
        router.extend(std::mem::take(&mut self.router));
        let mut init_script = BRIDGE_JS.to_owned();
        if self.tauri_compat {
            init_script.push('\n');
            init_script.push_str(TAURI_COMPAT_JS);
        }
        let mut declared = Declared {
            router,
            capabilities,
            init_script,
            state: std::mem::take(&mut self.state),
            stores: std::mem::take(&mut self.stores),
        };
        // The desktop integration first: every other plugin may use it.
        let (desktop, desktop_hooks) = self.desktop.into_config(&self.name);
        self.plugins
            .insert(0, Box::new(DesktopPlugin::new(desktop)));
        declared.build_plugins(&self.plugins)?;
        let data_dir = self
            .data_dir
            .unwrap_or_else(|| traykit_actors::app::default_data_dir(&self.name));
        let config = AppConfig {
            data_dir,
            stores: declared.stores,
            ipc_limits: self.ipc_limits,
            name: self.name,
            request_timeout: self.request_timeout,
            shutdown_timeout: self.shutdown_timeout,
            state: declared.state,
            notifications,
            router: declared.router,
            capabilities: declared.capabilities,
            init_script: declared.init_script,
            dev_url: self.dev_url,
            isolation: self.isolation,
        };
        let boot = Boot {
            on_menu: self.on_menu,
            on_notification: self.on_notification,
            on_activation: self.on_activation,
            on_event: self.on_event,
            desktop_hooks,
            plugins: self.plugins,
            trays: self.trays,
            windows: self.windows,
            setup: self.setup,
        };
        Ok((config, boot))
    }
}

/// The declarations plugins add to: methods, capabilities, page script,
/// state, stores.
pub(super) struct Declared {
    pub(super) router: Router,
    pub(super) capabilities: Capabilities,
    pub(super) init_script: String,
    pub(super) state: StateMap,
    pub(super) stores: Vec<traykit_actors::store::StoreOptions>,
}

impl Declared {
    /// Runs every plugin's `build`, in order; names must be unique.
    pub(super) fn build_plugins(&mut self, plugins: &[Box<dyn Plugin>]) -> Result<(), Error> {
        let mut names = std::collections::BTreeSet::new();
        for plugin in plugins {
            if !names.insert(plugin.name()) {
                return Err(PluginError::Duplicate(plugin.name().to_owned()).into());
            }
            let mut setup = PluginSetup::new(
                plugin.name(),
                &mut self.router,
                &mut self.capabilities,
                &mut self.init_script,
                &mut self.state,
                &mut self.stores,
            );
            plugin.build(&mut setup)?;
        }
        Ok(())
    }
}

/// What boot does once the actors run, in this order.
struct Boot {
    on_menu: Vec<MenuFn>,
    on_notification: Vec<NotificationFn>,
    on_activation: Vec<ActivationFn>,
    on_event: Vec<EventFn>,
    desktop_hooks: crate::desktop::Hooks,
    plugins: Vec<Box<dyn Plugin>>,
    trays: Vec<Tray>,
    windows: Vec<Window>,
    setup: Vec<SetupFn>,
}

impl Boot {
    async fn run(self, app: &AppHandle) -> Result<(), Error> {
        // Hooks first: a click on a tray that has just appeared must find
        // its subscribers already there.
        for f in self.on_menu {
            app.on_menu_click(f);
        }
        for f in self.on_notification {
            app.on_notification(f);
        }
        for f in self.on_activation {
            app.on_tray_activated(f);
        }
        for f in self.on_event {
            app.on_event(f);
        }
        self.desktop_hooks.subscribe(app);
        // Plugins before the app's own trays, windows and setup, which may
        // use what they start.
        for plugin in self.plugins {
            app.start_plugin(plugin)?;
        }
        for tray in self.trays {
            app.add_tray(tray).await?;
        }
        for window in self.windows {
            // Started at login: stay in the background.
            let window = if app.started_hidden() {
                window.visible_on_start(false)
            } else {
                window
            };
            app.add_window(window)
                .await
                .map_err(|e| Error::Window(e.to_string()))?;
        }
        for f in self.setup {
            run_setup(app, f)?;
        }
        Ok(())
    }
}

/// Runs one `setup` closure; an error or a panic stops the app.
fn run_setup(app: &AppHandle, f: SetupFn) -> Result<(), Error> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(app))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::Setup(e.to_string())),
        Err(p) => Err(Error::Setup(format!(
            "panicked: {}",
            panic_message(p.as_ref())
        ))),
    }
}
