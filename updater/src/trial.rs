//! Install with rollback: the swap, the trial of the new version, and the
//! watchdog that restores the previous binary if the trial fails.
//!
//! 1. `install` copies the *running* binary (`/proc/self/exe`, so it is the
//!    code that runs even if the file was replaced since) to
//!    `<state>/previous/`, records a [`Trial`] in the state file, then swaps
//!    the new binary in atomically (`self_replace`). A failed swap clears the
//!    trial; the old binary is still in place.
//! 2. The next start of the executable — a restart now, or whenever the user
//!    starts it again — finds the trial pending and becomes the *watchdog*:
//!    it `exec`s the kept previous binary (known-good code) with
//!    `TRAYKIT_UPDATER_WATCHDOG` set. The watchdog runs the new executable
//!    with `TRAYKIT_UPDATER_TRIAL` and waits.
//! 3. The new version calls `confirm_healthy` (a marker file). Confirmed in
//!    time: the trial is closed, the watchdog exits, the app keeps running.
//!    It exits first, or the deadline passes: the watchdog kills it (its own
//!    child, by pid), puts the previous binary back (atomic rename), lists
//!    the version in `bad_versions`, and `exec`s the restored executable.
//!
//! A crash anywhere leaves either binary whole: every replacement is a
//! rename of a complete, fsynced file.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::UpdateError;
use crate::state::{replace_executable, State, Trial};

/// Set in the watchdog's environment to the executable it guards.
pub const WATCHDOG_ENV: &str = "TRAYKIT_UPDATER_WATCHDOG";
/// Set in the environment of a version on trial, to that version.
pub const TRIAL_ENV: &str = "TRAYKIT_UPDATER_TRIAL";
/// Set in the watchdog's environment to the state directory: the kept
/// binary has another file name, so it cannot derive the directory itself.
pub const STATE_ENV: &str = "TRAYKIT_UPDATER_STATE";

/// What this process is, as far as the updater is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A normal run.
    Normal,
    /// A new version on trial: it must confirm its health in time.
    Trial {
        /// The version being tried (as installed).
        version: String,
    },
}

/// The running executable's path, as a path on disk (Linux appends
/// ` (deleted)` to `/proc/self/exe` once the file was replaced).
pub fn current_exe() -> Result<PathBuf, UpdateError> {
    let exe = std::env::current_exe()
        .map_err(|e| UpdateError::io("locate", Path::new("/proc/self/exe"), e))?;
    let text = exe.to_string_lossy();
    Ok(match text.strip_suffix(" (deleted)") {
        Some(path) => PathBuf::from(path),
        None => exe,
    })
}

