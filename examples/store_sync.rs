//! Two windows watching the same store key: a change made in one window, or
//! in Rust, reaches both pages, once, in order. Prints `SYNC <window> <value>`
//! for each change a page saw (the e2e test reads these lines).
//!
//! ```sh
//! scripts/headless.sh cargo run --example store_sync
//! ```

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Mutex;

use serde::Deserialize;
use serde_json::Value;
use traykit::prelude::*;

#[derive(Default)]
struct Ready(Mutex<BTreeSet<String>>);

#[derive(Deserialize)]
struct Hello {
    window: String,
}

#[derive(Deserialize)]
struct Saw {
    window: String,
    key: String,
    value: Value,
}

fn main() -> Result<(), traykit::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let page = |label: &str, x: f64| {
        Window::new(label)
            .url("index.html")
            .size(320.0, 200.0)
            .position(x, 40.0)
            .visible_on_start(true)
    };
    App::builder()
        .name("Store sync")
        .manage(Ready::default())
        .window(page("a", 20.0))
        .window(page("b", 380.0))
        .asset("index.html", include_bytes!("store_sync/index.html"))
        .asset("sync.js", include_bytes!("store_sync/sync.js"))
        .asset("sync.css", include_bytes!("store_sync/sync.css"))
        .capability(
            r#"{
              "identifier": "sync",
              "windows": ["a", "b"],
              "methods": ["store.*", "sync.*"],
              "events": ["sync.go"],
              "stores": [{"store": "settings", "prefix": "ui."}]
            }"#,
        )
        .command("sync.ready", |h: Hello, ctx: CallContext| async move {
            let both = {
                let mut ready = ctx.state::<Ready>()?.0.lock().map_err(RpcError::internal)?;
                ready.insert(h.window);
                ready.len() == 2
            };
            if both {
                // Window a makes the first change.
                ctx.app.emit_to("a", "sync.go", "from-a")?;
            }
            Ok::<_, RpcError>(())
        })
        .command("sync.saw", |s: Saw, ctx: CallContext| async move {
            {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "SYNC {} {} {}", s.window, s.key, s.value);
                let _ = out.flush();
            }
            // After the page's change, Rust makes the second one.
            if s.window == "b" && s.value == "from-a" {
                ctx.app
                    .store("settings")?
                    .set("ui.color", &"from-rust")
                    .await?;
            }
            Ok::<_, RpcError>(())
        })
        .run()
}
