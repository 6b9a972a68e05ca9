//! The watchdog's rule, apart from the processes it watches: what it saw
//! and what it does about it.

use std::time::Duration;

use crate::state::Trial;

/// Clean exits before a confirmation, in a row, after which the version
/// counts as failed.
pub(crate) const MAX_CLEAN_EXITS: u32 = 5;

/// How a run on trial ended, as the watchdog saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seen {
    /// The marker: the version the run reports it is.
    Confirmed(String),
    /// It exited before confirming: `Some(code)`, or `None` for a signal.
    Exited(Option<i32>),
    /// The health deadline passed without a confirmation.
    Deadline,
}

/// What the watchdog does about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
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
pub(crate) fn decide(trial: &Trial, seen: &Seen) -> Verdict {
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

/// Two version strings name the same version (`v2.0.0` = `2.0.0`).
pub(crate) fn same_version(a: &str, b: &str) -> bool {
    match (crate::feed::parse_version(a), crate::feed::parse_version(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
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
}
