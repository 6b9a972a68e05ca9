//! Opening a store's file: reading it (or keeping a corrupt one aside),
//! running the migrations, making an old file private.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::{Map, Value};

use super::file::panic_message;
use super::options::Migration;
use super::{parse, OnCorrupt, StoreError};

/// An I/O failure of `op` on `path`, for store `store`.
pub(super) fn io_error(
    store: &str,
    path: &Path,
    op: &'static str,
    e: std::io::Error,
) -> StoreError {
    StoreError::Io {
        store: store.to_owned(),
        op,
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// The file's (version, data); a missing file is an empty store at
/// `version`; a corrupt one fails or, with [`OnCorrupt::StartEmpty`], is
/// renamed aside and the store starts empty.
pub(super) fn read_or_recover(
    name: &str,
    dir: &Path,
    path: &Path,
    version: u64,
    on_corrupt: OnCorrupt,
) -> Result<(u64, Map<String, Value>), StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((version, Map::new())),
        Err(e) => return Err(io_error(name, path, "read", e)),
    };
    let reason = match parse(&bytes) {
        Ok(loaded) => return Ok(loaded),
        Err(reason) => reason,
    };
    match on_corrupt {
        OnCorrupt::Fail => Err(StoreError::Corrupt {
            store: name.to_owned(),
            path: path.display().to_string(),
            reason,
        }),
        OnCorrupt::StartEmpty => {
            let millis = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0);
            let aside = dir.join(format!("{name}.json.corrupt-{millis}"));
            std::fs::rename(path, &aside).map_err(|e| io_error(name, path, "keep aside", e))?;
            tracing::warn!(store = %name, %reason, aside = %aside.display(),
                "corrupt store kept aside; starting empty");
            Ok((version, Map::new()))
        }
    }
}

/// Runs the migrations from `found` up to `version`, in order; whether any
/// ran (the result must then be written back).
pub(super) fn migrate(
    name: &str,
    mut found: u64,
    version: u64,
    mut data: Map<String, Value>,
    migrations: &BTreeMap<u64, Migration>,
) -> Result<(Map<String, Value>, bool), StoreError> {
    if found > version {
        return Err(StoreError::TooNew {
            store: name.to_owned(),
            found,
            expected: version,
        });
    }
    let migrated = found < version;
    while found < version {
        let next = match migrations.get(&found) {
            Some(migrate) => {
                // A migration is app code run on whichever thread opens the
                // store (the window actor's, for a page's `store.watch`): a
                // panic in it must fail this open, not unwind through that
                // thread.
                let input = Value::Object(data);
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| migrate(input)))
                        .unwrap_or_else(|payload| {
                            Err(format!("panicked: {}", panic_message(payload.as_ref())))
                        });
                outcome.map_err(|reason| StoreError::Migration {
                    store: name.to_owned(),
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
                    store: name.to_owned(),
                    from: found,
                    reason: format!("migration returned {other}, not an object"),
                })
            }
        };
        found += 1;
    }
    Ok((data, migrated))
}

/// Files an older traykit created 0644 become private on open too, not
/// only on their next write.
pub(super) fn make_private(path: &Path) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}
