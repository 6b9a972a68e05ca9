//! The swap: the running binary kept for a rollback, the trial recorded,
//! the new binary renamed in; and a restart through the watchdog.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::paths::{current_exe, file_id, marker, STATE_ENV, TRIAL_ENV, WATCHDOG_ENV};
use crate::error::UpdateError;
use crate::state::{replace_executable, State, Trial};

/// Installs `new_binary` (already verified) over the running executable,
/// keeping the running binary for a rollback. `current` is the running
/// version.
pub(crate) fn install(
    dir: &Path,
    new_binary: &Path,
    version: &str,
    current: &str,
    health_timeout: Duration,
) -> Result<Trial, UpdateError> {
    let exe = current_exe()?;
    let name = exe
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "app".into());
    let previous = dir.join("previous").join(format!("{name}-{current}"));
    std::fs::create_dir_all(dir.join("previous"))
        .map_err(|e| UpdateError::io("create", &dir.join("previous"), e))?;
    // The code that runs now, even if the file on disk changed since.
    replace_executable(Path::new("/proc/self/exe"), &previous)?;
    // A marker left from an earlier trial of this version is not this one's.
    let _ = std::fs::remove_file(marker(dir, version));
    let mut trial = Trial {
        version: version.to_owned(),
        previous_version: current.to_owned(),
        previous,
        exe,
        health_timeout_ms: health_timeout.as_millis().try_into().unwrap_or(u64::MAX),
        installed_file: None,
        handover_pid: None,
        clean_exits: 0,
    };
    State::update(dir, |s| s.pending = Some(trial.clone()))?;
    if let Err(e) = self_replace::self_replace(new_binary) {
        let _ = State::update(dir, |s| s.pending = None);
        return Err(UpdateError::io("replace", &trial.exe, e));
    }
    let pending = trial.clone();
    trial.installed_file = file_id(&trial.exe);
    let recorded = trial.clone();
    State::update(dir, |s| {
        if s.pending.as_ref().is_some_and(|t| t.same_install(&pending)) {
            s.pending = Some(recorded);
        }
    })?;
    Ok(trial)
}

/// Starts the installed version now, through the watchdog (the kept
/// previous binary), so even a crash before its first line is caught. The
/// caller then quits.
pub(crate) fn spawn_trial(dir: &Path, trial: &Trial) -> Result<u32, UpdateError> {
    // Recorded before the spawn (the watchdog clears it when it starts): if
    // the previous binary cannot start, the next launch finds this process
    // gone and the handover unacknowledged.
    let me = std::process::id();
    State::update(dir, |s| {
        if let Some(t) = s.pending.as_mut().filter(|t| t.same_install(trial)) {
            t.handover_pid = Some(me);
        }
    })?;
    Command::new(&trial.previous)
        .args(std::env::args_os().skip(1))
        .env(WATCHDOG_ENV, &trial.exe)
        .env(STATE_ENV, dir)
        .env_remove(TRIAL_ENV)
        .spawn()
        .map(|child| child.id())
        .map_err(|e| UpdateError::io("start", &trial.previous, e))
}
