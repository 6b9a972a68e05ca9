//! The builder options of the desktop integration: single instance,
//! `--ctl`, deep links, autostart, shortcuts, logging. Each is sugar: it
//! configures the desktop plugin the builder adds to every app
//! ([`DesktopPlugin`](traykit_actors::desktop::DesktopPlugin)), and the
//! platform steps `run` takes for it (`src/desktop/integration.rs`).

use std::path::PathBuf;

use traykit_actors::app::AppHandle;
use traykit_actors::desktop::{DeepLink, PageLogLimits, SecondInstance, ShortcutPressed};
use traykit_actors::ipc::Capability;

use super::AppBuilder;
use crate::desktop::logging::LogOptions;

impl AppBuilder {
    /// A stable, file-name-safe id for the app (default: its name in
    /// lower-case with dashes, `"Desk helper"` → `desk-helper`). Names the
    /// instance socket, the autostart entry, the log files.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.desktop.id = Some(id.into());
        self
    }

    /// One instance per user: a second launch hands its arguments and
    /// working directory to the running instance (a [`SecondInstance`]
    /// message) and exits with code 0. Also enables `--ctl`.
    pub fn single_instance(mut self, enabled: bool) -> Self {
        self.desktop.single_instance = enabled;
        self
    }

    /// Runs `f` on every second launch (single instance).
    pub fn on_second_instance(
        mut self,
        f: impl Fn(&AppHandle, &SecondInstance) + Send + 'static,
    ) -> Self {
        self.desktop.on_second_instance.push(Box::new(f));
        self
    }

    /// Grants the control CLI (`myapp --ctl METHOD key=value…`) methods, as
    /// a capability JSON whose `windows` is `["ctl"]`. Without one, every
    /// ctl call is refused (-32001). Needs `single_instance(true)`.
    pub fn ctl_capability(mut self, json: &str) -> Self {
        self.desktop
            .ctl_capabilities
            .push(Capability::from_json(json).map_err(|e| e.to_string()));
        self
    }

    /// The app handles `scheme://…` URLs: one in the arguments of this or a
    /// later launch (single instance) arrives as a [`DeepLink`] message.
    /// Register the handler with the desktop through a
    /// [`DesktopEntry`](crate::desktop_entry::DesktopEntry) (`.scheme`).
    pub fn deep_link_scheme(mut self, scheme: impl Into<String>) -> Self {
        self.desktop.deep_link_scheme = Some(scheme.into());
        self
    }

    /// Runs `f` on every deep link.
    pub fn on_deep_link(mut self, f: impl Fn(&AppHandle, &DeepLink) + Send + 'static) -> Self {
        self.desktop.on_deep_link.push(Box::new(f));
        self
    }

    /// Runs `f` on every press of a global shortcut the app registered
    /// (`app.register_shortcut(id, accelerator)`; the `shortcuts` feature,
    /// without which registering fails with `ShortcutError::Unsupported`).
    pub fn on_shortcut(
        mut self,
        f: impl Fn(&AppHandle, &ShortcutPressed) + Send + 'static,
    ) -> Self {
        self.desktop.on_shortcut.push(Box::new(f));
        self
    }

    /// Where the autostart entry goes (default `$XDG_CONFIG_HOME/autostart`).
    pub fn autostart_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.desktop.autostart_dir = Some(dir.into());
        self
    }

    /// Overrides whether the app counts as started hidden (default: whether
    /// `--hidden` is among the arguments). Hidden, windows declared
    /// `visible_on_start` stay hidden.
    pub fn started_hidden(mut self, hidden: bool) -> Self {
        self.desktop.started_hidden = Some(hidden);
        self
    }

    /// Installs a `tracing` subscriber: stderr plus a daily file in the
    /// app's log directory ([`logging::log_dir`](crate::logging::log_dir);
    /// the `log-file` feature), filtered by `TRAYKIT_LOG`, else `RUST_LOG`.
    /// Off by default, so an app's own subscriber is not replaced.
    pub fn logging(mut self, options: LogOptions) -> Self {
        self.desktop.logging = Some(options);
        self
    }

    /// Limits on pages' `log.write` (rate per window, sizes).
    pub fn page_log_limits(mut self, limits: PageLogLimits) -> Self {
        self.desktop.page_log = limits;
        self
    }
}
