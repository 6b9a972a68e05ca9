//! What the updater remembers across runs, in the state directory:
//!
//! - `state.json`: the pending trial and the last good version, always
//!   replaced atomically (temporary file, fsync, rename), and only by
//!   [`State::update`]: a read-modify-write under `state.lock`, so two
//!   processes (two watchdogs, a watchdog and a launch) never write back a
//!   stale copy over each other's changes.
//! - `bad-versions`: the versions rolled back, one per line, only ever
//!   appended (and fsynced). It is kept apart so that a corrupt
//!   `state.json` — set aside as `state.json.corrupt` and logged — never
//!   loses the list; a torn or garbled line loses only itself.
//!
//! **Invariant:** a version once listed as bad stays listed.

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
    /// The installed file (device, inode) right after the swap. Another
    /// file at the trial's start means someone else (a package manager)
    /// replaced the executable since: the trial is dropped, nothing rolled
    /// back over their file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_file: Option<(u64, u64)>,
    /// The process that is handing over to the watchdog (the kept previous
    /// binary), until the watchdog acknowledges it. Still set while that
    /// process is gone means the previous binary died before it could
    /// watch: the trial is then dropped and the installed version runs,
    /// rather than every launch handing over to a binary that cannot start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover_pid: Option<u32>,
    /// Clean exits (status 0) before a confirmation, in a row.
    #[serde(default)]
    pub clean_exits: u32,
}

impl Trial {
    /// The same install (whatever its counters say).
    pub fn same_install(&self, other: &Trial) -> bool {
        self.version == other.version
            && self.previous == other.previous
            && self.exe == other.exe
            && self.installed_file == other.installed_file
    }
}

/// The state file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// An installed update that has not confirmed yet.
    #[serde(default)]
    pub pending: Option<Trial>,
    /// Versions that were rolled back: never offered again. Loaded from
    /// `bad-versions` and (as older versions wrote it) `state.json`; a
    /// version added here in [`State::update`] is appended to `bad-versions`.
    #[serde(default)]
    pub bad_versions: Vec<String>,
    /// The last version that confirmed its health.
    #[serde(default)]
    pub last_good: Option<String>,
}

/// An exclusive `flock` on a file in the state directory, released when
/// dropped (or when the process ends or `exec`s: the descriptor is
/// close-on-exec).
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] std::fs::File);

fn open_lock(path: &Path) -> Result<std::fs::File, UpdateError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| UpdateError::io("create", dir, e))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| UpdateError::io("open", path, e))
}

impl Lock {
    /// Waits for the lock.
    pub fn acquire(path: &Path) -> Result<Lock, UpdateError> {
        let file = open_lock(path)?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| UpdateError::io("lock", path, e.into()))?;
        Ok(Lock(file))
    }

    /// Takes the lock if it is free. `Ok(None)`: another process holds it.
    pub fn try_acquire(path: &Path) -> Result<Option<Lock>, UpdateError> {
        let file = open_lock(path)?;
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Some(Lock(file))),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(None),
            Err(e) => Err(UpdateError::io("lock", path, e.into())),
        }
    }
}

