//! The store actor: one per named store, the only writer of its file.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use serde_json::{json, Map, Value};

use super::file::*;
use super::load::{io_error, make_private, migrate, read_or_recover};
use super::{StoreError, StoreOptions, MAX_KEY_BYTES};

/// A change to a store, sent to watchers
/// ([`StoreHandle::watch`](crate::store::StoreHandle::watch)).
///
/// ```
/// use actix::prelude::*;
/// use traykit::prelude::*;
///
/// struct ThemeWatcher;
/// impl Actor for ThemeWatcher { type Context = Context<Self>; }
/// impl Handler<StoreChanged> for ThemeWatcher {
///     type Result = ();
///     fn handle(&mut self, change: StoreChanged, _: &mut Context<Self>) {
///         println!("{}.{} = {:?}", change.store, change.key, change.value);
///     }
/// }
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().store(StoreOptions::new("settings"))).await?;
/// # let app = test.handle();
/// let settings = app.store("settings")?;
/// settings.watch("theme", ThemeWatcher.start().recipient());
/// # Ok(()) }
/// ```
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

impl StoreActor {
    /// Loads (or creates) the store `options.name` in `dir`, running
    /// migrations. Synchronous: call it where blocking briefly is fine.
    pub fn open(dir: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        Self::open_with(dir, &options)
    }

    /// [`open`](Self::open), borrowing the options so that a caller can try
    /// again with the same ones after a failure.
    pub fn open_with(dir: &Path, options: &StoreOptions) -> Result<Self, StoreError> {
        let (name, version) = (options.name.clone(), options.version);
        if !valid_name(&name) {
            return Err(StoreError::BadName(name));
        }
        let store_file = format!("{name}.json");
        let path = dir.join(&store_file);
        let io = |op: &'static str, e: std::io::Error| io_error(&name, &path, op, e);
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
            options.lock_wait,
        )?;
        remove_stale_temp_files(&name, dir, &store_file);
        let (found, data) = read_or_recover(&name, dir, &path, version, options.on_corrupt)?;
        let (data, migrated) = migrate(&name, found, version, data, &options.migrations)?;
        make_private(&path).map_err(|e| io("make private", e))?;
        let bytes =
            empty_doc_len(version) + data.iter().map(|(k, v)| entry_len(k, v)).sum::<usize>();
        let store = Self {
            name,
            path,
            version,
            data,
            debounce: options.debounce,
            dirty: false,
            flush_scheduled: false,
            watchers: Vec::new(),
            max_bytes: options.max_bytes,
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

impl Handler<crate::shutdown::Shutdown> for StoreActor {
    type Result = ();
    fn handle(&mut self, _: crate::shutdown::Shutdown, _: &mut Context<Self>) {
        if let Err(error) = self.flush() {
            tracing::error!(store = %self.name, %error, "write at shutdown failed");
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
