//! Logging with the desk_helper example (`.logging(LogOptions::default())`):
//! lines go to stderr and to `$XDG_STATE_HOME/desk-helper/logs/`, the level
//! comes from `TRAYKIT_LOG` over `RUST_LOG`, and a real page's `log.write`
//! (and a `--ctl log.write`) land in the file with their window.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::bus::Bus;
use support::desktop::Home;
use support::watcher::Watcher;
use support::{eventually, example};

const T: Duration = Duration::from_secs(20);

fn log_file(home: &Home) -> Option<PathBuf> {
    let dir = home.state.0.join("desk-helper/logs");
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.starts_with("desk-helper.") && name.ends_with(".log")
        })
}

/// Waits until the log file has a line containing every needle.
fn wait_log_line(home: &Home, needles: &[&str]) -> String {
    eventually(T, || {
        let text = std::fs::read_to_string(log_file(home)?).ok()?;
        text.lines()
            .find(|l| needles.iter().all(|n| l.contains(n)))
            .map(str::to_owned)
    })
    .unwrap_or_else(|| {
        let text = log_file(home).and_then(|f| std::fs::read_to_string(f).ok());
        panic!(
            "no log line with {needles:?} in:\n{}",
            text.unwrap_or_default()
        )
    })
}

#[test]
fn stderr_and_a_file_with_env_levels_and_page_lines() {
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let home = Home::new();
    let binary = example("desk_helper");

    let mut app = home.spawn(&binary, &bus, &["--no-shortcut"]);
    assert_eq!(watcher.wait_items(1, T).len(), 1);
    app.wait_line("ready:", T).expect("ready");

    // A short-lived second launch logs its hand-off, on stderr and in the
    // file (INFO passes RUST_LOG=info)…
    let out = home.run(&binary, Some(&bus), &["one"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("handed over to the running instance"),
        "{stderr}"
    );
    wait_log_line(&home, &["INFO", "handed over to the running instance"]);
    // …and TRAYKIT_LOG wins over RUST_LOG.
    let out = home.run_env(&binary, Some(&bus), &["two"], &[("TRAYKIT_LOG", "warn")]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("handed over"),
        "TRAYKIT_LOG=warn hides INFO: {stderr}"
    );

    // A page logs through IPC: the settings page writes a line when it loads.
    let open = home.run(&binary, None, &["--ctl", "window.open", "label=settings"]);
    assert!(
        open.status.success(),
        "{}",
        String::from_utf8_lossy(&open.stderr)
    );
    let line = wait_log_line(&home, &["traykit::page", "settings page loaded"]);
    assert!(
        line.contains("INFO") && line.contains("window=\"settings\""),
        "{line}"
    );
    // And the control CLI through the same built-in.
    let ctl = home.run(
        &binary,
        None,
        &[
            "--ctl",
            "log.write",
            "level=warn",
            "message=from the ctl",
            r#"fields={"k":2}"#,
        ],
    );
    assert!(
        ctl.status.success(),
        "{}",
        String::from_utf8_lossy(&ctl.stdout)
    );
    let line = wait_log_line(&home, &["traykit::page", "from the ctl"]);
    assert!(
        line.contains("WARN") && line.contains("window=\"ctl\""),
        "{line}"
    );
    assert!(line.contains(r#"fields={"k":2}"#), "{line}");
    assert!(
        !line.contains('\u{1b}'),
        "no colour codes in the file: {line:?}"
    );

    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));
}
