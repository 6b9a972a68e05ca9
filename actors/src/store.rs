//! Persistent key-value stores: one [`StoreActor`] per named store.
//!
//! A store is a JSON document `{"version": N, "data": {key: value…}}` in the
//! app's data directory. Every change is written with an atomic replace (a
//! temporary file, fsync, rename over the old file, fsync of the directory),
//! so the file on disk is always a complete old or new version — never a
//! mix. By default a `set` is acknowledged only once it is durable; with
//! [`StoreOptions::debounce`] it is acknowledged when queued and written at
//! most that much later (or on [`Flush`], or at shutdown).
//!
//! Watchers (Rust recipients, by key prefix) get every change once, in the
//! order the actor applied them.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use actix::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::error::ActorError;

const ACTOR: &str = "StoreActor";

/// Why a store operation failed.
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
    /// [`StoreOptions::max_bytes`]; nothing was changed.
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
        }
    }
}

/// Default [`StoreOptions::max_bytes`]: 16 MiB. Every durable write
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

/// What to do when the file on disk cannot be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnCorrupt {
    /// Refuse to open the store ([`StoreError::Corrupt`]); the file stays.
    #[default]
    Fail,
    /// Rename the bad file to `<name>.json.corrupt-<unix ms>` and start empty.
    StartEmpty,
}

type Migration = Box<dyn Fn(Value) -> Result<Value, String> + Send>;

/// How a store is opened: name, schema version and migrations, durability.
pub struct StoreOptions {
    name: String,
    version: u64,
    migrations: BTreeMap<u64, Migration>,
    debounce: Option<Duration>,
    on_corrupt: OnCorrupt,
    max_bytes: usize,
    lock_wait: Duration,
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
    /// with [`StoreError::QuotaExceeded`] before it is applied; changes that
    /// shrink it are always allowed, so a store already over a lowered quota
    /// still opens and can be cleaned up.
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// How long opening waits for another process to release the store
    /// (default [`DEFAULT_LOCK_WAIT`]) before failing with
    /// [`StoreError::Locked`]. The open blocks its thread meanwhile.
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

/// A change to a store, sent to watchers.
#[derive(Debug, Clone, PartialEq, Message)]
#[rtype(result = "()")]
pub struct StoreChanged {
    /// Which store.
    pub store: String,
    /// Which key.
    pub key: String,
    /// The new value; `None` when deleted (or cleared).
    pub value: Option<Value>,
}

/// Read one key.
#[derive(Debug, Message)]
#[rtype(result = "Option<Value>")]
pub struct Get(pub String);

/// Write one key.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct Set(pub String, pub Value);

/// Delete one key; answers whether it existed.
#[derive(Debug, Message)]
#[rtype(result = "Result<bool, StoreError>")]
pub struct Delete(pub String);

/// Every key, sorted.
#[derive(Debug, Message)]
#[rtype(result = "Vec<String>")]
pub struct Keys;

/// Delete every key.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct Clear;

/// Make every acknowledged change durable now.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct Flush;

/// Computes a key's new value from its current one (`None`: absent/delete).
pub type UpdateFn = Box<dyn FnOnce(Option<Value>) -> Result<Option<Value>, String> + Send>;

/// Read-modify-write one key atomically with respect to other messages.
#[derive(Message)]
#[rtype(result = "Result<Option<Value>, StoreError>")]
pub struct Update(pub String, pub UpdateFn);

/// Watch keys starting with a prefix (`""` for all).
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Watch(pub String, pub Recipient<StoreChanged>);

/// One named store.
pub struct StoreActor {
    name: String,
    path: PathBuf,
    version: u64,
    data: Map<String, Value>,
    debounce: Option<Duration>,
    dirty: bool,
    flush_scheduled: bool,
    watchers: Vec<(String, Recipient<StoreChanged>)>,
    max_bytes: usize,
    /// The size of the document as [`write`](Self::write) encodes it (an
    /// upper bound by at most one byte), kept up to date by every change so
    /// the quota is checked without encoding the whole store.
    bytes: usize,
    /// While debounced writes fail: the delay before the next attempt.
    retry: Option<Duration>,
    /// Held for as long as the actor lives: the advisory lock that keeps a
    /// second process off this store.
    _lock: Arc<StoreLock>,
}

/// The first retry of a failed debounced write comes after the debounce
/// delay (at least this), then twice as late each time, up to
/// [`RETRY_MAX`]: a full disk or a vanished directory rarely heals within
/// milliseconds, and a retry costs a full encode and fsync.
const RETRY_MIN: Duration = Duration::from_millis(100);
/// The longest wait between retries: the changes are in memory only, so
/// they are retried for as long as the app runs (bounded in size by the
/// quota), but never less often than this.
const RETRY_MAX: Duration = Duration::from_secs(30);

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !name.starts_with('.')
}

