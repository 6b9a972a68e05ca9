//! Start at login with the desk_helper example: the tray's "Start at login"
//! item and `--ctl autostart.*` write and remove the XDG autostart entry;
//! running the entry's own command starts the app hidden (its
//! visible-on-start window stays closed), while the same launch without
//! `--hidden` opens it.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::bus::Bus;
use support::desktop::Home;
use support::sni::Item;
use support::watcher::Watcher;
use support::{eventually, example};

const T: Duration = Duration::from_secs(20);

fn ctl(home: &Home, args: &[&str]) -> Value {
    let out = home.run(&example("desk_helper"), None, &[&["--ctl"], args].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json reply")
}

#[test]
fn the_tray_and_ctl_switch_autostart_and_the_entry_starts_hidden() {
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let home = Home::new();
    let binary = example("desk_helper");
    let entry = home.config.0.join("autostart/desk-helper.desktop");

    let mut app = home.spawn(&binary, &bus, &["--no-shortcut"]);
    let item = Item::new(&bus, watcher.wait_items(1, T).remove(0));
    assert_eq!(
        app.wait_line("ready:", T).as_deref(),
        Some("hidden=false autostart=false")
    );

    // From the tray menu.
    item.click("Start at login");
    assert_eq!(app.wait_line("autostart:", T).as_deref(), Some("true"));
    let text = std::fs::read_to_string(&entry).expect("autostart entry");
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("Exec line")
        .to_owned();
    assert_eq!(exec, format!("{} --hidden", binary.display()));
    assert_eq!(ctl(&home, &["autostart.is_enabled"])["result"], json!(true));

    // From the control CLI (same built-ins pages use).
    assert_eq!(ctl(&home, &["autostart.disable"])["result"], Value::Null);
    assert!(!entry.exists());
    assert_eq!(
        ctl(&home, &["autostart.is_enabled"])["result"],
        json!(false)
    );
    assert_eq!(ctl(&home, &["autostart.enable"])["result"], Value::Null);
    assert!(entry.exists());
    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));

    // What the session does at login: run the entry's command. With
    // `--welcome` the app declares a window visible on start; `--hidden`
    // keeps it closed.
    let mut words: Vec<&str> = exec.split(' ').collect();
    let program = words.remove(0);
    assert_eq!(program, binary.to_string_lossy());
    words.extend(["--no-shortcut", "--welcome"]);
    let mut hidden = home.spawn(&binary, &bus, &words);
    assert_eq!(
        hidden.wait_line("ready:", T).as_deref(),
        Some("hidden=true autostart=true")
    );
    // Nothing to await for an absence: give a window the time it takes to
    // appear when shown (below, well under this).
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        hidden.web_processes().is_empty(),
        "a hidden start opened a window"
    );
    hidden.signal("TERM");
    assert_eq!(hidden.wait_exit(T), Some(0));

    let mut shown = home.spawn(&binary, &bus, &["--no-shortcut", "--welcome"]);
    assert_eq!(
        shown.wait_line("ready:", T).as_deref(),
        Some("hidden=false autostart=true")
    );
    eventually(T, || (!shown.web_processes().is_empty()).then_some(()))
        .expect("without --hidden the welcome window opens");
    shown.signal("TERM");
    assert_eq!(shown.wait_exit(T), Some(0));
}
