//! What tray utilities need from the desktop beyond trays and windows: a
//! second launch handed to the running instance, `myapp://` deep links,
//! start at login, global shortcuts, and pages writing to the app's log.
//!
//! This module holds the actor-side half: the typed messages, their
//! subscribers, the autostart file, the shortcut backend seam and the
//! `autostart.*` / `shortcut.*` / `log.write` built-ins. The platform half
//! (the instance socket, global-hotkey, the log subscriber) lives in the
//! `traykit` crate, which delivers into the methods here.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use actix::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use crate::app::{AppHandle, Callback};
use crate::desktop_entry::{DesktopEntry, DesktopEntryError};
use crate::ipc::{
    codes, limit_exceeded, typed, CallContext, IpcLimits, RateLimiter, Router, RpcError,
};

/// A second launch of the app, handed over to this (the running) instance,
/// which got its arguments and working directory. The second process has
/// exited by the time this arrives.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct SecondInstance {
    /// Its command-line arguments, without the program name.
    pub args: Vec<String>,
    /// Its working directory.
    pub cwd: PathBuf,
}

/// A `scheme://…` URL the app was opened with, at start or by a later launch.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct DeepLink {
    /// The whole URL, as given.
    pub url: String,
}

/// A registered global shortcut was pressed.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct ShortcutPressed {
    /// The id it was registered under.
    pub id: String,
    /// Its accelerator, as registered (`"ctrl+alt+KeyK"`).
    pub accelerator: String,
}

/// Why a global shortcut could not be (un)registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShortcutError {
    /// This session cannot grab keys globally (Wayland, or no display).
    #[error("global shortcuts are not supported here: {0}")]
    Unsupported(String),
    /// The accelerator does not parse.
    #[error("invalid accelerator `{accelerator}`: {reason}")]
    Invalid {
        /// As given.
        accelerator: String,
        /// The parser's explanation.
        reason: String,
    },
    /// Another client (or this app) already holds this key combination, or
    /// the id is taken.
    #[error("shortcut `{0}` is already registered")]
    Taken(String),
    /// No shortcut with this id.
    #[error("no shortcut with id `{0}`")]
    Unknown(String),
    /// The backend failed.
    #[error("shortcut backend failed: {0}")]
    Failed(String),
}

/// Grabs key combinations for the whole session. The `traykit` crate's
/// implementation uses `global-hotkey` (X11); it reports presses through
/// [`AppHandle::deliver_shortcut`].
pub trait ShortcutBackend: Send + Sync {
    /// Starts delivering presses of `accelerator` as shortcut `id`.
    fn register(&self, id: &str, accelerator: &str) -> Result<(), ShortcutError>;
    /// Stops delivering shortcut `id`.
    fn unregister(&self, id: &str) -> Result<(), ShortcutError>;
}

/// Why autostart could not be changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AutostartError {
    /// The entry could not be written or removed.
    #[error(transparent)]
    Entry(#[from] DesktopEntryError),
    /// The program's own path is unknown, so no entry can name it.
    #[error("cannot find this program's path for the autostart entry: {0}")]
    NoExecutable(String),
}

/// Start at login: an XDG autostart entry
/// `$XDG_CONFIG_HOME/autostart/<app id>.desktop` that runs the app with
/// `--hidden`. A system-wide entry (`$XDG_CONFIG_DIRS/autostart`, e.g. from
/// a package) counts too; the user's entry of the same name overrides it,
/// so disabling one writes a user entry with `Hidden=true`, as the spec
/// asks.
#[derive(Debug, Clone)]
pub struct Autostart {
    entry: Result<DesktopEntry, String>,
    dir: Result<PathBuf, String>,
    system_dirs: Vec<PathBuf>,
}

/// `$XDG_CONFIG_DIRS` (default `/etc/xdg`), each with `/autostart`.
fn system_autostart_dirs() -> Vec<PathBuf> {
    let dirs = std::env::var("XDG_CONFIG_DIRS")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/etc/xdg".into());
    dirs.split(':')
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .map(|p| p.join("autostart"))
        .collect()
}

/// Whether entry text switches itself off.
fn entry_disabled(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l == "Hidden=true" || l == "X-GNOME-Autostart-enabled=false"
    })
}