/// Default [`StoreOptions::lock_wait`]: a restart (the updater's, or the
/// user's right after a quit) starts the new process while the old one
/// still flushes its stores at shutdown, which the shutdown timeout (3 s by
/// default) bounds. Opening at once would fail, or worse, without a lock,
/// read what the old process is about to overwrite.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(3);
const LOCK_POLL: Duration = Duration::from_millis(20);

/// Counts bytes instead of storing them.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The length of `value` encoded as JSON, without building the text.
fn json_len(value: &(impl Serialize + ?Sized)) -> usize {
    let mut counter = Counter(0);
    // A `Value` or `str` always encodes; a failure would only undercount.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

/// `"key":value,` in the document.
fn entry_len(key: &str, value: &Value) -> usize {
    json_len(key) + 1 + json_len(value) + 1
}

/// `{"version":N,"data":{}}`.
fn empty_doc_len(version: u64) -> usize {
    json_len(&json!({"version": version, "data": {}}))
}

/// The advisory lock on `<name>.json.lock`, shared by every store actor of
/// this process on that file (see [`lock_store`]).
struct StoreLock {
    _file: std::fs::File,
}

/// Locks taken by this process, by lock file: `flock` locks belong to an
/// open file, so a second open of the same store in this process (a second
/// `App` in a test, a restart in place) would otherwise lock itself out.
fn held_locks() -> &'static Mutex<HashMap<PathBuf, Weak<StoreLock>>> {
    static HELD: OnceLock<Mutex<HashMap<PathBuf, Weak<StoreLock>>>> = OnceLock::new();
    HELD.get_or_init(Mutex::default)
}

/// Takes the exclusive lock on `path` (created 0600), waiting up to `wait`
/// for a holder to let go, or names the process that holds it.
fn lock_store(store: &str, path: &Path, wait: Duration) -> Result<Arc<StoreLock>, StoreError> {
    let mut held = held_locks()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    held.retain(|_, lock| lock.strong_count() > 0);
    if let Some(lock) = held.get(path).and_then(Weak::upgrade) {
        return Ok(lock);
    }
    let io = |op: &'static str, e: std::io::Error| StoreError::Io {
        store: store.to_owned(),
        op,
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| io("open lock file", e))?;
    let deadline = std::time::Instant::now() + wait;
    loop {
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => break,
            // flock has no timeout of its own; a short poll keeps the wait
            // bounded without a helper thread.
            Err(rustix::io::Errno::WOULDBLOCK) if std::time::Instant::now() < deadline => {
                std::thread::sleep(LOCK_POLL);
            }
            Err(rustix::io::Errno::WOULDBLOCK) => {
                let pid = std::fs::read_to_string(path)
                    .ok()
                    .and_then(|text| text.trim().parse().ok());
                return Err(StoreError::Locked {
                    store: store.to_owned(),
                    path: path.display().to_string(),
                    pid,
                });
            }
            Err(e) => return Err(io("lock", e.into())),
        }
    }
    // Only for the error message of the next process: not fsynced, and a
    // failure to write it does not matter.
    let _ = file
        .set_len(0)
        .and_then(|()| file.write_all_at(std::process::id().to_string().as_bytes(), 0));
    let lock = Arc::new(StoreLock { _file: file });
    held.insert(path.to_owned(), Arc::downgrade(&lock));
    Ok(lock)
}

/// Whether `file_name` is one of the temporary files `atomic-write-file`
/// makes for `<name>.json`: `.<name>.json.` and six ASCII letters or digits.
fn is_temp_file(store_file: &str, file_name: &str) -> bool {
    file_name
        .strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(store_file))
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|suffix| {
            suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Removes temporary files a killed writer of this store left behind (each
/// as large as the store). Called with the lock held, so no live writer's
/// temporary file can be among them.
fn remove_stale_temp_files(store: &str, dir: &Path, store_file: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_temp_file(store_file, name) || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => tracing::info!(
                store,
                file = name,
                "removed a temporary file left by an interrupted write"
            ),
            Err(error) => {
                tracing::warn!(store, file = name, %error, "could not remove a stale temporary file")
            }
        }
    }
}

/// A panic's message, for [`StoreError::Migration`].
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".to_owned())
}

impl StoreActor {
    /// Loads (or creates) the store `options.name` in `dir`, running
    /// migrations. Synchronous: call it where blocking briefly is fine.
    pub fn open(dir: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        Self::open_with(dir, &options)
    }

