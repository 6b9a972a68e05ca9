//! A tray clock: the time in the tray title, ticking every second.
//!
//! The menu has "Notify me" (a desktop notification with a "Snooze" button),
//! a "Pause" check item that stops the clock, a "Format" submenu, and "Quit".
//!
//! Run it in a desktop session with a tray (KDE, or GNOME with the
//! AppIndicator extension):
//!
//! ```sh
//! cargo run --example tray_clock
//! RUST_LOG=debug cargo run --example tray_clock   # to see every message
//! ```
//!
//! Headless, `bash scripts/demo.sh` runs it under Xvfb with a private bus and
//! a stand-in panel that prints what a desktop shell would show.

use std::time::Duration;

use actix::prelude::*;
use traykit::prelude::*;

const TRAY: &str = "clock";

fn main() -> Result<(), traykit::Error> {
    // RUST_LOG as an `EnvFilter`, or as `target=level` directives in a
    // build without traykit's `env-filter` feature (no regex engine).
    tracing_subscriber::fmt::init();

    App::builder()
        .name("Tray clock")
        .tray(
            Tray::new(TRAY)
                .icon(clock_icon())
                .title(Format::default().now())
                .tooltip("Tray clock")
                .menu(
                    Menu::new()
                        .item("notify", "Notify me")
                        .check("pause", "Pause", false)
                        .submenu(
                            "format",
                            "Format",
                            Menu::new().check("seconds", "Show seconds", false).check(
                                "12h",
                                "12-hour clock",
                                false,
                            ),
                        )
                        .separator()
                        .item("quit", "Quit"),
                ),
        )
        .setup(|app| {
            let clock = Clock {
                app: app.clone(),
                tray: app.tray(TRAY)?,
                format: Format::default(),
                paused: false,
            }
            .start();
            app.tray(TRAY)?.subscribe(clock.clone().recipient());
            app.subscribe_notifications(clock.recipient());
            Ok(())
        })
        .run()
}

/// How the time is written.
#[derive(Default, Clone, Copy)]
struct Format {
    seconds: bool,
    twelve_hour: bool,
}

impl Format {
    fn now(self) -> String {
        let pattern = match (self.twelve_hour, self.seconds) {
            (false, false) => "%H:%M",
            (false, true) => "%H:%M:%S",
            (true, false) => "%I:%M %p",
            (true, true) => "%I:%M:%S %p",
        };
        chrono::Local::now().format(pattern).to_string()
    }
}

/// Owns the clock: ticks, reacts to the menu and to notification buttons.
struct Clock {
    app: AppHandle,
    tray: TrayHandle,
    format: Format,
    paused: bool,
}

impl Clock {
    fn show_time(&self) {
        self.tray.post(TrayChange::Title(Some(self.format.now())));
    }

    fn notify(&self, notification: Notification) {
        let app = self.app.clone();
        actix::spawn(async move {
            if let Err(error) = app.notify(notification).await {
                tracing::warn!(%error, "could not show the notification");
            }
        });
    }
}

impl Actor for Clock {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(Duration::from_secs(1), |clock, _| {
            if !clock.paused {
                clock.show_time();
            }
        });
    }
}

impl Handler<MenuClicked> for Clock {
    type Result = ();

    fn handle(&mut self, click: MenuClicked, _: &mut Context<Self>) {
        let on = click.checked == Some(true);
        match click.item.as_str() {
            "notify" => self.notify(
                Notification::new(format!("It is {}", self.format.now()))
                    .body("Time for a break?")
                    .icon("appointment-soon")
                    .action("snooze", "Snooze"),
            ),
            "pause" => self.paused = on,
            "seconds" => self.format.seconds = on,
            "12h" => self.format.twelve_hour = on,
            "quit" => self.app.quit(),
            _ => {}
        }
        if !self.paused {
            self.show_time();
        }
    }
}

impl Handler<NotificationEvent> for Clock {
    type Result = ();

    fn handle(&mut self, event: NotificationEvent, ctx: &mut Context<Self>) {
        if event.kind == NotificationEventKind::ActionInvoked("snooze".into()) {
            self.notify(Notification::new("Snoozed").body("I will remind you in 5 minutes."));
            ctx.run_later(Duration::from_secs(300), |clock, _| {
                clock.notify(Notification::new("Reminder").body("Time for a break!"));
            });
        }
    }
}

/// A 32×32 clock face drawn in code, so the example needs no image file.
fn clock_icon() -> Icon {
    const SIDE: u32 = 32;
    let mut rgba = Vec::with_capacity((SIDE * SIDE * 4) as usize);
    for y in 0..SIDE {
        for x in 0..SIDE {
            let (dx, dy) = (x as f32 - 15.5, y as f32 - 15.5);
            let r = (dx * dx + dy * dy).sqrt();
            let hand = (dx.abs() < 1.5 && (-11.0..=0.0).contains(&dy))
                || (dy.abs() < 1.5 && (0.0..=8.0).contains(&dx));
            let pixel = match r {
                r if r > 15.5 => [0, 0, 0, 0],
                r if r > 13.0 || hand => [0x1f, 0x3a, 0x5f, 0xff],
                _ => [0xf4, 0xf1, 0xea, 0xff],
            };
            rgba.extend_from_slice(&pixel);
        }
    }
    Icon::from_rgba(rgba, SIDE, SIDE).expect("32x32 RGBA is a valid icon")
}