impl Autostart {
    /// The entry for app `id` (display name `name`), started as `exec
    /// --hidden`, kept in `dir` (default `$XDG_CONFIG_HOME/autostart`).
    pub fn new(id: &str, name: &str, exec: Option<PathBuf>, dir: Option<PathBuf>) -> Self {
        let exec = exec
            .map(Ok)
            .unwrap_or_else(|| std::env::current_exe().map_err(|e| format!("current_exe: {e}")));
        let entry = exec.map(|exec| {
            DesktopEntry::new(id, name, exec)
                .arg("--hidden")
                .comment(format!("Start {name} at login"))
        });
        let dir = dir.map(Ok).unwrap_or_else(|| {
            crate::desktop_entry::config_home()
                .map(|c| c.join("autostart"))
                .map_err(|e| e.to_string())
        });
        Self {
            entry,
            dir,
            system_dirs: system_autostart_dirs(),
        }
    }

    /// Replaces the system-wide autostart directories looked at (default:
    /// `$XDG_CONFIG_DIRS/autostart`).
    pub fn system_dirs(mut self, dirs: Vec<PathBuf>) -> Self {
        self.system_dirs = dirs;
        self
    }

    /// The user entry's path.
    pub fn path(&self) -> Result<PathBuf, AutostartError> {
        let dir = self.dir.clone().map_err(AutostartError::NoExecutable)?;
        let entry = self.entry()?;
        Ok(dir.join(entry.file_name()))
    }

    fn entry(&self) -> Result<&DesktopEntry, AutostartError> {
        self.entry
            .as_ref()
            .map_err(|e| AutostartError::NoExecutable(e.clone()))
    }

    /// The first system-wide entry of this name, read.
    fn system_entry(&self) -> Option<String> {
        let name = self.entry().ok()?.file_name();
        self.system_dirs
            .iter()
            .find_map(|d| std::fs::read_to_string(d.join(&name)).ok())
    }

    fn read(path: &std::path::Path) -> Result<Option<String>, AutostartError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(DesktopEntryError::Io {
                path: path.to_owned(),
                source,
            }
            .into()),
        }
    }

    /// Writes the user entry: the app starts (hidden) at the next login.
    pub fn enable(&self) -> Result<(), AutostartError> {
        let dir = self.dir.clone().map_err(AutostartError::NoExecutable)?;
        let path = self.entry()?.write_to(&dir)?;
        tracing::info!(entry = %path.display(), "autostart enabled");
        Ok(())
    }

    /// Removes the user entry (absent already is fine); if a system-wide
    /// entry would still start the app, writes a user entry with
    /// `Hidden=true` over it instead.
    pub fn disable(&self) -> Result<(), AutostartError> {
        let path = self.path()?;
        if self.system_entry().is_some_and(|t| !entry_disabled(&t)) {
            let dir = self.dir.clone().map_err(AutostartError::NoExecutable)?;
            let hidden = self.entry()?.clone().hidden(true);
            hidden.write_to(&dir)?;
            tracing::info!(entry = %path.display(), "autostart disabled over the system-wide entry");
            return Ok(());
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {
                tracing::info!(entry = %path.display(), "autostart disabled");
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(DesktopEntryError::Io { path, source }.into()),
        }
    }

    /// Whether the app starts at login: the user entry decides if there is
    /// one, else a system-wide one; an entry with `Hidden=true` or
    /// `X-GNOME-Autostart-enabled=false` (how desktops' settings switch it
    /// off) does not start it.
    pub fn is_enabled(&self) -> Result<bool, AutostartError> {
        match Self::read(&self.path()?)? {
            Some(text) => Ok(!entry_disabled(&text)),
            None => Ok(self.system_entry().is_some_and(|t| !entry_disabled(&t))),
        }
    }
}

/// Limits on `log.write`: each window may write `per_second` lines on
/// average (bursts of `burst`), each message at most `max_message_bytes`
/// (longer ones are cut) and `max_fields_bytes` of fields (more are dropped).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct PageLogLimits {
    /// Average lines per second per window.
    pub per_second: f64,
    /// Burst size.
    pub burst: f64,
    /// Longest message kept, in bytes.
    pub max_message_bytes: usize,
    /// Largest `fields` object kept (as JSON), in bytes.
    pub max_fields_bytes: usize,
}

impl Default for PageLogLimits {
    fn default() -> Self {
        Self {
            per_second: 50.0,
            burst: 200.0,
            max_message_bytes: 8 * 1024,
            max_fields_bytes: 8 * 1024,
        }
    }
}