    /// [`open`](Self::open), borrowing the options so that a caller can try
    /// again with the same ones after a failure.
    pub fn open_with(dir: &Path, options: &StoreOptions) -> Result<Self, StoreError> {
        let StoreOptions {
            name,
            version,
            migrations,
            debounce,
            on_corrupt,
            max_bytes,
            lock_wait,
        } = options;
        let (name, version) = (name.clone(), *version);
        if !valid_name(&name) {
            return Err(StoreError::BadName(name));
        }
        let store_file = format!("{name}.json");
        let path = dir.join(&store_file);
        let io = |op: &'static str, e: std::io::Error| StoreError::Io {
            store: name.clone(),
            op,
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        // Stores hold what the user typed or the app knows about them:
        // private to the user, like the files in them.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| io("create directory for", e))?;
        let real_dir = dir
            .canonicalize()
            .map_err(|e| io("resolve directory of", e))?;
        let lock = lock_store(
            &name,
            &real_dir.join(format!("{store_file}.lock")),
            *lock_wait,
        )?;
        remove_stale_temp_files(&name, dir, &store_file);
        let (mut found, mut data) = match std::fs::read(&path) {
            Ok(bytes) => match parse(&bytes) {
                Ok(loaded) => loaded,
                Err(reason) => match on_corrupt {
                    OnCorrupt::Fail => {
                        return Err(StoreError::Corrupt {
                            store: name,
                            path: path.display().to_string(),
                            reason,
                        })
                    }
                    OnCorrupt::StartEmpty => {
                        let millis = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_millis())
                            .unwrap_or(0);
                        let aside = dir.join(format!("{name}.json.corrupt-{millis}"));
                        std::fs::rename(&path, &aside).map_err(|e| io("keep aside", e))?;
                        tracing::warn!(store = %name, %reason, aside = %aside.display(),
                            "corrupt store kept aside; starting empty");
                        (version, Map::new())
                    }
                },
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (version, Map::new()),
            Err(e) => return Err(io("read", e)),
        };
        if found > version {
            return Err(StoreError::TooNew {
                store: name,
                found,
                expected: version,
            });
        }
        let migrated = found < version;
        while found < version {
            let next = match migrations.get(&found) {
                Some(migrate) => {
                    // A migration is app code run on whichever thread opens
                    // the store (the window actor's, for a page's
                    // `store.watch`): a panic in it must fail this open, not
                    // unwind through that thread.
                    let input = Value::Object(data);
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| migrate(input)))
                            .unwrap_or_else(|payload| {
                                Err(format!("panicked: {}", panic_message(payload.as_ref())))
                            });
                    outcome.map_err(|reason| StoreError::Migration {
                        store: name.clone(),
                        from: found,
                        reason,
                    })?
                }
                // No function for this step: the data carries over as is.
                None => Value::Object(data),
            };
            data = match next {
                Value::Object(map) => map,
                other => {
                    return Err(StoreError::Migration {
                        store: name,
                        from: found,
                        reason: format!("migration returned {other}, not an object"),
                    })
                }
            };
            found += 1;
        }
        // Files an older traykit created 0644 become private on open too,
        // not only on their next write.
        if let Ok(meta) = std::fs::metadata(&path) {
            if meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| io("make private", e))?;
            }
        }
        let bytes =
            empty_doc_len(version) + data.iter().map(|(k, v)| entry_len(k, v)).sum::<usize>();
        let store = Self {
            name,
            path,
            version,
            data,
            debounce: *debounce,
            dirty: false,
            flush_scheduled: false,
            watchers: Vec::new(),
            max_bytes: *max_bytes,
            bytes,
            retry: None,
            _lock: lock,
        };
        if migrated {
            store.write()?;
        }
        Ok(store)
    }

    /// Writes the whole document atomically and durably.
    fn write(&self) -> Result<(), StoreError> {
        use atomic_write_file::unix::OpenOptionsExt as _;
        let io = |op: &'static str, e: std::io::Error| StoreError::Io {
            store: self.name.clone(),
            op,
            path: self.path.display().to_string(),
            reason: e.to_string(),
        };
        let doc = json!({"version": self.version, "data": &self.data});
        let bytes = serde_json::to_vec(&doc).map_err(|e| io("encode", e.into()))?;
        // 0600 for the temporary file from its first byte, and for the store
        // after the rename (not the old file's mode, which may be 0644).
        let mut file = atomic_write_file::AtomicWriteFile::options()
            .mode(0o600)
            .preserve_mode(false)
            .open(&self.path)
            .map_err(|e| io("open", e))?;
        file.write_all(&bytes).map_err(|e| io("write", e))?;
        // commit() fsyncs the file and renames it over the old one.
        file.commit().map_err(|e| io("commit", e))?;
        // …and the rename itself must survive a power cut.
        if let Some(dir) = self.path.parent() {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io("fsync directory of", e))?;
        }
        Ok(())
    }

    /// Persists now (durable mode) or schedules it (debounced mode).
    fn persist(&mut self, ctx: &mut Context<Self>) -> Result<(), StoreError> {
        match self.debounce {
            None => self.write(),
            Some(delay) => {
                self.dirty = true;
                self.schedule_write(delay, ctx);
                Ok(())
            }
        }
    }

    fn schedule_write(&mut self, after: Duration, ctx: &mut Context<Self>) {
        if self.flush_scheduled {
            return;
        }
        self.flush_scheduled = true;
        ctx.run_later(after, |this, ctx| {
            this.flush_scheduled = false;
            this.debounced_write(ctx);
        });
    }

    /// A debounced write. The changes are already acknowledged, so a
    /// failure cannot be reported to anyone: keep them in memory and try
    /// again later, logging once per streak of failures.
    fn debounced_write(&mut self, ctx: &mut Context<Self>) {
        let Err(error) = self.flush() else { return };
        let next = match self.retry {
            None => {
                tracing::error!(store = %self.name, %error,
                    "debounced write failed; the changes are kept in memory and retried");
                self.debounce.unwrap_or(RETRY_MIN).max(RETRY_MIN)
            }
            Some(last) => (last * 2).min(RETRY_MAX),
        };
        self.retry = Some(next);
        self.schedule_write(next, ctx);
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if self.dirty {
            self.write()?;
            self.dirty = false;
            if self.retry.take().is_some() {
                tracing::info!(store = %self.name, "store written again after failed writes");
            }
        }
        Ok(())
    }

    /// Refuses a change that breaks a limit; otherwise the document's size
    /// after it.
    fn check_limits(&self, key: &str, value: Option<&Value>) -> Result<usize, StoreError> {
        if value.is_some() && key.len() > MAX_KEY_BYTES {
            return Err(StoreError::KeyTooLong {
                store: self.name.clone(),
                len: key.len(),
                max: MAX_KEY_BYTES,
            });
        }
        let old = self.data.get(key).map_or(0, |v| entry_len(key, v));
        let new = value.map_or(0, |v| entry_len(key, v));
        let needed = self.bytes.saturating_sub(old) + new;
        if new > old && needed > self.max_bytes {
            return Err(StoreError::QuotaExceeded {
                store: self.name.clone(),
                limit: self.max_bytes,
                needed,
            });
        }
        Ok(needed)
    }

    fn notify(&mut self, key: &str, value: Option<&Value>) {
        self.watchers.retain(|(_, r)| r.connected());
        for (prefix, watcher) in &self.watchers {
            if key.starts_with(prefix.as_str()) {
                watcher.do_send(StoreChanged {
                    store: self.name.clone(),
                    key: key.to_owned(),
                    value: value.cloned(),
                });
            }
        }
    }

    /// Applies a change: memory first, then disk; undone if the write fails,
    /// so an error means "not changed" and memory never runs ahead of disk.
    fn change(
        &mut self,
        key: String,
        value: Option<Value>,
        ctx: &mut Context<Self>,
    ) -> Result<Option<Value>, StoreError> {
        let bytes = self.check_limits(&key, value.as_ref())?;
        let old = match &value {
            Some(v) => self.data.insert(key.clone(), v.clone()),
            None => self.data.remove(&key),
        };
        let old_bytes = std::mem::replace(&mut self.bytes, bytes);
        if let Err(e) = self.persist(ctx) {
            match old.clone() {
                Some(v) => self.data.insert(key, v),
                None => self.data.remove(&key),
            };
            self.bytes = old_bytes;
            return Err(e);
        }
        if old.as_ref() != value.as_ref() {
            self.notify(&key, value.as_ref());
        }
        Ok(old)
    }
}

