//! What the updater remembers across runs, in `<state dir>/state.json`,
//! always replaced atomically (temporary file, fsync, rename).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::UpdateError;

/// An installed update on trial: it must confirm it is healthy in time, or
/// the previous binary comes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trial {
    /// The version on trial.
    pub version: String,
    /// The version it replaced.
    pub previous_version: String,
    /// The replaced binary, kept (in the state dir) for the rollback.
    pub previous: PathBuf,
    /// The executable that was swapped.
    pub exe: PathBuf,
    /// How long the new version has to confirm, in milliseconds.
    pub health_timeout_ms: u64,
}

/// The state file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// An installed update that has not confirmed yet.
    #[serde(default)]
    pub pending: Option<Trial>,
    /// Versions that were rolled back: never offered again.
    #[serde(default)]
    pub bad_versions: Vec<String>,
    /// The last version that confirmed its health.
    #[serde(default)]
    pub last_good: Option<String>,
}

impl State {
    /// The file's path in `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("state.json")
    }

    /// Loads the state (empty if there is none). A corrupt file is kept
    /// aside and treated as empty: the updater must never brick the app.
    pub fn load(dir: &Path) -> Result<State, UpdateError> {
        let path = Self::path(dir);
        match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(state) => Ok(state),
                Err(error) => {
                    tracing::warn!(%error, path = %path.display(), "updater state unreadable; starting afresh");
                    let _ = std::fs::rename(&path, path.with_extension("json.corrupt"));
                    Ok(State::default())
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(UpdateError::io("read", &path, e)),
        }
    }

    /// Saves it atomically.
    pub fn save(&self, dir: &Path) -> Result<(), UpdateError> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| UpdateError::Io {
            op: "serialise",
            path: Self::path(dir),
            reason: e.to_string(),
        })?;
        write_atomic(&Self::path(dir), &bytes)
    }
}

/// Replaces `path` with `bytes` atomically (and durably).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), UpdateError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| UpdateError::io("create", dir, e))?;
    }
    let mut file = atomic_write_file::AtomicWriteFile::open(path)
        .map_err(|e| UpdateError::io("open", path, e))?;
    file.write_all(bytes)
        .map_err(|e| UpdateError::io("write", path, e))?;
    file.commit()
        .map_err(|e| UpdateError::io("commit", path, e))
}

/// Copies `from` over `to` atomically: a temporary file in `to`'s
/// directory, fsynced, made executable, renamed over `to`. Either the old or
/// the new file is at `to`, never a mix.
pub fn replace_executable(from: &Path, to: &Path) -> Result<(), UpdateError> {
    use std::os::unix::fs::PermissionsExt;
    let dir = to.parent().unwrap_or(Path::new("."));
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tk-restore-{}", std::process::id()));
    let result = (|| {
        std::fs::copy(from, &tmp).map_err(|e| UpdateError::io("copy from", from, e))?;
        let file = std::fs::File::open(&tmp).map_err(|e| UpdateError::io("open", &tmp, e))?;
        file.set_permissions(std::fs::Permissions::from_mode(0o755))
            .map_err(|e| UpdateError::io("chmod", &tmp, e))?;
        file.sync_all()
            .map_err(|e| UpdateError::io("sync", &tmp, e))?;
        std::fs::rename(&tmp, to).map_err(|e| UpdateError::io("replace", to, e))?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tk-state-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }

    #[test]
    fn state_round_trips_and_a_corrupt_file_is_set_aside() {
        let dir = temp("rt");
        assert_eq!(State::load(&dir).expect("empty"), State::default());
        let state = State {
            pending: Some(Trial {
                version: "2.0.0".into(),
                previous_version: "1.0.0".into(),
                previous: dir.join("previous/app-1.0.0"),
                exe: dir.join("app"),
                health_timeout_ms: 5000,
            }),
            bad_versions: vec!["1.5.0".into()],
            last_good: Some("1.0.0".into()),
        };
        state.save(&dir).expect("save");
        assert_eq!(State::load(&dir).expect("load"), state);
        std::fs::write(State::path(&dir), b"{ not json").expect("corrupt");
        assert_eq!(
            State::load(&dir).expect("corrupt → empty"),
            State::default()
        );
        assert!(
            dir.join("state.json.corrupt").exists(),
            "kept for inspection"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn replace_executable_swaps_whole_files_and_marks_them_executable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp("swap");
        let (from, to) = (dir.join("new"), dir.join("app"));
        std::fs::write(&from, b"new binary").expect("new");
        std::fs::write(&to, b"old binary").expect("old");
        replace_executable(&from, &to).expect("swap");
        assert_eq!(std::fs::read(&to).expect("read"), b"new binary");
        let mode = std::fs::metadata(&to).expect("meta").permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "executable");
        // A missing source fails and leaves the target and no temp file.
        let err = replace_executable(&dir.join("missing"), &to).expect_err("no source");
        assert!(err.to_string().contains("missing"), "{err}");
        assert_eq!(std::fs::read(&to).expect("read"), b"new binary");
        let leftovers = std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("tk-restore"))
            .count();
        assert_eq!(leftovers, 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