impl State {
    /// The file's path in `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("state.json")
    }

    /// The append-only list of bad versions in `dir`.
    pub fn bad_versions_path(dir: &Path) -> PathBuf {
        dir.join("bad-versions")
    }

    /// Loads the state (empty if there is none). A corrupt `state.json` is
    /// set aside as `state.json.corrupt`, logged, and treated as empty — the
    /// updater must never brick the app — but the bad versions survive it,
    /// in their own file.
    pub fn load(dir: &Path) -> Result<State, UpdateError> {
        let path = Self::path(dir);
        let mut state = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<State>(&bytes) {
                Ok(state) => state,
                Err(error) => {
                    let aside = path.with_extension("json.corrupt");
                    tracing::error!(%error, path = %path.display(), aside = %aside.display(),
                        "updater state unreadable; set aside, starting afresh (bad versions kept)");
                    let _ = std::fs::rename(&path, &aside);
                    State::default()
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(UpdateError::io("read", &path, e)),
        };
        for version in read_bad_versions(dir)? {
            if !state.bad_versions.contains(&version) {
                state.bad_versions.push(version);
            }
        }
        Ok(state)
    }

    /// Saves it atomically (bad versions included, as older versions read
    /// them from here). Prefer [`State::update`], which cannot lose
    /// another process's change.
    pub fn save(&self, dir: &Path) -> Result<(), UpdateError> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| UpdateError::Io {
            op: "serialise",
            path: Self::path(dir),
            reason: e.to_string(),
        })?;
        write_atomic(&Self::path(dir), &bytes)
    }

    /// Read-modify-write under `state.lock`: loads the state as it is now,
    /// lets `change` edit it, appends any new bad version to
    /// `bad-versions`, saves, and returns what `change` returned.
    pub fn update<T>(dir: &Path, change: impl FnOnce(&mut State) -> T) -> Result<T, UpdateError> {
        let _lock = Lock::acquire(&dir.join("state.lock"))?;
        let mut state = State::load(dir)?;
        let before = state.bad_versions.clone();
        let result = change(&mut state);
        for version in state.bad_versions.iter().filter(|v| !before.contains(v)) {
            append_bad_version(dir, version)?;
        }
        // Never dropped by an edit: the list only grows.
        for version in before {
            if !state.bad_versions.contains(&version) {
                state.bad_versions.push(version);
            }
        }
        state.save(dir)?;
        Ok(result)
    }
}

fn read_bad_versions(dir: &Path) -> Result<Vec<String>, UpdateError> {
    let path = State::bad_versions_path(dir);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(UpdateError::io("read", &path, e)),
    };
    let mut versions = Vec::new();
    // Only whole lines: a torn last append is not a version.
    let complete = match bytes.iter().rposition(|b| *b == b'\n') {
        Some(i) => &bytes[..=i],
        None => &[][..],
    };
    for line in complete.split(|b| *b == b'\n') {
        let text = String::from_utf8_lossy(line);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match crate::feed::parse_version(text) {
            Ok(_) => {
                if !versions.iter().any(|v| v == text) {
                    versions.push(text.to_owned());
                }
            }
            Err(error) => {
                tracing::error!(%error, line = %text.escape_debug(), path = %path.display(),
                    "unreadable line in the bad-version list; skipped, the others kept");
            }
        }
    }
    Ok(versions)
}

fn append_bad_version(dir: &Path, version: &str) -> Result<(), UpdateError> {
    let path = State::bad_versions_path(dir);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| UpdateError::io("open", &path, e))?;
    // One write of a whole line (a torn one is skipped on reading), and a
    // newline first in case the last append was torn.
    file.write_all(format!("\n{version}\n").as_bytes())
        .map_err(|e| UpdateError::io("append", &path, e))?;
    file.sync_all()
        .map_err(|e| UpdateError::io("sync", &path, e))
}

