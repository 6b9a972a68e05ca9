//! The desktop integration's platform half: the builder's options for
//! single instance, `--ctl`, deep links, autostart, shortcuts and logging
//! (set through `builder/desktop.rs`), and the steps `run` takes for them
//! before and after the actors boot.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use traykit_actors::app::AppHandle;
use traykit_actors::desktop::{
    deep_links_in, Autostart, DeepLink, DesktopConfig, PageLogLimits, SecondInstance,
    ShortcutBackend, ShortcutPressed,
};
use traykit_actors::ipc::{Capabilities, Capability};

use super::instance::{self, Acquired, InstanceError, Primary};
use super::logging::{self, LogError, LogOptions};

type SecondFn = Box<dyn Fn(&AppHandle, &SecondInstance) + Send>;
type DeepLinkFn = Box<dyn Fn(&AppHandle, &DeepLink) + Send>;
type ShortcutFn = Box<dyn Fn(&AppHandle, &ShortcutPressed) + Send>;

/// The flag that starts the app in the background (as autostart does).
pub const HIDDEN_FLAG: &str = "--hidden";
/// The flag that turns a launch into a control call to the running instance.
pub const CTL_FLAG: &str = "--ctl";

/// Builder state for the desktop integration.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) id: Option<String>,
    pub(crate) single_instance: bool,
    pub(crate) ctl_capabilities: Vec<Result<Capability, String>>,
    pub(crate) deep_link_scheme: Option<String>,
    pub(crate) autostart_dir: Option<PathBuf>,
    pub(crate) started_hidden: Option<bool>,
    pub(crate) logging: Option<LogOptions>,
    pub(crate) page_log: PageLogLimits,
    pub(crate) on_second_instance: Vec<SecondFn>,
    pub(crate) on_deep_link: Vec<DeepLinkFn>,
    pub(crate) on_shortcut: Vec<ShortcutFn>,
    /// Set by the runtime (a display is there); `TestApp` has none.
    pub(crate) shortcuts: Option<Arc<dyn ShortcutBackend>>,
}

/// A file-name-safe id from a display name: `"Desk helper"` → `desk-helper`.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "traykit-app".into()
    } else {
        out
    }
}

/// The closures to subscribe once the app handle exists.
pub(crate) struct Hooks {
    on_second_instance: Vec<SecondFn>,
    on_deep_link: Vec<DeepLinkFn>,
    on_shortcut: Vec<ShortcutFn>,
}

impl Hooks {
    pub(crate) fn subscribe(self, app: &AppHandle) {
        for f in self.on_second_instance {
            app.on_second_instance(f);
        }
        for f in self.on_deep_link {
            app.on_deep_link(f);
        }
        for f in self.on_shortcut {
            app.on_shortcut(f);
        }
    }
}

impl Options {
    /// Sets the autostart directory unless the app chose one.
    pub(crate) fn default_autostart_dir(&mut self, dir: PathBuf) {
        self.autostart_dir.get_or_insert(dir);
    }

    pub(crate) fn id(&self, name: &str) -> String {
        self.id.clone().unwrap_or_else(|| slug(name))
    }

    /// The actor-side config and the hooks, for `boot`.
    pub(crate) fn into_config(self, name: &str) -> (DesktopConfig, Hooks) {
        let id = self.id(name);
        let config = DesktopConfig {
            autostart: Autostart::new(&id, name, None, self.autostart_dir),
            id,
            started_hidden: self.started_hidden.unwrap_or(false),
            deep_link_scheme: self.deep_link_scheme,
            shortcuts: self.shortcuts,
            page_log: self.page_log,
        };
        let hooks = Hooks {
            on_second_instance: self.on_second_instance,
            on_deep_link: self.on_deep_link,
            on_shortcut: self.on_shortcut,
        };
        (config, hooks)
    }
}

/// Why [`prepare`] failed. `run` turns it into the matching
/// [`Error`](crate::Error) variant (`Capability`, `Instance`, `Logging`);
/// it is its own type so this folder does not import the crate's error
/// module, which names this folder's errors.
#[derive(Debug)]
pub(crate) enum PrepareError {
    /// A `.ctl_capability` is invalid.
    Capability(String),
    /// The lock, the socket or the hand-off failed.
    Instance(InstanceError),
    /// The log subscriber could not be installed.
    Logging(LogError),
}

impl From<InstanceError> for PrepareError {
    fn from(e: InstanceError) -> Self {
        PrepareError::Instance(e)
    }
}

impl From<LogError> for PrepareError {
    fn from(e: LogError) -> Self {
        PrepareError::Logging(e)
    }
}

