//! Why a store operation failed, and the limits it enforces.

use crate::error::ActorError;

/// Why a store operation failed.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::store::StoreError;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().store(StoreOptions::new("settings"))).await?;
/// # let app = test.handle();
/// let settings = app.store("settings")?;
/// settings.set("volume", &"loud").await?;
/// match settings.get::<u8>("volume").await {
///     Err(StoreError::Type { key, .. }) => assert_eq!(key, "volume"),
///     other => panic!("{other:?}"),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store name is not usable as a file name.
    #[error("store name `{0}` may only contain ASCII letters, digits, '-', '_' and '.'")]
    BadName(String),
    /// Reading or writing the file failed; the change was not made.
    #[error("store `{store}`: {op} {path}: {reason}")]
    Io {
        /// Which store.
        store: String,
        /// What was being done.
        op: &'static str,
        /// The file.
        path: String,
        /// What the OS said.
        reason: String,
    },
    /// The file on disk is not a valid store. It was left untouched.
    #[error(
        "store `{store}`: {path} is corrupt ({reason}); it was left untouched — \
         fix or move it, or open the store with OnCorrupt::StartEmpty to keep it aside and start empty"
    )]
    Corrupt {
        /// Which store.
        store: String,
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The file was written by a newer version of the app.
    #[error("store `{store}` has schema version {found}, newer than this app's {expected}")]
    TooNew {
        /// Which store.
        store: String,
        /// Version on disk.
        found: u64,
        /// Version this app knows.
        expected: u64,
    },
    /// A migration function failed.
    #[error("store `{store}`: migration from version {from} failed: {reason}")]
    Migration {
        /// Which store.
        store: String,
        /// The version it migrated from.
        from: u64,
        /// What the migration said.
        reason: String,
    },
    /// A value could not be converted to or from the requested type.
    #[error("store `{store}`, key `{key}`: {reason}")]
    Type {
        /// Which store.
        store: String,
        /// Which key.
        key: String,
        /// What serde said.
        reason: String,
    },
    /// The change would make the store's document larger than
    /// [`StoreOptions::max_bytes`](crate::store::StoreOptions::max_bytes); nothing was changed.
    #[error(
        "store `{store}`: this change would make it {needed} bytes, over its quota of {limit} \
         bytes (StoreOptions::max_bytes); nothing was changed"
    )]
    QuotaExceeded {
        /// Which store.
        store: String,
        /// The quota.
        limit: usize,
        /// The size the document would have had.
        needed: usize,
    },
    /// A key longer than [`MAX_KEY_BYTES`]; nothing was changed.
    #[error("store `{store}`: key of {len} bytes is longer than the {max} allowed")]
    KeyTooLong {
        /// Which store.
        store: String,
        /// The key's length in bytes.
        len: usize,
        /// [`MAX_KEY_BYTES`].
        max: usize,
    },
    /// Another process has the store open (an advisory lock on
    /// `<name>.json.lock`); two writers would overwrite each other's changes.
    #[error(
        "store `{store}`: {path} is locked by another process{}; \
         quit the other instance or use another data directory",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Locked {
        /// Which store.
        store: String,
        /// The lock file.
        path: String,
        /// The process holding it, as it wrote into the lock file.
        pid: Option<u32>,
    },
    /// The store actor did not answer.
    #[error(transparent)]
    Actor(#[from] ActorError),
    /// The app was started without the store plugin (the builder adds it to
    /// every app; a hand-made harness may not have).
    #[error("store `{0}`: stores are not available (the app has no store plugin)")]
    NotInstalled(String),
}

impl StoreError {
    /// A stable, machine-readable name for the kind of failure (the
    /// `data.kind` of the RPC error a page gets).
    pub fn kind(&self) -> &'static str {
        match self {
            StoreError::BadName(_) => "bad_name",
            StoreError::Io { .. } => "io",
            StoreError::Corrupt { .. } => "corrupt",
            StoreError::TooNew { .. } => "too_new",
            StoreError::Migration { .. } => "migration",
            StoreError::Type { .. } => "type",
            StoreError::QuotaExceeded { .. } => "quota_exceeded",
            StoreError::KeyTooLong { .. } => "key_too_long",
            StoreError::Locked { .. } => "locked",
            StoreError::Actor(_) => "actor",
            StoreError::NotInstalled(_) => "not_installed",
        }
    }
}

/// Default [`StoreOptions::max_bytes`](crate::store::StoreOptions::max_bytes): 16 MiB. Every durable write
/// rewrites the whole document (encode, write, fsync), so its cost grows
/// with the store: a settings or state store is kilobytes, and 16 MB
/// already took 17–55 ms per write and fsync alone (measured on a dev VM's
/// disk, encoding not counted) — far past what a key-value store of this
/// kind is for, yet room for a 10 MiB IPC payload — while a page granted a
/// store could otherwise fill the disk (and the app's memory, which holds
/// the whole store) through `store.set`.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// The longest key a store accepts, in bytes. Keys are names (`ui.theme`),
/// not data; a bound keeps one `set` from smuggling megabytes into every
/// watcher's event and every `keys` answer.
pub const MAX_KEY_BYTES: usize = 1024;