/// Removes kept previous binaries in `<dir>/previous/` beyond the newest
/// `keep` (by modification time), never one of `except`.
pub fn prune_previous(dir: &Path, keep: usize, except: &[&Path]) -> Result<usize, UpdateError> {
    let folder = dir.join("previous");
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(UpdateError::io("list", &folder, e)),
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file()
                .then(|| (meta.modified().unwrap_or(std::time::UNIX_EPOCH), e.path()))
        })
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    let mut removed = 0;
    for (_, path) in files.into_iter().skip(keep) {
        if except.iter().any(|e| *e == path) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "could not prune a previous binary")
            }
        }
    }
    Ok(removed)
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

    fn trial(dir: &Path) -> Trial {
        Trial {
            version: "2.0.0".into(),
            previous_version: "1.0.0".into(),
            previous: dir.join("previous/app-1.0.0"),
            exe: dir.join("app"),
            health_timeout_ms: 5000,
            installed_file: Some((1, 2)),
            handover_pid: None,
            clean_exits: 0,
        }
    }

    #[test]
    fn state_round_trips_and_a_corrupt_file_keeps_the_bad_versions() {
        let dir = temp("rt");
        assert_eq!(State::load(&dir).expect("empty"), State::default());
        State::update(&dir, |s| {
            s.pending = Some(trial(&dir));
            s.bad_versions.push("1.5.0".into());
            s.last_good = Some("1.0.0".into());
        })
        .expect("update");
        let state = State::load(&dir).expect("load");
        assert_eq!(state.pending, Some(trial(&dir)));
        assert_eq!(state.bad_versions, ["1.5.0"]);
        std::fs::write(State::path(&dir), b"{ not json").expect("corrupt");
        let after = State::load(&dir).expect("corrupt → afresh");
        assert_eq!(after.pending, None);
        assert_eq!(after.bad_versions, ["1.5.0"], "the bad list survives");
        assert!(
            dir.join("state.json.corrupt").exists(),
            "kept for inspection"
        );
        // A state.json from an older version (bad list inside) still counts.
        std::fs::write(State::path(&dir), br#"{"bad_versions":["0.9.0"]}"#).expect("old");
        assert_eq!(
            State::load(&dir).expect("load").bad_versions,
            ["0.9.0", "1.5.0"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn writers_never_lose_each_others_changes() {
        let dir = temp("rmw");
        State::update(&dir, |s| s.pending = Some(trial(&dir))).expect("pending");
        // A watchdog that loaded the state long ago…
        let stale = State::load(&dir).expect("load");
        // …while another process rolled a version back.
        State::update(&dir, |s| s.bad_versions.push("2.0.0".into())).expect("bad");
        // Its write is a change on what is there now, not its stale copy.
        assert!(stale.bad_versions.is_empty());
        State::update(&dir, |s| {
            s.pending = None;
            s.bad_versions.clear(); // even this cannot drop the list
        })
        .expect("close");
        let state = State::load(&dir).expect("load");
        assert_eq!(
            (state.pending, state.bad_versions),
            (None, vec!["2.0.0".to_owned()])
        );
        // Concurrent writers, each adding one: all land.
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let dir = dir.clone();
                std::thread::spawn(move || {
                    State::update(&dir, |s| s.bad_versions.push(format!("3.0.{i}")))
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread").expect("update");
        }
        assert_eq!(State::load(&dir).expect("load").bad_versions.len(), 9);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_torn_or_garbled_bad_list_loses_only_its_broken_lines() {
        let dir = temp("torn");
        std::fs::write(
            State::bad_versions_path(&dir),
            b"\n1.0.0\n\xff\xfegarbage\n\n2.0.0\n3.0",
        )
        .expect("list");
        assert_eq!(
            State::load(&dir).expect("load").bad_versions,
            ["1.0.0", "2.0.0"]
        );
        // The next append starts a fresh line after the torn one.
        State::update(&dir, |s| s.bad_versions.push("4.0.0".into())).expect("append");
        let again = State::load(&dir).expect("load");
        assert_eq!(again.bad_versions, ["1.0.0", "2.0.0", "4.0.0"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_the_newest_previous_binaries_are_kept() {
        let dir = temp("prune");
        let folder = dir.join("previous");
        std::fs::create_dir_all(&folder).expect("dir");
        let base = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for (i, name) in ["app-1.0.0", "app-1.1.0", "app-1.2.0", "app-2.0.0"]
            .iter()
            .enumerate()
        {
            let path = folder.join(name);
            std::fs::write(&path, name).expect("write");
            let file = std::fs::File::options()
                .write(true)
                .open(&path)
                .expect("open");
            file.set_modified(base + std::time::Duration::from_secs(60 * i as u64))
                .expect("mtime");
        }
        let keep_me = folder.join("app-1.0.0");
        let removed = prune_previous(&dir, 2, &[&keep_me]).expect("prune");
        assert_eq!(removed, 1);
        let mut left: Vec<String> = std::fs::read_dir(&folder)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["app-1.0.0", "app-1.2.0", "app-2.0.0"]);
        assert_eq!(prune_previous(&dir, 2, &[]).expect("prune"), 1);
        assert_eq!(prune_previous(&temp("none"), 2, &[]).expect("no folder"), 0);
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