impl Actor for StoreActor {
    type Context = Context<Self>;

    fn stopping(&mut self, _: &mut Context<Self>) -> Running {
        if let Err(error) = self.flush() {
            tracing::error!(store = %self.name, %error, "final write failed");
        }
        Running::Stop
    }
}

impl Handler<Get> for StoreActor {
    type Result = Option<Value>;
    fn handle(&mut self, msg: Get, _: &mut Context<Self>) -> Self::Result {
        self.data.get(&msg.0).cloned()
    }
}

impl Handler<Set> for StoreActor {
    type Result = Result<(), StoreError>;
    fn handle(&mut self, msg: Set, ctx: &mut Context<Self>) -> Self::Result {
        self.change(msg.0, Some(msg.1), ctx).map(drop)
    }
}

impl Handler<Delete> for StoreActor {
    type Result = Result<bool, StoreError>;
    fn handle(&mut self, msg: Delete, ctx: &mut Context<Self>) -> Self::Result {
        if !self.data.contains_key(&msg.0) {
            return Ok(false);
        }
        self.change(msg.0, None, ctx).map(|old| old.is_some())
    }
}

impl Handler<Keys> for StoreActor {
    type Result = Vec<String>;
    fn handle(&mut self, _: Keys, _: &mut Context<Self>) -> Self::Result {
        self.data.keys().cloned().collect()
    }
}

