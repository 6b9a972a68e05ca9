//! Global shortcuts with the desk_helper example under Xvfb: a key
//! combination pressed with xdotool (a real X key event, grabbed by
//! global-hotkey on the root window) arrives as `ShortcutPressed`;
//! shortcuts are released and added at run time (`--ctl shortcut.*`).

mod support;

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use support::bus::Bus;
use support::desktop::Home;
use support::example;
use support::watcher::Watcher;

const T: Duration = Duration::from_secs(20);

fn press(keys: &str) {
    let status = Command::new("xdotool")
        .args(["key", "--clearmodifiers", keys])
        .status()
        .expect("xdotool (scripts/setup.sh installs it)");
    assert!(status.success(), "xdotool key {keys}");
}

fn ctl(home: &Home, args: &[&str]) -> Value {
    let out = home.run(&example("desk_helper"), None, &[&["--ctl"], args].concat());
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON reply: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn shortcuts_pressed_on_the_x_server_reach_the_app() {
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let home = Home::new();
    let mut app = home.spawn(&example("desk_helper"), &bus, &[]);
    assert_eq!(watcher.wait_items(1, T).len(), 1);
    assert_eq!(
        app.wait_line("shortcut-registered:", T).as_deref(),
        Some("toggle ctrl+alt+KeyK")
    );

    press("ctrl+alt+k");
    assert_eq!(
        app.wait_line("shortcut:", T).as_deref(),
        Some("toggle ctrl+alt+KeyK")
    );

    // Released at run time: the same keys no longer reach it.
    assert_eq!(
        ctl(&home, &["shortcut.unregister", "id=toggle"])["result"],
        Value::Null
    );
    press("ctrl+alt+k");
    // An absence: nothing to await but time (global-hotkey polls X every 50 ms).
    assert_eq!(
        app.wait_line("shortcut:", Duration::from_millis(1500)),
        None
    );

    // Added at run time.
    assert_eq!(
        ctl(
            &home,
            &[
                "shortcut.register",
                "id=other",
                "accelerator=ctrl+shift+KeyJ"
            ]
        )["result"],
        Value::Null
    );
    press("ctrl+shift+j");
    assert_eq!(
        app.wait_line("shortcut:", T).as_deref(),
        Some("other ctrl+shift+KeyJ")
    );

    // Errors say what is wrong.
    let bad = ctl(
        &home,
        &["shortcut.register", "id=bad", "accelerator=ctrl+Nope"],
    );
    assert_eq!(bad["error"]["code"], json!(-32060), "{bad}");
    assert_eq!(bad["error"]["data"]["kind"], json!("invalid"), "{bad}");
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("invalid accelerator"),
        "{bad}"
    );
    let taken = ctl(
        &home,
        &["shortcut.register", "id=other", "accelerator=ctrl+KeyL"],
    );
    assert!(
        taken["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("already registered"),
        "{taken}"
    );
    let unknown = ctl(&home, &["shortcut.unregister", "id=nope"]);
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("no shortcut"),
        "{unknown}"
    );

    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));
}
