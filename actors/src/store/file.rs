//! The file side of a store: names, the advisory lock, stale temporary
//! files, size accounting.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};

use super::StoreError;

pub(super) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !name.starts_with('.')
}

/// Default [`StoreOptions::lock_wait`](crate::store::StoreOptions::lock_wait): a restart (the updater's, or the
/// user's right after a quit) starts the new process while the old one
/// still flushes its stores at shutdown, which the shutdown timeout (3 s by
/// default) bounds. Opening at once would fail, or worse, without a lock,
/// read what the old process is about to overwrite.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(3);
pub(super) const LOCK_POLL: Duration = Duration::from_millis(20);

/// Counts bytes instead of storing them.
pub(super) struct Counter(usize);

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
pub(super) fn json_len(value: &(impl Serialize + ?Sized)) -> usize {
    let mut counter = Counter(0);
    // A `Value` or `str` always encodes; a failure would only undercount.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

/// `"key":value,` in the document.
pub(super) fn entry_len(key: &str, value: &Value) -> usize {
    json_len(key) + 1 + json_len(value) + 1
}

/// `{"version":N,"data":{}}`.
pub(super) fn empty_doc_len(version: u64) -> usize {
    json_len(&json!({"version": version, "data": {}}))
}

/// The advisory lock on `<name>.json.lock`, shared by every store actor of
/// this process on that file (see [`lock_store`]).
pub(super) struct StoreLock {
    _file: std::fs::File,
}

/// Locks taken by this process, by lock file: `flock` locks belong to an
/// open file, so a second open of the same store in this process (a second
/// `App` in a test, a restart in place) would otherwise lock itself out.
pub(super) fn held_locks() -> &'static Mutex<HashMap<PathBuf, Weak<StoreLock>>> {
    static HELD: OnceLock<Mutex<HashMap<PathBuf, Weak<StoreLock>>>> = OnceLock::new();
    HELD.get_or_init(Mutex::default)
}

/// Takes the exclusive lock on `path` (created 0600), waiting up to `wait`
/// for a holder to let go, or names the process that holds it.
pub(super) fn lock_store(
    store: &str,
    path: &Path,
    wait: Duration,
) -> Result<Arc<StoreLock>, StoreError> {
    let mut held = crate::sync::lock(held_locks());
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
pub(super) fn is_temp_file(store_file: &str, file_name: &str) -> bool {
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
pub(super) fn remove_stale_temp_files(store: &str, dir: &Path, store_file: &str) {
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
pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".to_owned())
}
