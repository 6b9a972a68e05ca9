//! A tray utility that behaves like one on a desktop: one instance per user
//! (a second launch hands its arguments to this one and exits), a
//! `deskhelper://` URL handler, start at login, a global shortcut, a log
//! file, and a control CLI:
//!
//! ```sh
//! cargo run --example desk_helper                    # the app
//! cargo run --example desk_helper -- deskhelper://open/settings   # → the running one
//! cargo run --example desk_helper -- --ctl window.open label=settings
//! cargo run --example desk_helper -- --register-url-handler      # install the .desktop entry
//! ```
//!
//! Flags: `--hidden` (started at login: no window at start), `--welcome`
//! (a welcome window visible on start), `--no-shortcut`.
//! It prints what it receives on stdout, one line each, for the tests.

use traykit::desktop_entry::DesktopEntry;
use traykit::prelude::*;

const ID: &str = "desk-helper";
const SCHEME: &str = "deskhelper";
const SHORTCUT: &str = "ctrl+alt+KeyK";

fn main() -> Result<(), traykit::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--register-url-handler") {
        return register_url_handler();
    }
    let welcome = args.iter().any(|a| a == "--welcome");
    let shortcut = !args.iter().any(|a| a == "--no-shortcut");

    App::builder()
        .name("Desk helper")
        .id(ID)
        .single_instance(true)
        .deep_link_scheme(SCHEME)
        .logging(LogOptions::default())
        // include_bytes! rather than rust-embed: the file is also the `desk-helper`
        // binary of packaging/desk-helper (another manifest directory).
        .asset("index.html", include_bytes!("desk_helper/index.html"))
        .asset("settings.js", include_bytes!("desk_helper/settings.js"))
        .capability(include_str!("desk_helper/settings.json"))
        .ctl_capability(include_str!("desk_helper/ctl.json"))
        .tray(tray())
        .window(
            Window::new("settings")
                .title("Desk helper settings")
                .url("index.html")
                .size(360.0, 220.0),
        )
        .window(
            Window::new("welcome")
                .title("Welcome to Desk helper")
                .url("index.html")
                .size(360.0, 220.0)
                .visible_on_start(welcome),
        )
        .setup(move |app| {
            setup(app, shortcut);
            Ok(())
        })
        .on_second_instance(|app, second| {
            println!(
                "second-instance: {}",
                serde_json::json!({"args": second.args, "cwd": second.cwd})
            );
            // `desk_helper --open settings` in a terminal opens the window here.
            if let [flag, label] = second.args.as_slice() {
                if flag == "--open" {
                    app.show_window(label);
                }
            }
        })
        .on_deep_link(|app, link| {
            println!("deep-link: {}", link.url);
            if link.url.starts_with(&format!("{SCHEME}://open/settings")) {
                app.show_window("settings");
            }
        })
        .on_shortcut(|app, pressed| {
            println!("shortcut: {} {}", pressed.id, pressed.accelerator);
            app.show_window("settings");
        })
        .on_menu_click(on_menu_click)
        .run()
}

/// The one tray: settings, start at login, quit.
fn tray() -> Tray {
    Tray::new("desk")
        .icon(Icon::solid(22, [0x6a, 0x1b, 0x9a, 0xff]).expect("valid icon"))
        .title("Desk helper")
        .menu(
            Menu::new()
                .item("settings", "Settings…")
                .check("autostart", "Start at login", false)
                .separator()
                .item("quit", "Quit"),
        )
}

/// At start: say how it started, show the autostart state in the menu, and
/// register the global shortcut unless `--no-shortcut`.
fn setup(app: &AppHandle, shortcut: bool) {
    let autostart = app.autostart().is_enabled().unwrap_or(false);
    println!(
        "ready: hidden={} autostart={autostart}",
        app.started_hidden()
    );
    let app = app.clone();
    actix::spawn(async move {
        if let Ok(tray) = app.tray("desk") {
            let _ = tray.set_checked("autostart", autostart).await;
        }
        if shortcut {
            match app.register_shortcut("toggle", SHORTCUT).await {
                Ok(()) => println!("shortcut-registered: toggle {SHORTCUT}"),
                Err(e) => println!("shortcut-error: {e}"),
            }
        }
    });
}

fn on_menu_click(app: &AppHandle, click: &MenuClicked) {
    match click.item.as_str() {
        "settings" => app.show_window("settings"),
        "autostart" => {
            let on = click.checked == Some(true);
            let result = if on {
                app.autostart().enable()
            } else {
                app.autostart().disable()
            };
            match result {
                Ok(()) => println!("autostart: {on}"),
                Err(e) => println!("autostart-error: {e}"),
            }
        }
        "quit" => app.quit(),
        _ => {}
    }
}

/// Installs `~/.local/share/applications/desk-helper.desktop` (the
/// `deskhelper://` handler) and makes it the default with `xdg-mime`.
fn register_url_handler() -> Result<(), traykit::Error> {
    let exe = std::env::current_exe().map_err(|e| traykit::Error::Setup(e.to_string()))?;
    let entry = DesktopEntry::new(ID, "Desk helper", exe)
        .comment("Tray helper")
        .icon(ID)
        .scheme(SCHEME);
    match entry.install_for_user() {
        Ok(path) => {
            println!("desktop-entry: {}", path.display());
            Ok(())
        }
        Err(e) => Err(traykit::Error::Setup(e.to_string())),
    }
}
