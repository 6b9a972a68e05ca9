//! How a store is opened, and how its file is decoded.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use super::{DEFAULT_LOCK_WAIT, DEFAULT_MAX_BYTES};

/// What to do when the file on disk cannot be loaded.
///
/// ```
/// use traykit::prelude::*;
///
/// // A cache may start over; settings (the default, `Fail`) may not.
/// let cache = StoreOptions::new("cache").on_corrupt(OnCorrupt::StartEmpty);
/// # let _ = cache;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnCorrupt {
    /// Refuse to open the store ([`StoreError::Corrupt`](crate::store::StoreError::Corrupt)); the file stays.
    #[default]
    Fail,
    /// Rename the bad file to `<name>.json.corrupt-<unix ms>` and start empty.
    StartEmpty,
}

pub(super) type Migration = Box<dyn Fn(Value) -> Result<Value, String> + Send>;

/// How a store is opened: name, schema version and migrations, durability.
///
/// ```
/// use std::time::Duration;
/// use traykit::prelude::*;
///
/// let settings = StoreOptions::new("settings")
///     .version(2)
///     // Version 1 kept `theme` as a bool.
///     .migrate(1, |mut v| {
///         let dark = v["dark"].take().as_bool().unwrap_or(false);
///         v["theme"] = (if dark { "dark" } else { "light" }).into();
///         Ok(v)
///     })
///     .debounce(Duration::from_millis(200));
/// let builder = App::builder().store(settings);
/// # let _ = builder;
/// ```
pub struct StoreOptions {
    pub(super) name: String,
    pub(super) version: u64,
    pub(super) migrations: BTreeMap<u64, Migration>,
    pub(super) debounce: Option<Duration>,
    pub(super) on_corrupt: OnCorrupt,
    pub(super) max_bytes: usize,
    pub(super) lock_wait: Duration,
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("debounce", &self.debounce)
            .field("max_bytes", &self.max_bytes)
            .field("lock_wait", &self.lock_wait)
            .finish_non_exhaustive()
    }
}

impl StoreOptions {
    /// A store named `name` (the file is `<data dir>/stores/<name>.json`),
    /// schema version 1, durable writes, refusing corrupt files, a quota of
    /// [`DEFAULT_MAX_BYTES`].
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: 1,
            migrations: BTreeMap::new(),
            debounce: None,
            on_corrupt: OnCorrupt::Fail,
            max_bytes: DEFAULT_MAX_BYTES,
            lock_wait: DEFAULT_LOCK_WAIT,
        }
    }

    /// The current schema version.
    pub fn version(mut self, version: u64) -> Self {
        self.version = version;
        self
    }

    /// Migrates the whole `data` object from version `from` to `from + 1`.
    /// Migrations run in order at load, then the result is written back.
    pub fn migrate(
        mut self,
        from: u64,
        f: impl Fn(Value) -> Result<Value, String> + Send + 'static,
    ) -> Self {
        self.migrations.insert(from, Box::new(f));
        self
    }

    /// Acknowledge writes when queued and write at most `delay` later
    /// (batching bursts); call `flush` to make everything so far durable.
    pub fn debounce(mut self, delay: Duration) -> Self {
        self.debounce = Some(delay);
        self
    }

    /// What to do with a file that does not load.
    pub fn on_corrupt(mut self, policy: OnCorrupt) -> Self {
        self.on_corrupt = policy;
        self
    }

    /// The largest the store's JSON document may grow, in bytes (default
    /// [`DEFAULT_MAX_BYTES`]). A change that would make it larger is refused
    /// with [`StoreError::QuotaExceeded`](crate::store::StoreError::QuotaExceeded) before it is applied; changes that
    /// shrink it are always allowed, so a store already over a lowered quota
    /// still opens and can be cleaned up.
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// How long opening waits for another process to release the store
    /// (default [`DEFAULT_LOCK_WAIT`]) before failing with
    /// [`StoreError::Locked`](crate::store::StoreError::Locked). The open blocks its thread meanwhile.
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// The store's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Decodes a store file. Never panics, whatever the bytes.
pub fn parse(bytes: &[u8]) -> Result<(u64, Map<String, Value>), String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let Value::Object(mut doc) = value else {
        return Err("not a JSON object".into());
    };
    let version = doc
        .get("version")
        .and_then(Value::as_u64)
        .ok_or("missing or invalid \"version\"")?;
    match doc.remove("data") {
        Some(Value::Object(data)) => Ok((version, data)),
        _ => Err("missing or invalid \"data\" object".into()),
    }
}
