//! Two tray icons in one app, each with its own menu, talking to each other:
//! "Mute" in the first tray greys out "Play" in the second.
//!
//! ```sh
//! cargo run --example two_trays
//! ```

use traykit::prelude::*;

fn main() -> Result<(), traykit::Error> {
    // RUST_LOG as an `EnvFilter`, or as `target=level` directives in a
    // build without traykit's `env-filter` feature (no regex engine).
    tracing_subscriber::fmt::init();

    App::builder()
        .name("Two trays")
        .tray(
            Tray::new("volume")
                .icon(Icon::solid(22, [0x2e, 0x7d, 0x32, 0xff]).expect("valid icon"))
                .title("Volume")
                .menu(
                    Menu::new()
                        .check("mute", "Mute", false)
                        .item("quit", "Quit"),
                ),
        )
        .tray(
            Tray::new("player")
                .icon(Icon::solid(22, [0xc6, 0x28, 0x28, 0xff]).expect("valid icon"))
                .title("Player")
                .menu(Menu::new().item("play", "Play").item("quit", "Quit")),
        )
        .on_menu_click(
            |app, click| match (click.tray.as_str(), click.item.as_str()) {
                ("volume", "mute") => {
                    let muted = click.checked == Some(true);
                    if let Ok(player) = app.tray("player") {
                        player.post(TrayChange::Item {
                            id: "play".into(),
                            change: traykit::menu::ItemChange::Enabled(!muted),
                        });
                    }
                }
                (_, "quit") => app.quit(),
                _ => {}
            },
        )
        .run()
}
