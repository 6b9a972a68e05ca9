//! Install with rollback: the swap, the trial of the new version, and the
//! watchdog that restores the previous binary if the trial fails.
//!
//! 1. `install` copies the *running* binary (`/proc/self/exe`, so it is the
//!    code that runs even if the file was replaced since) to
//!    `<state>/previous/`, records a [`Trial`](crate::state::Trial) in the
//!    state file, then swaps the new binary in atomically (`self_replace`).
//!    A failed swap clears the trial; the old binary is still in place.
//! 2. The next start of the executable — a restart now, or whenever the user
//!    starts it again — finds the trial pending and becomes the *watchdog*:
//!    it `exec`s the kept previous binary (known-good code) with
//!    `TRAYKIT_UPDATER_WATCHDOG` set. The watchdog takes `trial.lock` for
//!    its whole life and runs the new executable with
//!    `TRAYKIT_UPDATER_TRIAL`.
//! 3. The new version calls `confirm_healthy` (a marker file holding the
//!    version it runs). The watchdog decides ([`decide`]):
//!    - confirmed as the installed version: the trial is closed as good,
//!      older kept binaries are pruned, the watchdog exits, the app runs on;
//!    - confirmed (or started) as *another* version, a crash (non-zero exit
//!      or a signal) before confirming, or the deadline passed: the watchdog
//!      kills it (its own child, by pid), puts the previous binary back
//!      (atomic rename), lists the version as bad, and `exec`s the restored
//!      executable;
//!    - a clean exit (status 0) before confirming — the user quit, or a
//!      second instance handed over — ends this run *neutrally*: the trial
//!      stays pending and runs again at the next launch, with a new
//!      deadline. After [`MAX_CLEAN_EXITS`](verdict::MAX_CLEAN_EXITS) of those in a row the version
//!      counts as failed: one that never gets to confirm does not work.
//!
//! A launch while a watchdog holds `trial.lock` does not touch the trial: it
//! runs the installed version normally (a single-instance app hands over to
//! the one on trial). A confirmation whose watchdog was killed still counts:
//! the next watchdog finds the marker and closes the trial as good. If the
//! kept previous binary cannot start as the watchdog, the next launch drops
//! the trial and runs what is installed ([`Trial::handover_pid`](crate::state::Trial::handover_pid)).
//!
//! A crash anywhere leaves either binary whole: every replacement is a
//! rename of a complete, fsynced file.
//!
//! The parts: `paths` (the environment variables and files a trial leaves),
//! `verdict` (the watchdog's rule, pure), `install` (the swap), `handover`
//! (a start that passes the trial to its watchdog) and `watchdog`.

mod handover;
mod install;
mod paths;
mod verdict;
mod watchdog;

use std::path::{Path, PathBuf};

pub(crate) use install::{install, spawn_trial};
pub(crate) use paths::{confirm, current_exe, STATE_ENV, TRIAL_ENV, WATCHDOG_ENV};
pub(crate) use verdict::same_version;

/// What this process is, as far as the updater is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role {
    /// A normal run.
    Normal,
    /// A new version on trial: it must confirm its health in time.
    Trial {
        /// The version being tried (as installed).
        version: String,
    },
}

/// Decides this process's role at start-up. A process whose executable has
/// a trial pending `exec`s the watchdog and does not return; so does the
/// watchdog itself (it ends by exiting or by `exec`ing the app).
pub(crate) fn startup(dir: &Path) -> Role {
    if let Some(exe) = std::env::var_os(WATCHDOG_ENV) {
        let dir = std::env::var_os(STATE_ENV).map_or_else(|| dir.to_path_buf(), PathBuf::from);
        watchdog::run(&dir, Path::new(&exe));
    }
    if let Some(version) = std::env::var_os(TRIAL_ENV) {
        // Children of the app (the webview host) are not on trial.
        std::env::remove_var(TRIAL_ENV);
        return Role::Trial {
            version: version.to_string_lossy().into_owned(),
        };
    }
    if let Some(trial) = handover::pending_trial(dir) {
        if handover::claim(dir, &trial) {
            handover::exec_watchdog(dir, &trial);
        }
    }
    Role::Normal
}

/// At the start of a run on trial: a build that is not the version it was
/// installed as (a relabelled artifact) says so at once, so its watchdog
/// rolls it back without waiting for the deadline.
pub(crate) fn report_start(dir: &Path, role: &Role, running: &str) {
    let Role::Trial { version } = role else {
        return;
    };
    if same_version(version, running) {
        return;
    }
    tracing::error!(installed_as = %version, running, "this build is not the version it was installed as");
    if let Err(error) = confirm(dir, version, running) {
        tracing::error!(%error, "could not report the version to the watchdog");
    }
}

#[cfg(test)]
mod tests {
    use super::paths::marker;
    use super::*;

    #[test]
    fn a_start_as_another_version_is_reported_at_once() {
        let dir = std::env::temp_dir().join(format!("tk-trial-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let role = Role::Trial {
            version: "9.0.0".into(),
        };
        report_start(&dir, &Role::Normal, "1.0.0");
        report_start(&dir, &role, "9.0.0");
        assert!(!marker(&dir, "9.0.0").exists(), "nothing to report");
        report_start(&dir, &role, "1.0.0");
        let running = std::fs::read_to_string(marker(&dir, "9.0.0")).expect("reported");
        assert_eq!(running, "1.0.0");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
