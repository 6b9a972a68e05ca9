//! What tray utilities need from the desktop beyond trays and windows: a
//! second launch handed to the running instance, `myapp://` deep links,
//! start at login, global shortcuts, and pages writing to the app's log.
//!
//! This module holds the actor-side half: the typed messages, their
//! subscribers, the autostart file, the shortcut backend seam and the
//! `autostart.*` / `shortcut.*` / `log.write` built-ins. The platform half
//! (the instance socket, global-hotkey, the log subscriber) lives in the
//! `traykit` crate, which delivers into the methods here.
//!
//! # Layout
//! - `mod.rs`: [`SecondInstance`], [`DeepLink`], [`DesktopConfig`] and the
//!   state an app carries for them.
//! - `autostart`: [`Autostart`], the XDG autostart entry.
//! - `shortcuts`: [`ShortcutBackend`], [`ShortcutPressed`] and registering.
//! - `page_log`: `log.write`, its limits and its escaping.
//! - `plugin`: [`DesktopPlugin`], which adds all of it to an app.
//! - `builtins`: the `autostart.*` / `shortcut.*` / `log.write` methods.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use actix::prelude::*;

use crate::app::{AppHandle, Callback, RuntimeHandle};
use crate::ipc::RateLimiter;
use crate::sync::Subscribers;

mod autostart;
mod builtins;
mod page_log;
mod plugin;
mod shortcuts;

pub use autostart::{Autostart, AutostartError};
pub use page_log::PageLogLimits;
pub use shortcuts::{ShortcutError, ShortcutPressed};
// Plumbing of the facade and the updater (actors, their messages, the
// runtime's side of the boundary): public for them, not for apps.
#[doc(hidden)]
pub use builtins::register_builtins;
#[doc(hidden)]
pub use plugin::DesktopPlugin;
#[doc(hidden)]
pub use shortcuts::ShortcutBackend;

/// A second launch of the app, handed over to this (the running) instance,
/// which got its arguments and working directory. The second process has
/// exited by the time this arrives.
///
/// ```
/// use traykit::prelude::*;
///
/// let builder = App::builder()
///     .single_instance(true)
///     .window(Window::new("main").url("index.html"))
///     .on_second_instance(|app, second: &SecondInstance| {
///         println!("launched again with {:?} in {}", second.args, second.cwd.display());
///         app.show_window("main");
///     });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct SecondInstance {
    /// Its command-line arguments, without the program name.
    pub args: Vec<String>,
    /// Its working directory.
    pub cwd: PathBuf,
}

/// A `scheme://…` URL the app was opened with, at start or by a later launch.
///
/// ```
/// use traykit::prelude::*;
///
/// let builder = App::builder()
///     .single_instance(true)
///     .deep_link_scheme("notes")
///     .on_deep_link(|_app, link: &DeepLink| {
///         if let Some(id) = link.url.strip_prefix("notes://open/") {
///             println!("open note {id}");
///         }
///     });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct DeepLink {
    /// The whole URL, as given.
    pub url: String,
}

/// Desktop-integration settings, handed to
/// [`DesktopPlugin::new`](crate::desktop::DesktopPlugin::new).
#[doc(hidden)]
pub struct DesktopConfig {
    /// A stable, file-name-safe id (`desk-helper`): socket, autostart and
    /// desktop-entry names.
    pub id: String,
    /// Started with `--hidden` (at login): windows stay hidden at start.
    pub started_hidden: bool,
    /// The app's URL scheme, if it handles deep links.
    pub deep_link_scheme: Option<String>,
    /// The autostart entry.
    pub autostart: Autostart,
    /// Global shortcuts, if this build/session has them.
    pub shortcuts: Option<Arc<dyn ShortcutBackend>>,
    /// Limits on pages' `log.write`.
    pub page_log: PageLogLimits,
}

impl std::fmt::Debug for DesktopConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DesktopConfig")
            .field("id", &self.id)
            .field("started_hidden", &self.started_hidden)
            .field("deep_link_scheme", &self.deep_link_scheme)
            .finish_non_exhaustive()
    }
}

impl DesktopConfig {
    /// Settings for app `id` with nothing enabled; autostart in the default
    /// directory.
    pub fn new(id: &str, name: &str) -> Self {
        Self {
            id: id.to_owned(),
            started_hidden: false,
            deep_link_scheme: None,
            autostart: Autostart::new(id, name, None, None),
            shortcuts: None,
            page_log: PageLogLimits::default(),
        }
    }
}

/// The desktop-integration state, managed by [`DesktopPlugin`].
pub(crate) struct Desktop {
    config: DesktopConfig,
    second_instance: Subscribers<SecondInstance>,
    deep_links: Subscribers<DeepLink>,
    shortcut_subscribers: Subscribers<ShortcutPressed>,
    /// Registered shortcuts: id → accelerator.
    shortcuts: Mutex<HashMap<String, String>>,
    log_buckets: Mutex<HashMap<String, RateLimiter>>,
}

