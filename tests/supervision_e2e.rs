//! A panicking actor in a real running app: restarted, and the app keeps
//! answering its tray over D-Bus.

mod support;

use std::time::Duration;

use support::{eventually, launch_with_tray, WithTray};

const T: Duration = Duration::from_secs(15);

#[test]
fn a_panicking_actor_is_restarted_and_the_app_keeps_answering() {
    let WithTray {
        bus: _bus,
        watcher: _panel,
        mut app,
        tray: item,
    } = launch_with_tray("crash_probe", false, T);
    let title_becomes = |want: &str| {
        eventually(T, || (item.string_prop("Title") == want).then_some(())).unwrap_or_else(|| {
            panic!(
                "title never became {want:?}, is {:?}",
                item.string_prop("Title")
            )
        })
    };

    item.click("Count");
    title_becomes("count 1 restarts 0");
    item.click("Crash"); // the handler panics
    item.click("Count"); // queued behind it: served by the restarted actor
    title_becomes("count 2 restarts 1");
    assert!(
        app.child.try_wait().expect("try_wait").is_none(),
        "app died"
    );

    item.click("Quit");
    assert_eq!(app.wait_exit(T), Some(0));
}