impl Handler<Clear> for StoreActor {
    type Result = Result<(), StoreError>;
    fn handle(&mut self, _: Clear, ctx: &mut Context<Self>) -> Self::Result {
        let old = std::mem::take(&mut self.data);
        let old_bytes = std::mem::replace(&mut self.bytes, empty_doc_len(self.version));
        if let Err(e) = self.persist(ctx) {
            self.data = old;
            self.bytes = old_bytes;
            return Err(e);
        }
        for key in old.keys() {
            self.notify(key, None);
        }
        Ok(())
    }
}

impl Handler<Flush> for StoreActor {
    type Result = Result<(), StoreError>;
    fn handle(&mut self, _: Flush, _: &mut Context<Self>) -> Self::Result {
        self.flush()
    }
}

impl Handler<Update> for StoreActor {
    type Result = Result<Option<Value>, StoreError>;
    fn handle(&mut self, msg: Update, ctx: &mut Context<Self>) -> Self::Result {
        let current = self.data.get(&msg.0).cloned();
        let next = (msg.1)(current).map_err(|reason| StoreError::Type {
            store: self.name.clone(),
            key: msg.0.clone(),
            reason,
        })?;
        self.change(msg.0, next.clone(), ctx)?;
        Ok(next)
    }
}

impl Handler<Watch> for StoreActor {
    type Result = ();
    fn handle(&mut self, msg: Watch, _: &mut Context<Self>) {
        self.watchers.push((msg.0, msg.1));
    }
}

impl Handler<crate::app::Shutdown> for StoreActor {
    type Result = ();
    fn handle(&mut self, _: crate::app::Shutdown, _: &mut Context<Self>) {
        if let Err(error) = self.flush() {
            tracing::error!(store = %self.name, %error, "write at shutdown failed");
        }
    }
}

/// A typed, `Send + Clone` handle to one store.
#[derive(Clone, Debug)]
pub struct StoreHandle {
    name: String,
    addr: Addr<StoreActor>,
    timeout: Duration,
}

impl StoreHandle {
    /// A handle to a started store actor.
    pub fn new(name: impl Into<String>, addr: Addr<StoreActor>, timeout: Duration) -> Self {
        Self {
            name: name.into(),
            addr,
            timeout,
        }
    }

    /// The actor's address.
    pub fn addr(&self) -> &Addr<StoreActor> {
        &self.addr
    }

