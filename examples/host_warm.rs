//! The webview host's warm paths (tests/host_warm_e2e.rs): a tray whose
//! menu prewarms the host, opens one small window and closes it again.
//!
//! - `--keep-alive-ms N` sets `host_keep_alive` (default: the builder's);
//! - prints `WARM_OPENED <ms>` when the page's first call arrives, with the
//!   time since the "Open" click, and `WARM_CLOSED` once the window is gone.
//!
//! ```sh
//! cargo run --example host_warm -- --keep-alive-ms 5000
//! ```

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use traykit::prelude::*;

/// When "Open" was clicked.
#[derive(Default)]
struct Clicked(Mutex<Option<Instant>>);

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn main() -> Result<(), traykit::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().collect();
    let keep_alive = args
        .iter()
        .position(|a| a == "--keep-alive-ms")
        .and_then(|i| args.get(i + 1)?.parse::<u64>().ok())
        .map(Duration::from_millis);

    let mut builder = App::builder()
        .name("Host warm")
        .manage(Clicked::default())
        .tray(
            Tray::new("warm").menu(
                Menu::new()
                    .item("prewarm", "Prewarm")
                    .item("open", "Open")
                    .item("close", "Close")
                    .separator()
                    .item("quit", "Quit"),
            ),
        )
        .window(
            Window::new("pop")
                .url("pop.html")
                .title("Warm")
                .size(200.0, 120.0),
        )
        .asset("pop.html", include_bytes!("host_warm/pop.html"))
        .asset("pop.js", include_bytes!("host_warm/pop.js"))
        .capability(r#"{"identifier": "pop", "windows": ["pop"], "methods": ["warm.*"]}"#)
        .command(
            "warm.ready",
            |_: serde_json::Value, ctx: CallContext| async move {
                let clicked = ctx.state::<Clicked>()?;
                let since = clicked.0.lock().unwrap_or_else(|e| e.into_inner()).take();
                let ms = since.map_or(-1.0, |t| t.elapsed().as_secs_f64() * 1000.0);
                say(&format!("WARM_OPENED {ms:.1}"));
                Ok::<_, RpcError>(())
            },
        )
        .on_menu_click(|app, click| match click.item.as_str() {
            "prewarm" => app.prewarm_host(),
            "open" => {
                if let Some(clicked) = app.state::<Clicked>() {
                    *clicked.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
                }
                app.show_window("pop");
            }
            "close" => {
                let Ok(window) = app.window("pop") else {
                    return;
                };
                actix::spawn(async move {
                    let closed = window.close().await;
                    say(&format!("WARM_CLOSED {}", closed.is_ok()));
                });
            }
            _ => app.quit(),
        });
    if let Some(keep_alive) = keep_alive {
        builder = builder.host_keep_alive(keep_alive);
    }
    builder.run()
}
