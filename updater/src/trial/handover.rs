//! A start of the executable while its trial is pending: it passes the
//! trial to the watchdog (the kept previous binary), unless a watchdog or
//! another launch already has it.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use super::paths::{current_exe, trial_lock, STATE_ENV, WATCHDOG_ENV};
use crate::state::{Lock, State, Trial};

/// The trial pending for this very executable, if no watchdog runs it now.
pub(super) fn pending_trial(dir: &Path) -> Option<Trial> {
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
pub(super) fn claim(dir: &Path, trial: &Trial) -> bool {
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
pub(super) fn exec_watchdog(dir: &Path, trial: &Trial) {
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

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
