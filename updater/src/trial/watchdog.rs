//! The watchdog: the kept previous binary (known-good code), run with
//! `WATCHDOG_ENV`, that runs the new version on trial and keeps it or puts
//! the previous binary back.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::paths::{file_id, marker, trial_lock, STATE_ENV, TRIAL_ENV, WATCHDOG_ENV};
use super::verdict::{decide, Seen, Verdict};
use crate::state::{replace_executable, Lock, State, Trial};

/// How many kept previous binaries survive a confirmed update.
pub(crate) const KEEP_PREVIOUS: usize = 2;

/// The watchdog: runs the trial and keeps or rolls back. Never returns.
pub(super) fn run(dir: &Path, exe: &Path) -> ! {
    std::env::remove_var(WATCHDOG_ENV);
    std::env::remove_var(STATE_ENV);
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let app = App { exe, args: &args };
    // Held until this process exits or execs (close-on-exec).
    let _lock = watch_lock(dir, &app);
    let trial = take_trial(dir, &app);
    let marker = marker(dir, &trial.version);
    // A run whose watchdog was killed may have confirmed already.
    if let Ok(running) = std::fs::read_to_string(&marker) {
        match decide(&trial, &Seen::Confirmed(running)) {
            Verdict::Keep => {
                close_good(dir, &trial, &marker);
                app.exec("confirmed by an earlier run")
            }
            Verdict::RollBack(why) => rollback(dir, &trial, &why, &args),
            Verdict::Neutral => {}
        }
    }
    let timeout = Duration::from_millis(trial.health_timeout_ms);
    tracing::info!(version = %trial.version, ?timeout, "watchdog: starting the new version on trial");
    let mut child = match Command::new(exe)
        .args(&args)
        .env(TRIAL_ENV, &trial.version)
        .spawn()
    {
        Ok(child) => child,
        Err(error) => rollback(dir, &trial, &format!("could not start: {error}"), &args),
    };
    let seen = watch(&mut child, &marker, Instant::now() + timeout);
    match decide(&trial, &seen) {
        Verdict::Keep => {
            close_good(dir, &trial, &marker);
            std::process::exit(0)
        }
        Verdict::Neutral => {
            close_neutral(dir, &trial);
            std::process::exit(0)
        }
        Verdict::RollBack(why) => {
            // Its own child, by pid; a no-op once it exited.
            let _ = child.kill();
            let _ = child.wait();
            rollback(dir, &trial, &why, &args)
        }
    }
}

/// The app the watchdog guards, and the arguments it was started with.
struct App<'a> {
    exe: &'a Path,
    args: &'a [OsString],
}

impl App<'_> {
    /// Runs the installed app in this process, off trial. Never returns.
    fn exec(&self, why: &str) -> ! {
        tracing::info!(why, "watchdog: starting the app without a trial");
        let error = Command::new(self.exe)
            .args(self.args)
            .env_remove(TRIAL_ENV)
            .exec();
        tracing::error!(%error, exe = %self.exe.display(), why, "could not start the app");
        std::process::exit(1)
    }
}

/// `trial.lock`, for the watchdog's whole life; without it (another
/// watchdog runs this trial, or the lock is unusable) the app runs off
/// trial instead.
fn watch_lock(dir: &Path, app: &App<'_>) -> Lock {
    let me = std::process::id();
    match Lock::try_acquire(&trial_lock(dir)) {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            let _ = State::update(dir, |s| {
                if let Some(t) = s.pending.as_mut().filter(|t| t.handover_pid == Some(me)) {
                    t.handover_pid = None;
                }
            });
            app.exec("another watchdog runs this trial")
        }
        Err(error) => {
            tracing::error!(%error, "watchdog: trial lock unusable");
            app.exec("trial lock unusable")
        }
    }
}

