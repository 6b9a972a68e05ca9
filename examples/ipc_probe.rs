//! A probe app for the end-to-end tests and benchmarks of the IPC bridge: a
//! tray whose menu opens a page that exercises every JSON-RPC case, large
//! payloads, event bursts and round trips, then prints its findings as one
//! `PROBE_REPORT {json}` line on stdout.
//!
//! ```sh
//! scripts/headless.sh cargo run --example ipc_probe -- --open
//! ```

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;
use serde_json::Value;
use traykit::prelude::*;

#[derive(Default)]
struct Counters {
    secret_calls: AtomicUsize,
    page_events: std::sync::Mutex<Vec<Value>>,
    /// Values the page saw arrive through `store.changed`.
    store_seen: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedSender<u64>>>,
}

#[derive(Deserialize)]
struct Seen {
    value: u64,
}

#[derive(Deserialize)]
struct Echo {
    text: String,
}

#[derive(Deserialize)]
struct Add {
    a: i64,
    b: i64,
}

#[derive(Deserialize)]
struct Data {
    data: String,
}

#[derive(Deserialize)]
struct Size {
    size: usize,
}

#[derive(Deserialize)]
struct Ticks {
    n: u32,
}

const CAPABILITY: &str = r#"{
  "identifier": "probe",
  "description": "everything the probe page needs, and not probe.secret or app.quit",
  "windows": ["probe"],
  "methods": ["probe.echo", "probe.add", "probe.fail", "probe.panic", "probe.len", "probe.blob",
              "probe.ticks", "probe.loaded", "probe.page_events", "probe.store_seen", "probe.store_bench", "store.*", "probe.secret_calls", "probe.report", "probe.nope"],
  "events": ["tick", "ticks-done", "page-note"],
  "stores": [{"store": "probe", "prefix": "bench."}]
}"#;

fn main() -> Result<(), traykit::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let open_at_start = std::env::args().any(|a| a == "--open");
    let close_after_report = std::env::args().any(|a| a == "--close-after-report");
    // The isolation pattern with a pass-through hook: what isolation costs.
    let isolation = std::env::args().any(|a| a == "--isolation");

    let mut builder = App::builder();
    if isolation {
        builder = builder.isolation(traykit::isolation::Isolation::hook(
            "window.__TRAYKIT_ISOLATION_HOOK__ = (payload) => payload;",
        ));
    }
    builder
        .name("IPC probe")
        .manage(Counters::default())
        .tray(
            Tray::new("probe").title("probe").menu(
                Menu::new()
                    .item("open", "Open probe")
                    .item("close", "Close probe")
                    .item("quit", "Quit"),
            ),
        )
        .window(
            Window::new("probe")
                .url("index.html")
                .title("IPC probe")
                .size(480.0, 320.0)
                .visible_on_start(open_at_start),
        )
        .asset("index.html", include_bytes!("ipc_probe/index.html"))
        .asset("probe.js", include_bytes!("ipc_probe/probe.js"))
        .asset("probe.css", include_bytes!("ipc_probe/probe.css"))
        .capability(CAPABILITY)
        .command("probe.echo", |e: Echo, _: CallContext| async move {
            Ok::<_, RpcError>(e.text)
        })
        .command("probe.add", |a: Add, _: CallContext| async move {
            a.a.checked_add(a.b)
                .ok_or_else(|| RpcError::new(4000, "overflow"))
        })
        .command("probe.fail", |(): (), _: CallContext| async move {
            Err::<(), _>(RpcError::new(4004, "no such note").with_data(serde_json::json!({"id": 7})))
        })
        .command("probe.panic", |(): (), _: CallContext| async move {
            if std::hint::black_box(true) {
                panic!("handler bug");
            }
            Ok::<(), RpcError>(())
        })
        .command("probe.secret", |(): (), ctx: CallContext| async move {
            ctx.state::<Counters>()?.secret_calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, RpcError>("you should not see this")
        })
        .command("probe.secret_calls", |(): (), ctx: CallContext| async move {
            Ok::<_, RpcError>(ctx.state::<Counters>()?.secret_calls.load(Ordering::SeqCst))
        })
        .command("probe.len", |d: Data, _: CallContext| async move {
            Ok::<_, RpcError>(d.data.len())
        })
        .command("probe.blob", |s: Size, _: CallContext| async move {
            if s.size > 64 << 20 {
                return Err(RpcError::new(4001, "too big"));
            }
            Ok("y".repeat(s.size))
        })
        .command("probe.ticks", |t: Ticks, ctx: CallContext| async move {
            for n in 0..t.n {
                ctx.app.emit("tick", serde_json::json!({ "n": n }));
            }
            ctx.app.emit("ticks-done", t.n);
            Ok::<_, RpcError>(())
        })
        .on_event(|app, event| {
            if let Some(c) = app.state::<Counters>() {
                if let Ok(mut events) = c.page_events.lock() {
                    events.push(serde_json::json!({"event": event.event, "source": event.source, "payload": *event.payload}));
                }
            }
        })
        .command("probe.page_events", |(): (), ctx: CallContext| async move {
            let c = ctx.state::<Counters>()?;
            let events = c.page_events.lock().map(|e| e.clone()).unwrap_or_default();
            Ok::<_, RpcError>(events)
        })
        .command("probe.store_seen", |s: Seen, ctx: CallContext| async move {
            if let Ok(tx) = ctx.state::<Counters>()?.store_seen.lock() {
                if let Some(tx) = tx.as_ref() {
                    let _ = tx.send(s.value);
                }
            }
            Ok::<_, RpcError>(())
        })
        // Rust sets a key the page watches; the page reports each change
        // back. Returns the round-trip times in µs (set → page → back).
        .command("probe.store_bench", |t: Ticks, ctx: CallContext| async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            if let Ok(mut slot) = ctx.state::<Counters>()?.store_seen.lock() {
                *slot = Some(tx);
            }
            let store = ctx.app.store("probe")?;
            let mut micros = Vec::new();
            for i in 0..u64::from(t.n) {
                let start = std::time::Instant::now();
                store.set("bench.value", &i).await?;
                loop {
                    match tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv()).await {
                        Ok(Some(v)) if v == i => break,
                        Ok(Some(_)) => continue,
                        _ => return Err(RpcError::new(4500, "the page stopped reporting")),
                    }
                }
                micros.push(start.elapsed().as_secs_f64() * 1e6);
            }
            Ok(micros)
        })
        .command("probe.loaded", |(): (), _: CallContext| async move {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "PROBE_LOADED");
            let _ = out.flush();
            Ok::<_, RpcError>(())
        })
        .command("probe.report", move |report: Value, ctx: CallContext| async move {
            {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "PROBE_REPORT {report}");
                let _ = out.flush();
            }
            if close_after_report {
                ctx.app.window("probe")?.close().await?;
            }
            Ok::<_, RpcError>(())
        })
        .on_menu_click(|app, click| match click.item.as_str() {
            "open" => app.show_window("probe"),
            "close" => {
                if let Ok(w) = app.window("probe") {
                    actix::spawn(async move {
                        let _ = w.close().await;
                    });
                }
            }
            _ => app.quit(),
        })
        .run()
}
