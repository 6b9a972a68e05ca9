//! A probe app for the end-to-end tests and benchmarks of the IPC bridge: a
//! tray whose menu opens a page that exercises every JSON-RPC case, large
//! payloads, event bursts and round trips, then prints its findings as one
//! `PROBE_REPORT {json}` line on stdout.
//!
//! ```sh
//! scripts/headless.sh cargo run --example ipc_probe -- --open
//! ```
//!
//! `--second` (benchmarks): after the report, opens a second window and
//! prints `SECOND_LOADED <ms>` (show request → the second page's first IPC
//! message), as `wry_floor` and the Tauri bench app do.

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
    /// When the second window was asked for (`--second`).
    second_asked: std::sync::Mutex<Option<std::time::Instant>>,
}

/// The smallest actor: counts what it is sent (actor throughput bench).
struct Counter(u64);

impl actix::Actor for Counter {
    type Context = actix::Context<Self>;
}

#[derive(actix::Message)]
#[rtype(result = "u64")]
struct Bump;

impl actix::Handler<Bump> for Counter {
    type Result = u64;
    fn handle(&mut self, _: Bump, _: &mut actix::Context<Self>) -> u64 {
        self.0 += 1;
        self.0
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
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
  "windows": ["probe", "second"],
  "methods": ["probe.hops", "probe.actors", "probe.second_loaded", "probe.echo", "probe.add", "probe.fail", "probe.panic", "probe.len", "probe.blob",
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
    let second = std::env::args().any(|a| a == "--second");
    // `--host-keep-alive-ms N`: the bench shortens the kept host's grace so
    // it can measure the memory after it ends without waiting the default.
    let keep_alive = std::env::args()
        .skip_while(|a| a != "--host-keep-alive-ms")
        .nth(1)
        .and_then(|ms| ms.parse().ok())
        .map(std::time::Duration::from_millis);

    let mut builder = App::builder();
    if let Some(grace) = keep_alive {
        builder = builder.host_keep_alive(grace);
    }
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
        .window(Window::new("second").url("second.html").size(320.0, 200.0))
        .asset("second.html", include_bytes!("ipc_probe/second.html"))
        .asset("second.js", include_bytes!("ipc_probe/second.js"))
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
        // UI-thread hop: a request the main thread answers at once (remove
        // a tray that does not exist), awaited `n` times in a row.
        .command("probe.hops", |t: Ticks, ctx: CallContext| async move {
            let tray = traykit::ids::TrayId::new("no-such-tray")
                .map_err(|e| RpcError::new(4600, e.to_string()))?;
            let mut micros = Vec::new();
            for _ in 0..t.n {
                let start = std::time::Instant::now();
                let _ = ctx
                    .app
                    .runtime()
                    .ui()
                    .request(traykit::ui::UiRequest::RemoveTray(tray.clone()))
                    .await;
                micros.push(start.elapsed().as_secs_f64() * 1e6);
            }
            micros.sort_by(f64::total_cmp);
            Ok::<_, RpcError>(serde_json::json!({
                "p50_us": percentile(&micros, 0.5),
                "p99_us": percentile(&micros, 0.99),
            }))
        })
        // Actor messages: `n` fire-and-forget sends then one awaited send
        // (throughput), and `n / 10` awaited sends one by one (latency).
        .command("probe.actors", |t: Ticks, _: CallContext| async move {
            use actix::Actor;
            let addr = Counter(0).start();
            let start = std::time::Instant::now();
            for _ in 0..t.n {
                addr.do_send(Bump);
            }
            let seen = addr.send(Bump).await.map_err(|e| RpcError::new(4601, e.to_string()))?;
            let per_s = f64::from(t.n + 1) / start.elapsed().as_secs_f64();
            let mut micros = Vec::new();
            for _ in 0..t.n / 10 {
                let s = std::time::Instant::now();
                addr.send(Bump).await.map_err(|e| RpcError::new(4601, e.to_string()))?;
                micros.push(s.elapsed().as_secs_f64() * 1e6);
            }
            micros.sort_by(f64::total_cmp);
            Ok::<_, RpcError>(serde_json::json!({
                "msgs_per_s": per_s,
                "seen": seen,
                "send_p50_us": percentile(&micros, 0.5),
                "send_p99_us": percentile(&micros, 0.99),
            }))
        })
        .command("probe.second_loaded", |(): (), ctx: CallContext| async move {
            let asked = ctx
                .state::<Counters>()?
                .second_asked
                .lock()
                .map(|mut a| a.take())
                .unwrap_or(None);
            if let Some(t) = asked {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "SECOND_LOADED {:.3}", t.elapsed().as_secs_f64() * 1e3);
                let _ = out.flush();
            }
            Ok::<_, RpcError>(())
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
            if second {
                if let Ok(mut asked) = ctx.state::<Counters>()?.second_asked.lock() {
                    *asked = Some(std::time::Instant::now());
                }
                ctx.app.show_window("second");
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
