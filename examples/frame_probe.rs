//! The webview host's edges in a real page (tests/host_pipe_e2e.rs):
//!
//! - it prints to stdout before `run()` — in the app and in the webview host,
//!   which runs this `main` too — and windows still work (the protocol has
//!   pipes of its own);
//! - the page mounts a same-origin, a cross-origin (`--cross URL`, a page on
//!   loopback) and two sandboxed iframes, each of which tries to call
//!   `frames.hit` through `window.webkit.messageHandlers.ipc` and
//!   `window.ipc`: none may reach the handler, while the main page's calls
//!   do;
//! - refused messages settle their calls: an oversized invoke and a batch
//!   over `max_batch` reject with -32002, an unparsable post with -32700;
//! - `--isolation` turns the isolation pattern on (the same checks then go
//!   through the sealed path);
//! - SIGUSR1 closes the window (to release the webview host on cue: the
//!   probe keeps no host after its last window, `host_keep_alive(ZERO)`).
//!
//! Prints `FRAME_PROBE_PRELUDE <pid>` from `main` and `FRAME_REPORT {json}`
//! when the page is done. Run by hand:
//! `cargo run --example frame_probe -- --cross http://127.0.0.1:8000/cross.html`.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;

use serde_json::{json, Value};
use traykit::ipc::IpcLimits;
use traykit::isolation::Isolation;
use traykit::prelude::*;

/// `frames.hit` runs, by the `from` the caller claimed.
#[derive(Default)]
struct Hits(Mutex<BTreeMap<String, u64>>);

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

const CSP: &str = "default-src 'self' traykit:; script-src 'self' traykit:; \
    frame-src 'self' traykit: http://127.0.0.1:*; frame-ancestors 'self' traykit:; \
    object-src 'none'; base-uri 'none'";

fn main() -> Result<(), traykit::Error> {
    // Before run(): runs in the webview host too, whose stdout is the app's.
    say(&format!("FRAME_PROBE_PRELUDE {}", std::process::id()));
    println!("plain stdout noise that is not a protocol frame");
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().collect();
    let cross = args
        .iter()
        .position(|a| a == "--cross")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_default();
    let isolated = args.iter().any(|a| a == "--isolation");

    let url = format!("main.html?cross={}&isolated={isolated}", encode(&cross));
    let mut builder = App::builder()
        .name("Frame probe")
        .host_keep_alive(std::time::Duration::ZERO)
        .manage(Hits::default())
        .csp(CSP)
        .ipc_limits(
            IpcLimits::default()
                .max_message_bytes(64 * 1024)
                .max_batch(10),
        )
        .capability(r#"{"identifier": "main", "windows": ["main"], "methods": ["frames.*"]}"#)
        .window(
            Window::new("main")
                .url(url)
                .size(480.0, 360.0)
                .visible_on_start(true),
        )
        .asset("main.html", include_bytes!("frame_probe/main.html"))
        .asset("main.js", include_bytes!("frame_probe/main.js"))
        .asset("same.html", include_bytes!("frame_probe/same.html"))
        .asset("frame.js", include_bytes!("frame_probe/frame.js"))
        .command("frames.hit", |p: Value, ctx: CallContext| async move {
            let from = p["from"].as_str().unwrap_or("?").to_owned();
            let hits = ctx.state::<Hits>()?;
            let mut hits = hits.0.lock().unwrap_or_else(|e| e.into_inner());
            *hits.entry(from).or_default() += 1;
            Ok::<_, RpcError>(true)
        })
        .command("frames.echo", |v: Value, _: CallContext| async move {
            Ok::<_, RpcError>(v)
        })
        .command(
            "frames.report",
            |mut report: Value, ctx: CallContext| async move {
                let hits = ctx.state::<Hits>()?;
                let hits = hits.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
                report["hits"] = json!(hits);
                say(&format!("FRAME_REPORT {report}"));
                Ok::<_, RpcError>(())
            },
        )
        .setup(|app| {
            let app = app.clone();
            actix::spawn(async move {
                let Ok(mut usr1) =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1())
                else {
                    return;
                };
                while usr1.recv().await.is_some() {
                    if let Ok(window) = app.window("main") {
                        let closed = window.close().await;
                        say(&format!("FRAME_CLOSED {}", closed.is_ok()));
                    }
                }
            });
            Ok(())
        });
    if isolated {
        builder = builder.isolation(Isolation::hook(
            "window.__TRAYKIT_ISOLATION_HOOK__ = (p) => p;",
        ));
    }
    builder.run()
}

/// Percent-encodes a URL for a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