    async fn ask<M>(&self, msg: M) -> Result<M::Result, StoreError>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        StoreActor: Handler<M>,
    {
        self.addr
            .send(msg)
            .timeout(self.timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, ACTOR, self.timeout).into())
    }

    fn type_err(&self, key: &str, e: impl std::fmt::Display) -> StoreError {
        StoreError::Type {
            store: self.name.clone(),
            key: key.to_owned(),
            reason: e.to_string(),
        }
    }

    /// The value at `key` as a `T`, if present.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        match self.ask(Get(key.to_owned())).await? {
            None => Ok(None),
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| self.type_err(key, e)),
        }
    }

    /// Sets `key`; returns once durable (or queued, with debounce).
    pub async fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let value = serde_json::to_value(value).map_err(|e| self.type_err(key, e))?;
        self.ask(Set(key.to_owned(), value)).await?
    }

    /// Replaces `key` with `f(current)`, atomically with respect to every
    /// other change to the store; returns the new value.
    pub async fn update<T, F>(&self, key: &str, f: F) -> Result<T, StoreError>
    where
        T: Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce(Option<T>) -> T + Send + 'static,
    {
        let next = self
            .ask(Update(
                key.to_owned(),
                Box::new(move |current| {
                    let current = current
                        .map(serde_json::from_value::<T>)
                        .transpose()
                        .map_err(|e| e.to_string())?;
                    serde_json::to_value(f(current))
                        .map(Some)
                        .map_err(|e| e.to_string())
                }),
            ))
            .await??;
        serde_json::from_value(next.unwrap_or(Value::Null)).map_err(|e| self.type_err(key, e))
    }

    /// Deletes `key`; whether it existed.
    pub async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        self.ask(Delete(key.to_owned())).await?
    }

    /// Every key, sorted.
    pub async fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.ask(Keys).await
    }

    /// Deletes every key.
    pub async fn clear(&self) -> Result<(), StoreError> {
        self.ask(Clear).await?
    }

    /// Makes every acknowledged change durable.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.ask(Flush).await?
    }

    /// Sends every change to keys starting with `prefix` to `recipient`.
    pub fn watch(&self, prefix: &str, recipient: Recipient<StoreChanged>) {
        self.addr.do_send(Watch(prefix.to_owned(), recipient));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "traykit-store-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    proptest! {
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn parse_never_panics_on_near_json(s in "\\{\"version\":[0-9a-z\"]{0,4},\"data\":[\\[\\]{}0-9a-z\":,]{0,40}\\}?") {
            let _ = parse(s.as_bytes());
        }
    }

    #[test]
    fn corrupt_files_fail_or_are_kept_aside() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("s.json");
        std::fs::write(&path, b"{\"version\":1,\"data\":{\"a\":").expect("write");
        let err = StoreActor::open(&dir, StoreOptions::new("s"))
            .err()
            .expect("refused");
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("left untouched"));
        assert!(path.exists(), "the bad file stays where it was");
        let store = StoreActor::open(
            &dir,
            StoreOptions::new("s").on_corrupt(OnCorrupt::StartEmpty),
        )
        .expect("starts empty");
        assert!(store.data.is_empty());
        let aside: Vec<_> = std::fs::read_dir(&dir)
            .expect("list")
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("s.json.corrupt-")
            })
            .collect();
        assert_eq!(aside.len(), 1, "kept aside, not overwritten");
        assert_eq!(
            std::fs::read(aside[0].path()).expect("read"),
            b"{\"version\":1,\"data\":{\"a\":"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn migrations_run_in_order_and_are_written_back() {
        let dir = temp_dir("migrate");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("m.json"), br#"{"version":1,"data":{"name":"x"}}"#).expect("write");
        let store = StoreActor::open(
            &dir,
            StoreOptions::new("m")
                .version(3)
                .migrate(1, |mut v| {
                    v["title"] = v["name"].take();
                    v.as_object_mut().map(|m| m.remove("name"));
                    Ok(v)
                })
                .migrate(2, |mut v| {
                    v["v3"] = json!(true);
                    Ok(v)
                }),
        )
        .expect("migrates");
        assert_eq!(
            Value::Object(store.data.clone()),
            json!({"title":"x","v3":true})
        );
        let (version, data) =
            parse(&std::fs::read(dir.join("m.json")).expect("read")).expect("parses");
        assert_eq!(version, 3);
        assert_eq!(Value::Object(data), json!({"title":"x","v3":true}));
        // An older app refuses a newer file instead of damaging it.
        let err = StoreActor::open(&dir, StoreOptions::new("m").version(2))
            .err()
            .expect("refused");
        assert!(matches!(
            err,
            StoreError::TooNew {
                found: 3,
                expected: 2,
                ..
            }
        ));
        let bad = StoreActor::open(
            &dir,
            StoreOptions::new("m")
                .version(4)
                .migrate(3, |_| Err("nope".into())),
        )
        .err()
        .expect("refused");
        assert!(matches!(bad, StoreError::Migration { from: 3, .. }));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn names_are_checked() {
        let dir = temp_dir("names");
        for bad in ["", "../x", "a/b", ".hidden", "a b"] {
            assert!(
                matches!(
                    StoreActor::open(&dir, StoreOptions::new(bad)),
                    Err(StoreError::BadName(_))
                ),
                "{bad:?}"
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[derive(Default)]
    struct Seen(Vec<StoreChanged>);
    impl Actor for Seen {
        type Context = Context<Self>;
    }
    impl Handler<StoreChanged> for Seen {
        type Result = ();
        fn handle(&mut self, msg: StoreChanged, _: &mut Context<Self>) {
            self.0.push(msg);
        }
    }
    #[derive(Message)]
    #[rtype(result = "Vec<StoreChanged>")]
    struct TakeSeen;
    impl Handler<TakeSeen> for Seen {
        type Result = MessageResult<TakeSeen>;
        fn handle(&mut self, _: TakeSeen, _: &mut Context<Self>) -> Self::Result {
            MessageResult(std::mem::take(&mut self.0))
        }
    }

    #[actix::test]
    async fn typed_access_durability_and_watchers() {
        let dir = temp_dir("typed");
        let store = StoreHandle::new(
            "t",
            StoreActor::open(&dir, StoreOptions::new("t"))
                .expect("opens")
                .start(),
            Duration::from_secs(5),
        );
        let seen = Seen::default().start();
        store.watch("ui.", seen.clone().recipient());
        store.set("ui.theme", &"dark").await.expect("set");
        store.set("count", &1u32).await.expect("set");
        assert_eq!(
            store
                .update("count", |n: Option<u32>| n.unwrap_or(0) + 1)
                .await,
            Ok(2)
        );
        store
            .set("ui.theme", &"dark")
            .await
            .expect("same value: no event");
        store.set("ui.size", &12).await.expect("set");
        assert!(store.delete("ui.size").await.expect("delete"));
        assert!(!store.delete("ui.size").await.expect("delete again"));
        assert_eq!(
            store.get::<String>("ui.theme").await,
            Ok(Some("dark".into()))
        );
        assert!(matches!(
            store.get::<u32>("ui.theme").await,
            Err(StoreError::Type { .. })
        ));
        assert_eq!(store.keys().await.expect("keys"), ["count", "ui.theme"]);
        // Acknowledged means on disk.
        let (_, data) = parse(&std::fs::read(dir.join("t.json")).expect("read")).expect("parses");
        assert_eq!(Value::Object(data), json!({"count": 2, "ui.theme": "dark"}));
        let events: Vec<(String, Option<Value>)> = seen
            .send(TakeSeen)
            .await
            .expect("seen")
            .into_iter()
            .map(|c| (c.key, c.value))
            .collect();
        assert_eq!(
            events,
            [
                ("ui.theme".into(), Some(json!("dark"))),
                ("ui.size".into(), Some(json!(12))),
                ("ui.size".into(), None),
            ]
        );
        store.clear().await.expect("clear");
        assert!(store.keys().await.expect("keys").is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[actix::test]
    async fn the_quota_and_key_bound_are_checked_before_a_change() {
        let dir = temp_dir("quota");
        let store = StoreHandle::new(
            "q",
            StoreActor::open(&dir, StoreOptions::new("q").max_bytes(200))
                .expect("opens")
                .start(),
            Duration::from_secs(5),
        );
        store.set("a", &"x".repeat(50)).await.expect("fits");
        store.set("b", &[1, 2, 3]).await.expect("fits");
        let before = std::fs::read(dir.join("q.json")).expect("read");
        let err = store
            .set("c", &"y".repeat(200))
            .await
            .expect_err("over the quota");
        assert!(
            matches!(err, StoreError::QuotaExceeded { limit: 200, needed, .. } if needed > 200),
            "{err}"
        );
        assert_eq!(err.kind(), "quota_exceeded");
        assert!(err.to_string().contains("nothing was changed"), "{err}");
        // Replacing a value by a larger one counts its growth only.
        let err = store
            .set("a", &"x".repeat(180))
            .await
            .expect_err("over the quota");
        assert!(matches!(err, StoreError::QuotaExceeded { .. }), "{err}");
        assert_eq!(store.keys().await.expect("keys"), ["a", "b"]);
        assert_eq!(store.get::<String>("a").await, Ok(Some("x".repeat(50))));
        assert_eq!(
            std::fs::read(dir.join("q.json")).expect("read"),
            before,
            "refused before the write: the file is as it was"
        );
        let long = "k".repeat(MAX_KEY_BYTES + 1);
        let err = store.set(&long, &1).await.expect_err("key too long");
        assert!(
            matches!(err, StoreError::KeyTooLong { len, max: MAX_KEY_BYTES, .. } if len == MAX_KEY_BYTES + 1),
            "{err}"
        );
        let err = store
            .set(&"k".repeat(MAX_KEY_BYTES), &1)
            .await
            .expect_err("200 bytes are too few");
        assert!(
            matches!(err, StoreError::QuotaExceeded { .. }),
            "a key of the maximum length is not too long: {err}"
        );
        // Shrinking is always allowed; the accounting follows the file.
        assert!(store.delete("a").await.expect("delete"));
        store.set("c", &"y".repeat(100)).await.expect("fits now");
        let on_disk = std::fs::read(dir.join("q.json")).expect("read").len();
        drop(store);
        let reopened =
            StoreActor::open(&dir, StoreOptions::new("q").max_bytes(200)).expect("opens");
        assert!(
            (on_disk..=on_disk + 1).contains(&reopened.bytes),
            "size kept {} for a {on_disk}-byte file",
            reopened.bytes
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[actix::test]
    async fn store_files_and_directories_are_private() {
        let root = temp_dir("private");
        let dir = root.join("data/stores");
        let store = StoreHandle::new(
            "p",
            StoreActor::open(&dir, StoreOptions::new("p"))
                .expect("opens")
                .start(),
            Duration::from_secs(5),
        );
        store.set("k", &1).await.expect("set");
        assert_eq!(mode(&dir.join("p.json")), 0o600);
        assert_eq!(mode(&dir.join("p.json.lock")), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.join("data")), 0o700);
        // A file an older version wrote 0644 is made private.
        std::fs::write(dir.join("old.json"), br#"{"version":1,"data":{}}"#).expect("write");
        std::fs::set_permissions(dir.join("old.json"), std::fs::Permissions::from_mode(0o644))
            .expect("chmod");
        let old = StoreActor::open(&dir, StoreOptions::new("old")).expect("opens");
        assert_eq!(mode(&dir.join("old.json")), 0o600);
        drop(old);
        std::fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn stale_temporary_files_of_this_store_are_removed_on_open() {
        let dir = temp_dir("stale");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("s.json"), br#"{"version":1,"data":{"a":1}}"#).expect("write");
        let ours = [".s.json.Ab12Cd", ".s.json.000000"];
        let not_ours = [
            ".s.json.Ab12C",       // not six characters
            ".s.json.Ab12Cd7",     // nor this
            ".s.json.Ab-2Cd",      // not alphanumeric
            ".t.json.Ab12Cd",      // another store's
            ".s.json.json.Ab12Cd", // store `s.json`'s
            "s.json.corrupt-17",   // kept aside on purpose
            "notes.txt",
        ];
        for name in ours.iter().chain(&not_ours) {
            std::fs::write(dir.join(name), b"{\"version\":1,\"data\":{\"half").expect("write");
        }
        std::fs::create_dir(dir.join(".s.json.Dir123")).expect("a directory of that name");
        let store = StoreActor::open(&dir, StoreOptions::new("s")).expect("opens");
        assert_eq!(Value::Object(store.data.clone()), json!({"a": 1}));
        for name in ours {
            assert!(!dir.join(name).exists(), "{name} removed");
        }
        for name in not_ours {
            assert!(dir.join(name).exists(), "{name} left alone");
        }
        assert!(
            dir.join(".s.json.Dir123").is_dir(),
            "only files are removed"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_second_open_in_this_process_shares_the_lock() {
        let dir = temp_dir("relock");
        let first = StoreActor::open(&dir, StoreOptions::new("r")).expect("opens");
        let second = StoreActor::open(&dir, StoreOptions::new("r")).expect("same process");
        drop(first);
        drop(second);
        // Released with the last holder: a fresh lock can be taken.
        let third = StoreActor::open(&dir, StoreOptions::new("r")).expect("opens again");
        drop(third);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_panicking_migration_fails_the_open() {
        let dir = temp_dir("panic");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("p.json"), br#"{"version":1,"data":{"a":1}}"#).expect("write");
        let err = StoreActor::open(
            &dir,
            StoreOptions::new("p")
                .version(2)
                .migrate(1, |_| panic!("migration bug")),
        )
        .err()
        .expect("refused");
        assert!(
            matches!(&err, StoreError::Migration { from: 1, reason, .. } if reason.contains("panicked: migration bug")),
            "{err}"
        );
        assert_eq!(
            std::fs::read(dir.join("p.json")).expect("read"),
            br#"{"version":1,"data":{"a":1}}"#,
            "the file stays as it was"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[actix::test]
    async fn a_failed_debounced_write_is_retried_until_it_succeeds() {
        // Virtual time: the runtime jumps from timer to timer, so the retry
        // schedule plays out in order without waiting for it.
        tokio::time::pause();
        let dir = temp_dir("retry");
        let store = StoreHandle::new(
            "d",
            StoreActor::open(
                &dir,
                StoreOptions::new("d").debounce(Duration::from_secs(1)),
            )
            .expect("opens")
            .start(),
            Duration::from_secs(5),
        );
        // A directory where the file goes: the rename over it fails, even
        // for root (EISDIR), like a full disk would.
        let file = dir.join("d.json");
        std::fs::create_dir(&file).expect("block the path");
        store.set("a", &1).await.expect("queued");
        store.set("b", &2).await.expect("queued");
        // The debounced write (at 1 s) fails; then a few retries do.
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(file.is_dir(), "nothing could be written");
        assert!(
            matches!(store.flush().await, Err(StoreError::Io { .. })),
            "still failing"
        );
        assert_eq!(store.get::<u32>("a").await, Ok(Some(1)), "kept in memory");
        std::fs::remove_dir(&file).expect("unblock");
        // No flush and no new change: the next retry (at most RETRY_MAX
        // later) writes both.
        tokio::time::sleep(RETRY_MAX * 2).await;
        let (_, data) = parse(&std::fs::read(&file).expect("retried and written")).expect("parses");
        assert_eq!(Value::Object(data), json!({"a": 1, "b": 2}));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[actix::test]
    async fn debounced_writes_reach_disk_on_flush() {
        let dir = temp_dir("debounce");
        let store = StoreHandle::new(
            "d",
            StoreActor::open(
                &dir,
                StoreOptions::new("d").debounce(Duration::from_secs(3600)),
            )
            .expect("opens")
            .start(),
            Duration::from_secs(5),
        );
        for i in 0..100 {
            store.set(&format!("k{i}"), &i).await.expect("queued");
        }
        assert!(
            !dir.join("d.json").exists(),
            "nothing written before the debounce ends"
        );
        store.flush().await.expect("flush");
        let (_, data) = parse(&std::fs::read(dir.join("d.json")).expect("read")).expect("parses");
        assert_eq!(data.len(), 100);
        std::fs::remove_dir_all(&dir).ok();
    }
}
