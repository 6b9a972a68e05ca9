//! Supervision, visibly: the "Crash" menu item makes an actor's handler
//! panic. The actor is restarted with its state, the click's caller gets an
//! error, and the app keeps answering. The e2e suite drives this over D-Bus.
//!
//! ```sh
//! cargo run --example crash_probe
//! ```

use actix::prelude::*;
use traykit::prelude::*;
use traykit::supervise::guard;
use traykit::ActorError;

/// Counts clicks; panics on request.
struct Counter {
    tray: TrayHandle,
    count: u32,
    restarts: u32,
}

impl Actor for Counter {
    type Context = Context<Self>;
}

impl Supervised for Counter {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.restarts += 1;
    }
}

#[derive(Message)]
#[rtype(result = "Result<(), ActorError>")]
struct Bump {
    crash: bool,
}

impl Handler<Bump> for Counter {
    type Result = Result<(), ActorError>;

    fn handle(&mut self, msg: Bump, ctx: &mut Context<Self>) -> Self::Result {
        guard(ctx, "Counter", "Bump", || {
            assert!(!msg.crash, "asked to crash");
            self.count += 1;
        })?;
        let title = format!("count {} restarts {}", self.count, self.restarts);
        self.tray.post(TrayChange::Title(Some(title)));
        Ok(())
    }
}

fn main() -> Result<(), traykit::Error> {
    // RUST_LOG as an `EnvFilter`, or as `target=level` directives in a
    // build without traykit's `env-filter` feature (no regex engine).
    tracing_subscriber::fmt::init();
    App::builder()
        .name("Crash probe")
        .tray(
            Tray::new("probe").title("count 0 restarts 0").menu(
                Menu::new()
                    .item("count", "Count")
                    .item("crash", "Crash")
                    .item("quit", "Quit"),
            ),
        )
        .setup(|app| {
            let tray = app.tray("probe")?;
            let counter = Supervisor::start(move |_| Counter {
                tray,
                count: 0,
                restarts: 0,
            });
            app.on_menu_click(move |app, click| {
                let crash = match click.item.as_str() {
                    "count" => false,
                    "crash" => true,
                    _ => return app.quit(),
                };
                let counter = counter.clone();
                actix::spawn(async move {
                    match counter.send(Bump { crash }).await {
                        Ok(Ok(())) => {}
                        Ok(Err(error)) => tracing::warn!(%error, "bump failed"),
                        Err(error) => tracing::warn!(%error, "counter unreachable"),
                    }
                });
            });
            Ok(())
        })
        .run()
}