/// Decides this process's role at start-up. A process whose executable has
/// a trial pending `exec`s the watchdog and does not return; so does the
/// watchdog itself (it ends by exiting or by `exec`ing the app).
pub fn startup(dir: &Path) -> Role {
    if let Some(exe) = std::env::var_os(WATCHDOG_ENV) {
        let dir = std::env::var_os(STATE_ENV).map_or_else(|| dir.to_path_buf(), PathBuf::from);
        watchdog(&dir, Path::new(&exe));
    }
    if let Some(version) = std::env::var_os(TRIAL_ENV) {
        // Children of the app (the webview host) are not on trial.
        std::env::remove_var(TRIAL_ENV);
        return Role::Trial {
            version: version.to_string_lossy().into_owned(),
        };
    }
    let state = match State::load(dir) {
        Ok(state) => state,
        Err(error) => {
            tracing::warn!(%error, "updater state unreadable; no trial check");
            return Role::Normal;
        }
    };
    let (Some(trial), Ok(exe)) = (state.pending, current_exe()) else {
        return Role::Normal;
    };
    if !same_file(&trial.exe, &exe) || !trial.previous.exists() {
        return Role::Normal;
    }
    tracing::info!(version = %trial.version, "update on trial: handing over to the watchdog");
    let error = Command::new(&trial.previous)
        .args(std::env::args_os().skip(1))
        .env(WATCHDOG_ENV, &trial.exe)
        .env(STATE_ENV, dir)
        .exec();
    // The previous binary cannot run: run the new one untested rather than
    // not at all, and say so.
    tracing::error!(%error, previous = %trial.previous.display(), "could not start the watchdog");
    Role::Normal
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Marker the trial writes when healthy; it holds the trial's own version.
fn marker(dir: &Path, version: &str) -> PathBuf {
    dir.join(format!("healthy-{version}"))
}

/// Confirms the running trial `trial_version` is healthy (the code running
/// is `running`). The watchdog closes the trial when it sees this.
pub fn confirm(dir: &Path, trial_version: &str, running: &str) -> Result<(), UpdateError> {
    crate::state::write_atomic(&marker(dir, trial_version), running.as_bytes())
}

/// Installs `new_binary` (already verified) over the running executable,
/// keeping the running binary for a rollback. `current` is the running
/// version.
pub fn install(
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
    let mut state = State::load(dir)?;
    let trial = Trial {
        version: version.to_owned(),
        previous_version: current.to_owned(),
        previous,
        exe,
        health_timeout_ms: health_timeout.as_millis().try_into().unwrap_or(u64::MAX),
    };
    state.pending = Some(trial.clone());
    state.save(dir)?;
    if let Err(e) = self_replace::self_replace(new_binary) {
        state.pending = None;
        let _ = state.save(dir);
        return Err(UpdateError::io("replace", &trial.exe, e));
    }
    Ok(trial)
}

/// Starts the installed version now, through the watchdog (the kept
/// previous binary), so even a crash before its first line is caught. The
/// caller then quits.
pub fn spawn_trial(dir: &Path, trial: &Trial) -> Result<u32, UpdateError> {
    Command::new(&trial.previous)
        .args(std::env::args_os().skip(1))
        .env(WATCHDOG_ENV, &trial.exe)
        .env(STATE_ENV, dir)
        .env_remove(TRIAL_ENV)
        .spawn()
        .map(|child| child.id())
        .map_err(|e| UpdateError::io("start", &trial.previous, e))
}

/// The watchdog: runs the trial and keeps or rolls back. Never returns.
fn watchdog(dir: &Path, exe: &Path) -> ! {
    std::env::remove_var(WATCHDOG_ENV);
    std::env::remove_var(STATE_ENV);
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let exec_app = |why: &str| -> ! {
        let error = Command::new(exe).args(&args).env_remove(TRIAL_ENV).exec();
        tracing::error!(%error, exe = %exe.display(), why, "could not start the app");
        std::process::exit(1)
    };
    let mut state = match State::load(dir) {
        Ok(state) => state,
        Err(error) => {
            tracing::error!(%error, "watchdog: state unreadable");
            exec_app("state unreadable")
        }
    };
    let Some(trial) = state.pending.clone() else {
        exec_app("no trial pending")
    };
    let marker = marker(dir, &trial.version);
    let _ = std::fs::remove_file(&marker);
    let timeout = Duration::from_millis(trial.health_timeout_ms);
    tracing::info!(version = %trial.version, ?timeout, "watchdog: starting the new version on trial");
    let mut child = match Command::new(exe)
        .args(&args)
        .env(TRIAL_ENV, &trial.version)
        .spawn()
    {
        Ok(child) => child,
        Err(error) => rollback(
            dir,
            &mut state,
            &trial,
            &format!("could not start: {error}"),
            &args,
        ),
    };
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(running) = std::fs::read_to_string(&marker) {
            let _ = std::fs::remove_file(&marker);
            state.pending = None;
            if running.trim() == trial.version {
                state.last_good = Some(trial.version.clone());
                tracing::info!(version = %trial.version, "watchdog: new version confirmed healthy");
            } else {
                // The swap never happened (the old code confirmed).
                tracing::warn!(
                    running = running.trim(),
                    "watchdog: the version on trial was not the one installed"
                );
            }
            if let Err(error) = state.save(dir) {
                tracing::error!(%error, "watchdog: could not record the confirmation");
            }
            std::process::exit(0);
        }
        match child.try_wait() {
            Ok(Some(status)) => {
                if marker.exists() {
                    continue; // confirmed, then exited: handled above
                }
                rollback(
                    dir,
                    &mut state,
                    &trial,
                    &format!("exited ({status}) before confirming its health"),
                    &args,
                )
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "watchdog: wait failed"),
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            if marker.exists() {
                continue;
            }
            rollback(
                dir,
                &mut state,
                &trial,
                &format!("did not confirm its health within {timeout:?}"),
                &args,
            )
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rollback(
    dir: &Path,
    state: &mut State,
    trial: &Trial,
    why: &str,
    args: &[std::ffi::OsString],
) -> ! {
    tracing::error!(version = %trial.version, why, "watchdog: rolling back to {}", trial.previous_version);
    eprintln!(
        "traykit-updater: version {} {why}; rolling back to {}",
        trial.version, trial.previous_version
    );
    let restored = replace_executable(&trial.previous, &trial.exe);
    state.pending = None;
    if !state.bad_versions.contains(&trial.version) {
        state.bad_versions.push(trial.version.clone());
    }
    if let Err(error) = state.save(dir) {
        tracing::error!(%error, "watchdog: could not record the rollback");
    }
    let target = match &restored {
        Ok(()) => trial.exe.clone(),
        Err(error) => {
            // Run the kept copy directly: the app keeps working.
            tracing::error!(%error, "watchdog: could not restore the previous binary");
            trial.previous.clone()
        }
    };
    let error = Command::new(&target)
        .args(args)
        .env_remove(TRIAL_ENV)
        .exec();
    tracing::error!(%error, "watchdog: could not start the restored version");
    std::process::exit(1)
}