impl Desktop {
    pub(crate) fn new(config: DesktopConfig) -> Self {
        Self {
            config,
            second_instance: Subscribers::new(),
            deep_links: Subscribers::new(),
            shortcut_subscribers: Subscribers::new(),
            shortcuts: Mutex::default(),
            log_buckets: Mutex::default(),
        }
    }
}

/// The deep links among `args`: arguments that start with `<scheme>:`
/// (case-insensitive, as URL schemes are).
#[doc(hidden)]
pub fn deep_links_in<'a>(scheme: &str, args: &'a [String]) -> Vec<&'a str> {
    args.iter()
        .map(String::as_str)
        .filter(|a| {
            a.len() > scheme.len()
                && a.as_bytes()[scheme.len()] == b':'
                && a[..scheme.len()].eq_ignore_ascii_case(scheme)
        })
        .collect()
}

impl AppHandle {
    /// The plugin's state; an app started without the plugin (only
    /// possible below the builder) gets one with nothing enabled.
    fn desktop(&self) -> &Desktop {
        static NONE: std::sync::OnceLock<Desktop> = std::sync::OnceLock::new();
        self.state::<Desktop>().unwrap_or_else(|| {
            NONE.get_or_init(|| Desktop::new(DesktopConfig::new("traykit-app", "traykit app")))
        })
    }

    /// The app's id (file-name safe): names its instance socket, autostart
    /// and desktop entries.
    pub fn id(&self) -> &str {
        &self.desktop().config.id
    }

    /// Whether the app was started with `--hidden` (e.g. at login): windows
    /// declared `visible_on_start` stayed hidden.
    pub fn started_hidden(&self) -> bool {
        self.desktop().config.started_hidden
    }

    /// The URL scheme the app handles, if any.
    pub fn deep_link_scheme(&self) -> Option<&str> {
        self.desktop().config.deep_link_scheme.as_deref()
    }

    /// Sends every [`SecondInstance`] to `recipient`.
    pub fn subscribe_second_instance(&self, recipient: Recipient<SecondInstance>) {
        self.desktop().second_instance.push(recipient);
    }

    /// Runs `f` on every second launch.
    pub fn on_second_instance(&self, f: impl Fn(&AppHandle, &SecondInstance) + 'static) {
        self.subscribe_second_instance(Callback::start(self.clone(), f));
    }

    /// Sends every [`DeepLink`] to `recipient`.
    pub fn subscribe_deep_links(&self, recipient: Recipient<DeepLink>) {
        self.desktop().deep_links.push(recipient);
    }

    /// Runs `f` on every deep link.
    pub fn on_deep_link(&self, f: impl Fn(&AppHandle, &DeepLink) + 'static) {
        self.subscribe_deep_links(Callback::start(self.clone(), f));
    }
}

/// What the facade's platform half hands in (`app.runtime().deliver_*`).
impl RuntimeHandle<'_> {
    /// Hands a second launch to the subscribers, then each deep link in its
    /// arguments. Called by the instance server.
    pub fn deliver_second_instance(self, msg: SecondInstance) {
        self.app.deliver_second_instance(msg);
    }

    /// Hands a deep link to the subscribers.
    pub fn deliver_deep_link(self, url: String) {
        self.app.deliver_deep_link(url);
    }

    /// Hands a press of shortcut `id` to the subscribers (called by the
    /// backend). Ids not registered (any more) are ignored.
    pub fn deliver_shortcut(self, id: &str) {
        self.app.deliver_shortcut(id);
    }
}

impl AppHandle {
    fn deliver_second_instance(&self, msg: SecondInstance) {
        // A second launch usually shows a window: start its host now.
        self.prewarm_host();
        let links: Vec<String> = match self.deep_link_scheme() {
            Some(scheme) => deep_links_in(scheme, &msg.args)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            None => Vec::new(),
        };
        let n = self.desktop().second_instance.send(msg);
        tracing::debug!(subscribers = n, "second instance delivered");
        for url in links {
            self.deliver_deep_link(url);
        }
    }

    fn deliver_deep_link(&self, url: String) {
        tracing::info!(%url, "deep link");
        if self.desktop().deep_links.send(DeepLink { url }) == 0 {
            tracing::warn!("deep link received but nothing subscribes to deep links");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_links_are_found_by_scheme() {
        let args: Vec<String> = [
            "--hidden",
            "myapp://open/x",
            "MyApp:y",
            "myappz://no",
            "myapp",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(deep_links_in("myapp", &args), ["myapp://open/x", "MyApp:y"]);
    }
}
