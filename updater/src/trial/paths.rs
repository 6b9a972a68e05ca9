//! Where a trial leaves its marks: the environment variables that tell a
//! process its role, the health marker and the trial lock, and the file
//! identity that tells whether the installed executable is still the one
//! installed.

use std::path::{Path, PathBuf};

use crate::error::UpdateError;

/// Set in the watchdog's environment to the executable it guards.
pub(crate) const WATCHDOG_ENV: &str = "TRAYKIT_UPDATER_WATCHDOG";

/// Set in the environment of a version on trial, to that version.
pub(crate) const TRIAL_ENV: &str = "TRAYKIT_UPDATER_TRIAL";

/// Set in the watchdog's environment to the state directory: the kept
/// binary has another file name, so it cannot derive the directory itself.
pub(crate) const STATE_ENV: &str = "TRAYKIT_UPDATER_STATE";

/// The running executable's path, as a path on disk (Linux appends
/// ` (deleted)` to `/proc/self/exe` once the file was replaced).
pub(crate) fn current_exe() -> Result<PathBuf, UpdateError> {
    let exe = std::env::current_exe()
        .map_err(|e| UpdateError::io("locate", Path::new("/proc/self/exe"), e))?;
    let text = exe.to_string_lossy();
    Ok(match text.strip_suffix(" (deleted)") {
        Some(path) => PathBuf::from(path),
        None => exe,
    })
}

pub(super) fn trial_lock(dir: &Path) -> PathBuf {
    dir.join("trial.lock")
}

/// (device, inode) of `path`.
pub(super) fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Marker the trial writes when healthy; it holds the trial's own version.
pub(super) fn marker(dir: &Path, version: &str) -> PathBuf {
    dir.join(format!("healthy-{version}"))
}

/// Confirms the running trial `trial_version` is healthy (the code running
/// is `running`). The watchdog closes the trial when it sees this.
pub(crate) fn confirm(dir: &Path, trial_version: &str, running: &str) -> Result<(), UpdateError> {
    crate::state::write_atomic(&marker(dir, trial_version), running.as_bytes())
}