impl PageLogLimits {
    /// Sets the rate: `per_second` lines on average, bursts of `burst`.
    pub fn rate(mut self, per_second: f64, burst: f64) -> Self {
        self.per_second = per_second;
        self.burst = burst;
        self
    }
    /// Sets [`max_message_bytes`](Self::max_message_bytes).
    pub fn max_message_bytes(mut self, n: usize) -> Self {
        self.max_message_bytes = n;
        self
    }
    /// Sets [`max_fields_bytes`](Self::max_fields_bytes).
    pub fn max_fields_bytes(mut self, n: usize) -> Self {
        self.max_fields_bytes = n;
        self
    }
}

/// Desktop-integration settings handed to [`AppHandle::start`] through
/// `AppConfig::desktop`.
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

/// Subscribers of one message type; disconnected ones are dropped on send.
struct Subscribers<M: Message<Result = ()> + Send>(Mutex<Vec<Recipient<M>>>);

impl<M: Message<Result = ()> + Send + Clone + 'static> Subscribers<M> {
    fn new() -> Self {
        Self(Mutex::new(Vec::new()))
    }

    fn push(&self, r: Recipient<M>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(r);
    }

    fn send(&self, msg: M) -> usize {
        let mut subs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        subs.retain(|s| s.connected());
        for s in subs.iter() {
            s.do_send(msg.clone());
        }
        subs.len()
    }
}

/// The desktop-integration state an [`AppHandle`] carries.
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
    fn desktop(&self) -> &Desktop {
        self.desktop_state()
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

    /// Hands a second launch to the subscribers, then each deep link in its
    /// arguments. Called by the instance server.
    pub fn deliver_second_instance(&self, msg: SecondInstance) {
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

    /// Hands a deep link to the subscribers.
    pub fn deliver_deep_link(&self, url: String) {
        tracing::info!(%url, "deep link");
        if self.desktop().deep_links.send(DeepLink { url }) == 0 {
            tracing::warn!("deep link received but nothing subscribes to deep links");
        }
    }

    /// Start at login.
    pub fn autostart(&self) -> &Autostart {
        &self.desktop().config.autostart
    }

    /// Grabs `accelerator` (`"ctrl+alt+KeyK"`, global-hotkey syntax) for the
    /// whole session; presses arrive as [`ShortcutPressed`] with `id`.
    pub async fn register_shortcut(
        &self,
        id: &str,
        accelerator: &str,
    ) -> Result<(), ShortcutError> {
        let backend = self.shortcut_backend()?;
        {
            let shortcuts = self
                .desktop()
                .shortcuts
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if shortcuts.contains_key(id) {
                return Err(ShortcutError::Taken(id.to_owned()));
            }
        }
        let (bid, acc) = (id.to_owned(), accelerator.to_owned());
        // The backend answers from its own thread: do not hold up the actors.
        tokio::task::spawn_blocking(move || backend.register(&bid, &acc))
            .await
            .map_err(|e| ShortcutError::Failed(e.to_string()))??;
        self.desktop()
            .shortcuts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_owned(), accelerator.to_owned());
        tracing::info!(id, accelerator, "global shortcut registered");
        Ok(())
    }

    /// Releases shortcut `id`.
    pub async fn unregister_shortcut(&self, id: &str) -> Result<(), ShortcutError> {
        let backend = self.shortcut_backend()?;
        if !self
            .desktop()
            .shortcuts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(id)
        {
            return Err(ShortcutError::Unknown(id.to_owned()));
        }
        let bid = id.to_owned();
        tokio::task::spawn_blocking(move || backend.unregister(&bid))
            .await
            .map_err(|e| ShortcutError::Failed(e.to_string()))??;
        self.desktop()
            .shortcuts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
        tracing::info!(id, "global shortcut unregistered");
        Ok(())
    }

    /// The registered shortcuts: (id, accelerator), sorted by id.
    pub fn shortcuts(&self) -> Vec<(String, String)> {
        let mut all: Vec<_> = self
            .desktop()
            .shortcuts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        all.sort();
        all
    }

    fn shortcut_backend(&self) -> Result<Arc<dyn ShortcutBackend>, ShortcutError> {
        self.desktop().config.shortcuts.clone().ok_or_else(|| {
            ShortcutError::Unsupported("this app runs without a shortcut backend".into())
        })
    }

    /// Sends every [`ShortcutPressed`] to `recipient`.
    pub fn subscribe_shortcuts(&self, recipient: Recipient<ShortcutPressed>) {
        self.desktop().shortcut_subscribers.push(recipient);
    }

    /// Runs `f` on every shortcut press.
    pub fn on_shortcut(&self, f: impl Fn(&AppHandle, &ShortcutPressed) + 'static) {
        self.subscribe_shortcuts(Callback::start(self.clone(), f));
    }

    /// Hands a press of shortcut `id` to the subscribers (called by the
    /// backend). Ids not registered (any more) are ignored.
    pub fn deliver_shortcut(&self, id: &str) {
        let accelerator = self
            .desktop()
            .shortcuts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned();
        if let Some(accelerator) = accelerator {
            self.desktop().shortcut_subscribers.send(ShortcutPressed {
                id: id.to_owned(),
                accelerator,
            });
        }
    }

    /// Takes one `log.write` token for `window`.
    fn page_log_allowed(&self, window: &str) -> bool {
        let limits = &self.desktop().config.page_log;
        let ipc = IpcLimits::default().rate(limits.per_second, limits.burst);
        let mut buckets = self
            .desktop()
            .log_buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        buckets
            .entry(window.to_owned())
            .or_insert_with(|| RateLimiter::new(&ipc))
            .allow(&ipc)
    }
}