/// What `run` keeps from the steps before boot.
pub(crate) struct Prepared {
    /// Keeps the log file writer alive until `run` returns.
    _log_guard: logging::Guard,
    primary: Option<Primary>,
    ctl: Arc<Capabilities>,
    deep_links: Vec<String>,
}

fn args() -> Vec<String> {
    std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Before boot: logging, `--ctl` (answers and exits), single instance
/// (a second launch hands off and exits 0), `--hidden`, deep links in argv,
/// the shortcut backend.
pub(crate) fn prepare(
    name: &str,
    desktop: &mut Options,
    app_slot: Arc<OnceLock<AppHandle>>,
) -> Result<Prepared, PrepareError> {
    let id = desktop.id(name);
    let log_guard = match &desktop.logging {
        Some(options) => logging::install(&id, options)?,
        None => logging::Guard::default(),
    };
    let args = args();
    let mut ctl = Capabilities::default();
    for cap in std::mem::take(&mut desktop.ctl_capabilities) {
        ctl.push(cap.map_err(PrepareError::Capability)?);
    }
    if let Some(pos) = args.iter().position(|a| a == CTL_FLAG) {
        let code = run_ctl(&id, &args[pos + 1..]);
        // `exit` skips destructors: flush the log file first.
        log_guard.flush();
        std::process::exit(code);
    }
    let primary = if desktop.single_instance {
        match instance::acquire(&id)? {
            Acquired::Primary(primary) => Some(primary),
            Acquired::Running(path) => {
                let started = std::time::Instant::now();
                instance::hand_off(&path, &args)?;
                tracing::info!(elapsed = ?started.elapsed(), "handed over to the running instance");
                log_guard.flush();
                std::process::exit(0);
            }
        }
    } else {
        None
    };
    if desktop.started_hidden.is_none() {
        desktop.started_hidden = Some(args.iter().any(|a| a == HIDDEN_FLAG));
    }
    let deep_links = match &desktop.deep_link_scheme {
        Some(scheme) => deep_links_in(scheme, &args)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        None => Vec::new(),
    };
    desktop.shortcuts = Some(super::shortcuts::HotkeyBackend::new(app_slot));
    Ok(Prepared {
        _log_guard: log_guard,
        primary,
        ctl: Arc::new(ctl),
        deep_links,
    })
}

impl Prepared {
    /// Splits off what the actor thread needs; the rest (the lock, the log
    /// writer) stays with `run` until it returns.
    pub(crate) fn boot_part(&mut self) -> BootPart {
        BootPart {
            listener: self.primary.as_mut().and_then(Primary::take_listener),
            ctl: self.ctl.clone(),
            deep_links: std::mem::take(&mut self.deep_links),
        }
    }
}

/// The part of [`Prepared`] that moves to the actor thread.
pub(crate) struct BootPart {
    listener: Option<std::os::unix::net::UnixListener>,
    ctl: Arc<Capabilities>,
    deep_links: Vec<String>,
}

impl BootPart {
    /// After boot (on the actor thread): serve the instance socket, deliver
    /// this launch's own deep links.
    pub(crate) fn start(self, app: &AppHandle) {
        if let Some(listener) = self.listener {
            instance::serve(listener, app.clone(), self.ctl);
        }
        for url in self.deep_links {
            app.runtime().deliver_deep_link(url);
        }
    }
}

/// `--ctl METHOD [ARGS…]`: prints the JSON-RPC response; exit code 0 on a
/// result, 1 on an error answer, 2 when no call could be made.
fn run_ctl(id: &str, rest: &[String]) -> i32 {
    let Some((method, params)) = rest.split_first() else {
        eprintln!("usage: {CTL_FLAG} METHOD [key=value…|JSON]");
        return 2;
    };
    let params = match instance::ctl_params(params) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{CTL_FLAG}: {e}");
            return 2;
        }
    };
    let path = match instance::socket_path(id) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{CTL_FLAG}: {e}");
            return 2;
        }
    };
    // The lock, not the socket file, says whether an instance runs: a
    // crashed one leaves its socket behind.
    if !matches!(instance::is_running(id), Ok(true)) {
        eprintln!(
            "{CTL_FLAG}: {}",
            instance::InstanceError::NotRunning(id.into())
        );
        return 2;
    }
    match instance::request(&path, method, params, std::time::Duration::from_secs(15)) {
        Ok(reply) => {
            println!("{reply}");
            if reply.get("error").is_some() {
                1
            } else {
                0
            }
        }
        Err(e) => {
            eprintln!("{CTL_FLAG}: {e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Desk helper"), "desk-helper");
        assert_eq!(slug("  Tray  Clock!! 2"), "tray-clock-2");
        assert_eq!(slug("ßß"), "traykit-app");
    }
}
