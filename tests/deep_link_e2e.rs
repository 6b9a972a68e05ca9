//! Deep links with the desk_helper example: a `deskhelper://` URL given to
//! the first launch, or to a later one (handed over by single instance),
//! reaches the running app as a `DeepLink`; the desktop entry declares the
//! handler and `xdg-mime` makes it the default.

mod support;

use std::time::Duration;

use support::bus::Bus;
use support::desktop::Home;
use support::example;
use support::watcher::Watcher;

const T: Duration = Duration::from_secs(20);

#[test]
fn links_reach_the_running_instance_from_any_launch() {
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let home = Home::new();
    let binary = example("desk_helper");

    // The first launch's own link.
    let mut app = home.spawn(&binary, &bus, &["--no-shortcut", "deskhelper://first/1"]);
    assert_eq!(watcher.wait_items(1, T).len(), 1);
    assert_eq!(
        app.wait_line("deep-link:", T).as_deref(),
        Some("deskhelper://first/1")
    );

    // A later launch, as the desktop runs the handler (`Exec=… %u`).
    let url = "deskhelper://note/42?text=hello%20world";
    let second = home.run(&binary, Some(&bus), &[url]);
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(app.wait_line("deep-link:", T).as_deref(), Some(url));
    // Arguments that are not links of this scheme are not links.
    let other = home.run(&binary, Some(&bus), &["otherscheme://x", "deskhelperx://y"]);
    assert_eq!(other.status.code(), Some(0));
    app.wait_line("second-instance:", T).expect("handed over");
    assert_eq!(
        app.wait_line("deep-link:", Duration::from_millis(700)),
        None
    );

    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));
}

#[test]
fn the_desktop_entry_declares_and_registers_the_handler() {
    let home = Home::new();
    let binary = example("desk_helper");
    let out = home.run(&binary, None, &["--register-url-handler"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entry = home.data.0.join("applications/desk-helper.desktop");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("desktop-entry: {}", entry.display())
    );
    let text = std::fs::read_to_string(&entry).expect("desktop entry written");
    assert!(
        text.starts_with("[Desktop Entry]\nType=Application\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("\nExec={} %u\n", binary.display())),
        "{text}"
    );
    assert!(
        text.contains("\nMimeType=x-scheme-handler/deskhelper;\n"),
        "{text}"
    );

    // With xdg-utils installed (scripts/setup.sh installs it), the entry is
    // the scheme's default handler for this user.
    let query = std::process::Command::new("xdg-mime")
        .args(["query", "default", "x-scheme-handler/deskhelper"])
        .env("XDG_CONFIG_HOME", &home.config.0)
        .env("XDG_DATA_HOME", &home.data.0)
        .output();
    match query {
        Ok(q) => assert_eq!(
            String::from_utf8_lossy(&q.stdout).trim(),
            "desk-helper.desktop",
            "{}",
            String::from_utf8_lossy(&q.stderr)
        ),
        Err(e) => println!("SKIP the xdg-mime check: xdg-mime not runnable ({e})"),
    }
}
