//! What the actor graph is started with.

use std::sync::Arc;
use std::time::Duration;

use crate::app::Router;
use crate::ipc::Capabilities;
use crate::notify::NotificationBackend;

use super::StateMap;

/// What the actor graph needs to start.
pub struct AppConfig {
    /// The app's name: notifications' app name, logs.
    pub name: String,
    /// Timeout of every request made through a handle.
    pub request_timeout: Duration,
    /// How long shutdown waits for each [`Shutdown`](crate::shutdown::Shutdown) subscriber.
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
    /// Where the app's data lives (stores: `<data dir>/stores/<name>.json`).
    pub data_dir: std::path::PathBuf,
    /// Limits on what each page may send.
    pub ipc_limits: crate::ipc::IpcLimits,
    /// The isolation pattern: when set, every page's IPC goes through this
    /// isolation application and is sealed (see [`crate::isolation`]).
    pub isolation: Option<crate::isolation::Isolation>,
}

/// The app's data directory for `name`: `$XDG_DATA_HOME/<name>` (usually
/// `~/.local/share/<name>`), via the `directories` crate.
pub fn default_data_dir(name: &str) -> std::path::PathBuf {
    directories::ProjectDirs::from("", "", name)
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join(name))
}
