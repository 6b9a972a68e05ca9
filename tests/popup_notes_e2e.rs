//! popup_notes as a person uses it: the tray opens the popup, typing a note
//! and pressing Enter adds it (page → command → actor), the actor's change
//! reaches the tray title, and "Clear all" from the tray empties it again.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{eventually, launch_with_tray, WithTray};

const T: Duration = Duration::from_secs(30);

fn xdotool(args: &[&str]) -> bool {
    Command::new("xdotool")
        .args(args)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn typing_a_note_in_the_popup_reaches_the_actor_and_the_tray() {
    let WithTray {
        bus: _bus,
        watcher: _panel,
        mut app,
        tray,
    } = launch_with_tray("popup_notes", false, T);
    assert_eq!(tray.string_prop("Title"), "0 notes");

    tray.click("Open notes");
    eventually(T, || (!app.web_processes().is_empty()).then_some(()))
        .expect("the popup's web process starts");

    // Type into the page like a person; retry while the page is still
    // loading (keystrokes before it has focus are lost, as for a person).
    let added = eventually(T, || {
        xdotool(&[
            "search",
            "--sync",
            "--name",
            "^Notes$",
            "windowfocus",
            "--sync",
        ]);
        xdotool(&["type", "--delay", "20", "buy milk"]);
        xdotool(&["key", "Return"]);
        eventually(Duration::from_secs(2), || {
            (tray.string_prop("Title") != "0 notes").then_some(())
        })
    });
    assert!(
        added.is_some(),
        "typing a note never reached the notes actor"
    );
    assert_eq!(tray.string_prop("Title"), "1 note");

    tray.click("Clear all notes");
    eventually(T, || (tray.string_prop("Title") == "0 notes").then_some(()))
        .expect("Clear all empties the notes");

    tray.click("Quit");
    assert_eq!(app.wait_exit(T), Some(0));
}