impl From<AutostartError> for RpcError {
    fn from(e: AutostartError) -> Self {
        RpcError::new(codes::TARGET_ERROR, e.to_string())
    }
}

impl From<ShortcutError> for RpcError {
    fn from(e: ShortcutError) -> Self {
        RpcError::new(codes::TARGET_ERROR, e.to_string())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogWrite {
    level: Level,
    message: String,
    #[serde(default)]
    fields: Option<serde_json::Map<String, Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShortcutArgs {
    id: String,
    accelerator: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShortcutId {
    id: String,
}

/// Cuts `s` to at most `max` bytes on a character boundary.
fn truncate(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    true
}

/// Page text made safe for a log line: control characters (C0 — `\n`,
/// `\r`, ESC… — DEL, C1) and the Unicode line and paragraph separators
/// become visible escapes (`\n`, `\u{1b}`), so page text can never end
/// a log line or drive a terminal. Text without any is borrowed.
pub(crate) fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.chars().any(needs) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes one page log line to `tracing`, target `traykit::page`.
fn page_log(ctx: &CallContext, w: LogWrite) -> Result<Value, RpcError> {
    let limits = ctx.app.desktop().config.page_log;
    if !ctx.app.page_log_allowed(&ctx.window) {
        return Err(limit_exceeded(format!(
            "log.write rate ({} lines/s, bursts of {})",
            limits.per_second, limits.burst
        )));
    }
    let mut message = w.message;
    let truncated = truncate(&mut message, limits.max_message_bytes);
    // Escaped after the cut (the limit is on what the page sent) and before
    // anything is written: a newline would start a forged log line, an ESC
    // drive the terminal.
    let message = escape_controls(&message);
    let fields = match w.fields {
        Some(f) => {
            let text = Value::Object(f).to_string();
            if text.len() > limits.max_fields_bytes {
                format!("(dropped: {} bytes of fields)", text.len())
            } else {
                // JSON escapes C0 in strings already, not DEL, C1 or the
                // Unicode line separators.
                escape_controls(&text).into_owned()
            }
        }
        None => String::new(),
    };
    let window = ctx.window.as_str();
    macro_rules! emit {
        ($level:expr) => {
            tracing::event!(target: "traykit::page", $level, window, fields = %fields, truncated, "{message}")
        };
    }
    match w.level {
        Level::Error => emit!(tracing::Level::ERROR),
        Level::Warn => emit!(tracing::Level::WARN),
        Level::Info => emit!(tracing::Level::INFO),
        Level::Debug => emit!(tracing::Level::DEBUG),
        Level::Trace => emit!(tracing::Level::TRACE),
    }
    Ok(Value::Null)
}

/// Registers `autostart.*`, `shortcut.*` and `log.write`.
///
/// | method | params | result |
/// |---|---|---|
/// | `autostart.enable` `autostart.disable` | – | null |
/// | `autostart.is_enabled` | – | bool |
/// | `shortcut.register` | `{id, accelerator}` | null |
/// | `shortcut.unregister` | `{id}` | null |
/// | `log.write` | `{level, message, fields?}` | null (-32002 over the rate) |
pub fn register_builtins(router: &mut Router) {
    router.insert(
        "autostart.enable",
        typed("autostart.enable", |(): (), ctx: CallContext| async move {
            ctx.app.autostart().enable()?;
            Ok::<_, RpcError>(Value::Null)
        }),
    );
    router.insert(
        "autostart.disable",
        typed("autostart.disable", |(): (), ctx: CallContext| async move {
            ctx.app.autostart().disable()?;
            Ok::<_, RpcError>(Value::Null)
        }),
    );
    router.insert(
        "autostart.is_enabled",
        typed(
            "autostart.is_enabled",
            |(): (), ctx: CallContext| async move {
                Ok::<_, RpcError>(ctx.app.autostart().is_enabled()?)
            },
        ),
    );
    router.insert(
        "shortcut.register",
        typed(
            "shortcut.register",
            |a: ShortcutArgs, ctx: CallContext| async move {
                ctx.app.register_shortcut(&a.id, &a.accelerator).await?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    router.insert(
        "shortcut.unregister",
        typed(
            "shortcut.unregister",
            |a: ShortcutId, ctx: CallContext| async move {
                ctx.app.unregister_shortcut(&a.id).await?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    router.insert(
        "log.write",
        typed("log.write", |w: LogWrite, ctx: CallContext| async move {
            page_log(&ctx, w)
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_log_text_cannot_break_a_line_or_drive_a_terminal() {
        let cases = [
            ("plain text, ünïcode", "plain text, ünïcode"),
            (
                "ok\n2026-12-01T00:00:00Z ERROR traykit: forged",
                "ok\\n2026-12-01T00:00:00Z ERROR traykit: forged",
            ),
            ("a\r\nb", "a\\r\\nb"),
            ("\u{1b}[31mred\u{1b}[0m", "\\u{1b}[31mred\\u{1b}[0m"),
            ("nul\0 bel\u{7} del\u{7f}", "nul\\u{0} bel\\u{7} del\\u{7f}"),
            ("csi\u{9b}2J nel\u{85}", "csi\\u{9b}2J nel\\u{85}"),
            ("ls\u{2028}ps\u{2029}", "ls\\u{2028}ps\\u{2029}"),
            ("tab\t", "tab\\t"),
        ];
        for (text, want) in cases {
            let got = escape_controls(text);
            assert_eq!(got, want, "{text:?}");
            assert!(!got.chars().any(char::is_control), "{got:?}");
        }
        assert!(matches!(
            escape_controls("clean"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

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

    #[test]
    fn truncation_keeps_characters_whole() {
        let mut s = "ééé".to_owned(); // 6 bytes
        assert!(truncate(&mut s, 3));
        assert_eq!(s, "é");
        let mut short = "ab".to_owned();
        assert!(!truncate(&mut short, 3));
    }

    #[test]
    fn autostart_writes_checks_and_removes_its_entry() {
        let dir =
            std::env::temp_dir().join(format!("traykit-autostart-unit-{}", std::process::id()));
        let a = Autostart::new(
            "unit-app",
            "Unit app",
            Some("/opt/unit app/bin".into()),
            Some(dir.clone()),
        );
        assert!(!a.is_enabled().expect("check"));
        a.enable().expect("enable");
        assert!(a.is_enabled().expect("check"));
        let text = std::fs::read_to_string(dir.join("unit-app.desktop")).expect("entry");
        assert!(
            text.contains("Exec=\"/opt/unit app/bin\" --hidden\n"),
            "{text}"
        );
        std::fs::write(dir.join("unit-app.desktop"), format!("{text}Hidden=true\n")).expect("w");
        assert!(!a.is_enabled().expect("check"), "Hidden=true disables it");
        a.disable().expect("disable");
        a.disable().expect("disable twice is fine");
        assert!(!a.is_enabled().expect("check"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_system_wide_entry_counts_and_is_overridden_by_the_user() {
        let root =
            std::env::temp_dir().join(format!("traykit-autostart-system-{}", std::process::id()));
        let (user, system) = (root.join("user"), root.join("system"));
        std::fs::create_dir_all(&system).expect("mkdir");
        let a = Autostart::new(
            "sys-app",
            "Sys",
            Some("/usr/bin/sys-app".into()),
            Some(user.clone()),
        )
        .system_dirs(vec![system.clone()]);
        assert!(!a.is_enabled().expect("check"));
        std::fs::write(
            system.join("sys-app.desktop"),
            "[Desktop Entry]\nType=Application\nExec=/usr/bin/sys-app --hidden\n",
        )
        .expect("system entry");
        assert!(
            a.is_enabled().expect("check"),
            "the package's entry starts it"
        );
        a.disable().expect("disable");
        let text = std::fs::read_to_string(user.join("sys-app.desktop")).expect("user entry");
        assert!(text.contains("\nHidden=true\n"), "{text}");
        assert!(
            !a.is_enabled().expect("check"),
            "the user's Hidden=true wins"
        );
        a.enable().expect("enable");
        assert!(a.is_enabled().expect("check"));
        let _ = std::fs::remove_dir_all(root);
    }
}
