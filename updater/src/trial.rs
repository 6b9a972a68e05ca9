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
//!      deadline. After [`MAX_CLEAN_EXITS`] of those in a row the version
//!      counts as failed: one that never gets to confirm does not work.
//!
//! A launch while a watchdog holds `trial.lock` does not touch the trial: it
//! runs the installed version normally (a single-instance app hands over to
//! the one on trial). A confirmation whose watchdog was killed still counts:
//! the next watchdog finds the marker and closes the trial as good. If the
//! kept previous binary cannot start as the watchdog, the next launch drops
//! the trial and runs what is installed ([`Trial::handover_pid`]).
//!
//! A crash anywhere leaves either binary whole: every replacement is a
//! rename of a complete, fsynced file.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::error::UpdateError;
use crate::state::{replace_executable, Lock, State, Trial};

/// Clean exits before a confirmation, in a row, after which the version
/// counts as failed.
pub const MAX_CLEAN_EXITS: u32 = 5;

/// How many kept previous binaries survive a confirmed update.
pub const KEEP_PREVIOUS: usize = 2;

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
    if let Some(trial) = pending_trial(dir) {
        if claim_handover(dir, &trial) {
            hand_over(dir, &trial);
        }
    }
    Role::Normal
}

/// The trial pending for this very executable, if no watchdog runs it now.
fn pending_trial(dir: &Path) -> Option<Trial> {
    let state = match State::load(dir) {
        Ok(state) => state,
        Err(error) => {
            tracing::warn!(%error, "updater state unreadable; no trial check");
            return None;
        }
    };
    let (Some(trial), Ok(exe)) = (state.pending, current_exe()) else {
        return None;
    };
    if !same_file(&trial.exe, &exe) || !trial.previous.exists() {
        return None;
    }
    // Only a probe: the watchdog takes the lock for good.
    match Lock::try_acquire(&trial_lock(dir)) {
        Ok(Some(_free)) => Some(trial),
        Ok(None) => {
            // A watchdog runs this trial now: leave it alone.
            tracing::info!(version = %trial.version, "an update is on trial under its watchdog; starting normally");
            None
        }
        Err(error) => {
            tracing::warn!(%error, "trial lock unusable; no trial check");
            None
        }
    }
}

/// Records this process as the one handing the trial over to its
/// watchdog; false if another launch does, or the handover is off.
fn claim_handover(dir: &Path, trial: &Trial) -> bool {
    let me = std::process::id();
    let decision = State::update(dir, |s| {
        let Some(t) = s.pending.as_mut().filter(|t| t.same_install(trial)) else {
            return Handover::Gone;
        };
        match t.handover_pid {
            Some(pid) if pid != me && alive(pid) => Handover::Busy,
            Some(pid) if pid != me => {
                // It handed over and the previous binary never got to
                // watching: do not hand every launch to a binary that dies.
                s.pending = None;
                Handover::Abandoned
            }
            _ => {
                t.handover_pid = Some(me);
                Handover::Go
            }
        }
    });
    match decision {
        Ok(Handover::Go) => true,
        Ok(Handover::Gone) => false,
        Ok(Handover::Busy) => {
            tracing::info!(version = %trial.version, "another launch is handing over to the watchdog; starting normally");
            false
        }
        Ok(Handover::Abandoned) => {
            tracing::error!(version = %trial.version, previous = %trial.previous.display(),
                "the kept previous version did not start as the watchdog; running the installed version without a trial");
            false
        }
        Err(error) => {
            tracing::warn!(%error, "could not record the handover; no trial check");
            false
        }
    }
}

/// `exec`s the kept previous binary as the watchdog; returns only if it
/// cannot run, with the trial dropped.
fn hand_over(dir: &Path, trial: &Trial) {
    tracing::info!(version = %trial.version, "update on trial: handing over to the watchdog");
    let error = Command::new(&trial.previous)
        .args(std::env::args_os().skip(1))
        .env(WATCHDOG_ENV, &trial.exe)
        .env(STATE_ENV, dir)
        .exec();
    // The previous binary cannot run: run the new one untested rather than
    // not at all, and say so.
    tracing::error!(%error, previous = %trial.previous.display(), "could not start the watchdog; running the installed version without a trial");
    let _ = State::update(dir, |s| {
        if s.pending.as_ref().is_some_and(|t| t.same_install(trial)) {
            s.pending = None;
        }
    });
}

enum Handover {
    Go,
    Gone,
    Busy,
    Abandoned,
}

/// Whether process `pid` runs (a zombie does not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X")
        })
        .unwrap_or(false)
}

fn trial_lock(dir: &Path) -> PathBuf {
    dir.join("trial.lock")
}

