//! More than one tray icon per app, seen over D-Bus.

mod support;

use std::time::Duration;

use support::bus::Bus;
use support::sni::Item;
use support::watcher::Watcher;
use support::{eventually, example, App};

const T: Duration = Duration::from_secs(15);

#[test]
fn two_trays_register_separately_and_talk_to_each_other() {
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let mut app = App::spawn(&example("two_trays"), &bus, &[]);
    let items = watcher.wait_items(2, T);
    assert_eq!(items.len(), 2, "both trays register");
    assert_ne!(items[0], items[1], "each tray is its own item");

    let items: Vec<Item> = items.into_iter().map(|r| Item::new(&bus, r)).collect();
    let by_id = |id: &str| {
        items
            .iter()
            .find(|i| i.string_prop("Id") == id)
            .unwrap_or_else(|| panic!("no tray {id}"))
    };
    let (volume, player) = (by_id("volume"), by_id("player"));
    assert_eq!(volume.menu().labels(), ["Mute", "Quit"]);
    assert_eq!(player.menu().labels(), ["Play", "Quit"]);
    assert!(player.menu().find("Play").expect("Play").enabled);

    // A click in one tray changes the other tray's menu.
    volume.click("Mute");
    eventually(T, || {
        (!player.menu().find("Play").expect("Play").enabled).then_some(())
    })
    .expect("Play greyed out after Mute");
    assert_eq!(volume.menu().find("Mute").expect("Mute").toggle_state, 1);
    volume.click("Mute");
    eventually(T, || {
        player
            .menu()
            .find("Play")
            .expect("Play")
            .enabled
            .then_some(())
    })
    .expect("Play enabled again after unmute");

    player.click("Quit");
    assert_eq!(app.wait_exit(T), Some(0));
    for item in &items {
        // The bus notices the closed connection asynchronously.
        eventually(T, || {
            (!bus.has_owner(&item.registered.service)).then_some(())
        })
        .expect("tray still on the bus after exit");
    }
}