/// The pending trial, its handover acknowledged; the app runs off trial if
/// there is none, or if its executable was replaced since the install.
fn take_trial(dir: &Path, app: &App<'_>) -> Trial {
    let trial = match State::update(dir, |s| {
        let t = s.pending.as_mut()?;
        t.handover_pid = None;
        Some(t.clone())
    }) {
        Ok(Some(trial)) => trial,
        Ok(None) => app.exec("no trial pending"),
        Err(error) => {
            tracing::error!(%error, "watchdog: state unusable");
            app.exec("state unusable")
        }
    };
    if trial.installed_file.is_some() && file_id(app.exe) != trial.installed_file {
        tracing::warn!(version = %trial.version, exe = %app.exe.display(),
            "watchdog: the executable was replaced since the update was installed; dropping the trial");
        let _ = State::update(dir, |s| {
            if s.pending.as_ref().is_some_and(|t| t.same_install(&trial)) {
                s.pending = None;
            }
        });
        app.exec("replaced since the install")
    }
    trial
}

/// Watches the run on trial until it confirms, exits or misses `deadline`
/// (then it is killed). The marker is read last in each case: a run that
/// confirmed and then exited, or confirmed just at the deadline, counts as
/// confirmed.
fn watch(child: &mut Child, marker: &Path, deadline: Instant) -> Seen {
    use std::os::unix::process::ExitStatusExt;
    loop {
        if let Ok(running) = std::fs::read_to_string(marker) {
            return Seen::Confirmed(running);
        }
        match child.try_wait() {
            Ok(Some(status)) => {
                if let Ok(running) = std::fs::read_to_string(marker) {
                    return Seen::Confirmed(running); // confirmed, then exited
                }
                let code = status.code();
                if code.is_none() {
                    tracing::warn!(signal = ?status.signal(), "watchdog: the trial was killed");
                }
                return Seen::Exited(code);
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "watchdog: wait failed"),
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            if let Ok(running) = std::fs::read_to_string(marker) {
                return Seen::Confirmed(running);
            }
            return Seen::Deadline;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A clean quit before confirming: counted, and the trial goes on at the
/// next launch.
fn close_neutral(dir: &Path, trial: &Trial) {
    tracing::info!(version = %trial.version, "watchdog: the version on trial quit before confirming; the trial goes on at the next launch");
    if let Err(error) = State::update(dir, |s| {
        if let Some(t) = s.pending.as_mut().filter(|t| t.same_install(trial)) {
            t.clean_exits += 1;
            t.handover_pid = None;
        }
    }) {
        tracing::error!(%error, "watchdog: could not record the clean exit");
    }
}

fn close_good(dir: &Path, trial: &Trial, marker: &Path) {
    tracing::info!(version = %trial.version, "watchdog: new version confirmed healthy");
    if let Err(error) = State::update(dir, |s| {
        if s.pending.as_ref().is_some_and(|t| t.same_install(trial)) {
            s.pending = None;
        }
        s.last_good = Some(trial.version.clone());
    }) {
        tracing::error!(%error, "watchdog: could not record the confirmation");
    }
    let _ = std::fs::remove_file(marker);
    match crate::state::prune_previous(dir, KEEP_PREVIOUS, &[]) {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "pruned older kept binaries"),
        Err(error) => tracing::warn!(%error, "could not prune kept binaries"),
    }
}

fn rollback(dir: &Path, trial: &Trial, why: &str, args: &[OsString]) -> ! {
    tracing::error!(version = %trial.version, why, "watchdog: rolling back to {}", trial.previous_version);
    eprintln!(
        "traykit-updater: version {} {why}; rolling back to {}",
        trial.version, trial.previous_version
    );
    let restored = replace_executable(&trial.previous, &trial.exe);
    if let Err(error) = State::update(dir, |s| {
        if s.pending.as_ref().is_some_and(|t| t.same_install(trial)) {
            s.pending = None;
        }
        if !s.bad_versions.contains(&trial.version) {
            s.bad_versions.push(trial.version.clone());
        }
    }) {
        tracing::error!(%error, "watchdog: could not record the rollback");
    }
    let _ = std::fs::remove_file(marker(dir, &trial.version));
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