/// (device, inode) of `path`.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Two version strings name the same version (`v2.0.0` = `2.0.0`).
pub fn same_version(a: &str, b: &str) -> bool {
    match (crate::feed::parse_version(a), crate::feed::parse_version(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

/// At the start of a run on trial: a build that is not the version it was
/// installed as (a relabelled artifact) says so at once, so its watchdog
/// rolls it back without waiting for the deadline.
pub fn report_start(dir: &Path, role: &Role, running: &str) {
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
pub fn spawn_trial(dir: &Path, trial: &Trial) -> Result<u32, UpdateError> {
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

/// How a run on trial ended, as the watchdog saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// The marker: the version the run reports it is.
    Confirmed(String),
    /// It exited before confirming: `Some(code)`, or `None` for a signal.
    Exited(Option<i32>),
    /// The health deadline passed without a confirmation.
    Deadline,
}

/// What the watchdog does about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Close the trial: the version is good.
    Keep,
    /// Leave the trial pending for the next launch (a clean quit).
    Neutral,
    /// Restore the previous binary and list the version as bad.
    RollBack(String),
}

/// The watchdog's rule. Only the new version itself failing — a crash, a
/// missed deadline, or reporting another version than the one installed —
/// rolls back; a clean exit is neutral up to [`MAX_CLEAN_EXITS`] in a row.
pub fn decide(trial: &Trial, seen: &Seen) -> Verdict {
    match seen {
        Seen::Confirmed(running) if same_version(running, &trial.version) => Verdict::Keep,
        Seen::Confirmed(running) => Verdict::RollBack(format!(
            "reports version {}, not the {} it was installed as (a relabelled build)",
            running.trim(),
            trial.version
        )),
        Seen::Exited(Some(0)) if trial.clean_exits + 1 < MAX_CLEAN_EXITS => Verdict::Neutral,
        Seen::Exited(Some(0)) => Verdict::RollBack(format!(
            "quit {MAX_CLEAN_EXITS} times in a row without confirming its health"
        )),
        Seen::Exited(Some(code)) => Verdict::RollBack(format!(
            "exited with status {code} before confirming its health"
        )),
        Seen::Exited(None) => {
            Verdict::RollBack("was killed by a signal before confirming its health".into())
        }
        Seen::Deadline => Verdict::RollBack(format!(
            "did not confirm its health within {:?}",
            Duration::from_millis(trial.health_timeout_ms)
        )),
    }
}

/// The watchdog: runs the trial and keeps or rolls back. Never returns.
fn watchdog(dir: &Path, exe: &Path) -> ! {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(clean_exits: u32) -> Trial {
        Trial {
            version: "2.0.0".into(),
            previous_version: "1.0.0".into(),
            previous: "/s/previous/app-1.0.0".into(),
            exe: "/bin/app".into(),
            health_timeout_ms: 1000,
            installed_file: None,
            handover_pid: None,
            clean_exits,
        }
    }

    #[test]
    fn only_the_new_version_failing_rolls_back() {
        let t = trial(0);
        let rolls_back = |seen: Seen| matches!(decide(&t, &seen), Verdict::RollBack(_));
        assert_eq!(decide(&t, &Seen::Confirmed("2.0.0".into())), Verdict::Keep);
        assert_eq!(
            decide(&t, &Seen::Confirmed("v2.0.0\n".into())),
            Verdict::Keep
        );
        // The user quit, or a second instance handed over: neutral.
        assert_eq!(decide(&t, &Seen::Exited(Some(0))), Verdict::Neutral);
        assert!(rolls_back(Seen::Exited(Some(1))));
        assert!(rolls_back(Seen::Exited(Some(101))), "a panic");
        assert!(rolls_back(Seen::Exited(None)), "a signal (abort, kill)");
        assert!(rolls_back(Seen::Deadline));
        // An old build relabelled as 2.0.0 that confirms as itself.
        let Verdict::RollBack(why) = decide(&t, &Seen::Confirmed("1.0.0".into())) else {
            panic!("a relabelled build is kept");
        };
        assert!(why.contains("reports version 1.0.0"), "{why}");
        // Quitting every time without confirming ends as a failure.
        let worn = trial(MAX_CLEAN_EXITS - 1);
        assert!(matches!(
            decide(&worn, &Seen::Exited(Some(0))),
            Verdict::RollBack(_)
        ));
        assert_eq!(
            decide(&worn, &Seen::Confirmed("2.0.0".into())),
            Verdict::Keep
        );
    }

    #[test]
    fn versions_compare_as_semver() {
        assert!(same_version("2.0.0", "v2.0.0"));
        assert!(same_version(" 2.0.0\n", "2.0.0"));
        assert!(!same_version("1.0.0", "9.0.0"));
        assert!(!same_version("2.0.0-beta.1", "2.0.0"));
    }

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
