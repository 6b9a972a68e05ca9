//! The tray_clock example, driven the way a desktop shell drives it: over
//! D-Bus, on a private bus, under the suite's X server.

mod support;

use std::time::Duration;

use support::bus::Bus;
use support::notifications::NotificationServer;
use support::sni::Item;
use support::watcher::Watcher;
use support::{eventually, example, App};

const T: Duration = Duration::from_secs(15);

fn is_time(title: &str, seconds: bool) -> bool {
    let parts: Vec<&str> = title.split(':').collect();
    parts.len() == if seconds { 3 } else { 2 }
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

struct Desktop {
    bus: Bus,
    watcher: Watcher,
    notifications: NotificationServer,
}

impl Desktop {
    fn start() -> Desktop {
        let bus = Bus::start();
        // The watcher must be on the bus before the app, as with a real panel.
        let watcher = Watcher::start(&bus);
        let notifications = NotificationServer::start(&bus);
        Desktop {
            bus,
            watcher,
            notifications,
        }
    }

    fn launch(&self) -> (App, Item) {
        let app = App::spawn(&example("tray_clock"), &self.bus, &[]);
        let items = self.watcher.wait_items(1, T);
        assert_eq!(items.len(), 1, "tray_clock did not register its tray");
        let item = Item::new(&self.bus, items[0].clone());
        (app, item)
    }
}

#[test]
fn tray_clock_end_to_end() {
    let desktop = Desktop::start();
    let (mut app, item) = desktop.launch();

    // What the panel shows.
    assert_eq!(item.string_prop("Id"), "clock");
    assert_eq!(item.string_prop("Status"), "Active");
    let pixmaps = item.icon_pixmaps();
    assert_eq!(pixmaps.len(), 1);
    let (w, h, argb) = &pixmaps[0];
    assert_eq!((*w, *h, argb.len()), (32, 32, 32 * 32 * 4));
    assert_eq!(item.tooltip().1, "Tray clock");
    let title = item.string_prop("Title");
    assert!(is_time(&title, false), "title {title:?} is not HH:MM");

    // The menu, as the model declares it.
    let menu = item.menu();
    assert_eq!(
        menu.labels(),
        ["Notify me", "Pause", "Format", "---", "Quit"]
    );
    let pause = menu.find("Pause").expect("Pause");
    assert_eq!(
        (pause.toggle_type.as_str(), pause.toggle_state),
        ("checkmark", 0)
    );
    assert_eq!(
        menu.find("Format").expect("Format").labels(),
        ["Show seconds", "12-hour clock"]
    );

    // A submenu check item changes the format, and the title ticks.
    item.click("Show seconds");
    let first = eventually(T, || {
        let t = item.string_prop("Title");
        is_time(&t, true).then_some(t)
    })
    .expect("title switches to HH:MM:SS");
    assert_eq!(
        item.menu().find("Show seconds").expect("item").toggle_state,
        1
    );
    eventually(T, || (item.string_prop("Title") != first).then_some(())).expect("the clock ticks");

    // Pause stops the clock: the title holds still for over two ticks.
    item.click("Pause");
    eventually(T, || {
        (item.menu().find("Pause").expect("Pause").toggle_state == 1).then_some(())
    })
    .expect("Pause shows checked");
    // A tick already in flight when Pause was clicked may still land: let
    // one tick period pass before taking the reference title.
    std::thread::sleep(Duration::from_millis(1200));
    let held = item.string_prop("Title");
    std::thread::sleep(Duration::from_millis(2300)); // absence of a change: nothing to await
    assert_eq!(
        item.string_prop("Title"),
        held,
        "paused clock must not tick"
    );
    item.click("Pause");
    eventually(T, || (item.string_prop("Title") != held).then_some(()))
        .expect("unpaused clock ticks again");

    // Notify me → a real notification with a Snooze action; clicking Snooze
    // in the server comes back to the app, which confirms with another one.
    item.click("Notify me");
    let shown = desktop.notifications.wait_count(1, T);
    assert_eq!(shown.len(), 1, "no notification arrived");
    let n = &shown[0];
    assert_eq!(n.app_name, "Tray clock");
    assert!(n.summary.starts_with("It is "), "{:?}", n.summary);
    assert_eq!(n.actions, [("snooze".to_owned(), "Snooze".to_owned())]);
    desktop.notifications.invoke_action(n, "snooze");
    let shown = desktop.notifications.wait_count(2, T);
    assert_eq!(shown.len(), 2, "Snooze did not reach the app");
    assert_eq!(shown[1].summary, "Snoozed");

    // Quit: clean exit, nothing left behind, the item leaves the bus.
    let service = item.registered.service.clone();
    let descendants: Vec<u32> = app.descendants().into_iter().map(|(pid, _)| pid).collect();
    item.click("Quit");
    assert_eq!(app.wait_exit(T), Some(0), "Quit must exit with code 0");
    assert_eq!(
        App::survivors(&descendants),
        Vec::<u32>::new(),
        "processes left behind"
    );
    // The bus notices the closed connection asynchronously.
    eventually(T, || (!desktop.bus.has_owner(&service)).then_some(()))
        .expect("tray still on the bus after exit");
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let desktop = Desktop::start();
    let (mut app, item) = desktop.launch();
    assert_eq!(item.string_prop("Id"), "clock");
    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));
    eventually(T, || {
        (!desktop.bus.has_owner(&item.registered.service)).then_some(())
    })
    .expect("tray still on the bus after SIGTERM");
}

#[test]
fn without_a_display_it_says_what_to_do() {
    let output = std::process::Command::new(example("tray_clock"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run tray_clock");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no display"), "{stderr}");
    assert!(stderr.contains("xvfb-run"), "{stderr}");
}

/// A display that is named but cannot be opened (a bad Wayland socket, an
/// X server that is not there): `Error::DisplayUnavailable` naming what was
/// set, exit code 1, and no panic from inside tao.
#[test]
fn a_display_that_cannot_be_opened_is_an_error_not_a_panic() {
    let cases: [&[(&str, &str)]; 2] = [
        &[
            ("WAYLAND_DISPLAY", "/nonexistent/wayland-9"),
            ("GDK_BACKEND", "wayland"),
        ],
        &[("DISPLAY", ":9999")],
    ];
    for vars in cases {
        let mut cmd = std::process::Command::new(example("tray_clock"));
        cmd.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let output = cmd.output().expect("run tray_clock");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{vars:?}: {stderr}");
        assert!(
            stderr.contains("could not open the display"),
            "{vars:?}: {stderr}"
        );
        for (k, v) in vars {
            assert!(
                stderr.contains(&format!("{k}={v}")),
                "{vars:?} named: {stderr}"
            );
        }
        assert!(!stderr.contains("panicked"), "{vars:?}: {stderr}");
    }
}
