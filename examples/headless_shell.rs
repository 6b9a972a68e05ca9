//! A stand-in desktop shell for headless demos: runs an app on a private
//! D-Bus bus, plays the panel (StatusNotifierWatcher + dbusmenu) and the
//! notification server, prints what a person would see, clicks through the
//! menu, and quits the app. `bash scripts/demo.sh` runs it on tray_clock.
//!
//! ```sh
//! scripts/headless.sh cargo run --example headless_shell -- target/debug/examples/tray_clock
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use support::bus::Bus;
use support::notifications::NotificationServer;
use support::sni::{Item, MenuNode};
use support::watcher::Watcher;
use support::{eventually, App};

const T: Duration = Duration::from_secs(15);

fn print_menu(node: &MenuNode, depth: usize) {
    for child in &node.children {
        let pad = "    ".repeat(depth + 1);
        if child.separator {
            println!("{pad}────────");
            continue;
        }
        let mark = match (child.toggle_type.as_str(), child.toggle_state) {
            ("checkmark", 1) => "[x] ",
            ("checkmark", _) => "[ ] ",
            _ => "",
        };
        let arrow = if child.children.is_empty() {
            ""
        } else {
            " ▸"
        };
        let grey = if child.enabled { "" } else { " (disabled)" };
        println!("{pad}{mark}{}{arrow}{grey}", child.label);
        print_menu(child, depth + 1);
    }
}

fn main() -> anyhow::Result<()> {
    let app_path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: headless_shell PATH_TO_APP"))?;
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let notifications = NotificationServer::start(&bus);
    println!("panel: private bus at {}", bus.address());

    let mut app = App::spawn(std::path::Path::new(&app_path), &bus, &[]);
    let started = std::time::Instant::now();
    let items = watcher.wait_items(1, T);
    let Some(registered) = items.first().cloned() else {
        anyhow::bail!("the app registered no tray icon within {T:?}");
    };
    println!(
        "panel: tray registered after {:.1} ms by {}",
        started.elapsed().as_secs_f64() * 1e3,
        registered.service
    );
    let item = Item::new(&bus, registered);
    let (tip_title, tip_body) = item.tooltip();
    println!(
        "panel: icon {:?}  title {:?}  tooltip {:?}/{:?}",
        item.icon_pixmaps()
            .iter()
            .map(|(w, h, _)| format!("{w}x{h}"))
            .collect::<Vec<_>>(),
        item.string_prop("Title"),
        tip_title,
        tip_body
    );
    println!("panel: menu");
    print_menu(&item.menu(), 0);

    for label in ["Show seconds", "Pause", "Notify me"] {
        println!("user: clicks {label:?}");
        item.click(label);
        std::thread::sleep(Duration::from_millis(1200)); // let a person-sized beat pass
        println!("panel: title {:?}", item.string_prop("Title"));
    }
    if let Some(n) = notifications.wait_count(1, T).first().cloned() {
        println!(
            "notification: {:?} — {:?} from {:?}, buttons {:?}",
            n.summary, n.body, n.app_name, n.actions
        );
        println!("user: clicks \"Snooze\" in the notification");
        notifications.invoke_action(&n, "snooze");
        if let Some(reply) = notifications.wait_count(2, T).get(1) {
            println!("notification: {:?} — {:?}", reply.summary, reply.body);
        }
    }
    println!("panel: menu now");
    print_menu(&item.menu(), 0);
    println!("user: clicks \"Quit\"");
    item.click("Quit");
    let code = app.wait_exit(T);
    let gone = eventually(Duration::from_secs(2), || {
        (!bus.has_owner(&item.registered.service)).then_some(())
    })
    .is_some();
    println!("app: exited with {code:?}; tray removed from the bus: {gone}");
    anyhow::ensure!(code == Some(0), "the app did not exit cleanly");
    Ok(())
}
