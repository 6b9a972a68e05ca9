//! A hostile page next to a legitimate one, with the isolation pattern on:
//! the end-to-end test of traykit's IPC defences (tests/hostile_page_e2e.rs).
//!
//! - `legit` pings the core every 20 ms and prints `LEGIT_PONG n`.
//! - `evil` tries everything it should not be able to do — ungranted
//!   methods, forged ids, oversized and deeply nested JSON, batch floods,
//!   prototype pollution, going around the isolation frame, replaying a
//!   sealed message — and reports what came back (`HOSTILE_REPORT {json}`).
//! - `--remote-url URL` adds a `remote` window loading a page from another
//!   origin, which no capability admits.
//! - `--assets-dir DIR` serves DIR as well (`.assets_dir`): the page tries
//!   to read files outside it.
//!
//! The isolation application (`hostile_page/isolation.html` and its hook)
//! refuses `hostile.hook_blocked` and tags every `hostile.echo` it lets
//! through, which shows it sees — and may rewrite — every message.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::Value;
use traykit::ipc::IpcLimits;
use traykit::isolation::Isolation;
use traykit::prelude::*;

#[derive(Default)]
struct Counters {
    /// Calls of methods the hostile page must never get to run.
    secret: AtomicUsize,
    hook_blocked: AtomicUsize,
    /// Calls sealed by an isolation frame that a nested frame mounted.
    nested: AtomicUsize,
    pongs: AtomicUsize,
    /// 0 before the attack, 1 during it, 2 after (`hostile.phase`).
    phase: AtomicUsize,
    /// The legit window's round trips (ms), per phase.
    rtts: Mutex<[Vec<f64>; 3]>,
    /// The app's peak RSS (VmHWM, KiB) when the attack began.
    hwm_before_kb: AtomicUsize,
}

/// This process's peak resident set so far (VmHWM), in KiB.
fn vm_hwm_kb() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// count, p50, p99 and max of `v` (ms).
fn stats(v: &[f64]) -> Value {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        v.get(((v.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .copied()
    };
    serde_json::json!({"count": v.len(), "p50": at(0.5), "p99": at(0.99), "max": v.last()})
}

#[derive(serde::Deserialize)]
struct Phase {
    phase: usize,
}

#[derive(serde::Deserialize)]
struct Ping {
    /// The page's previous round trip, in ms (none on the first ping).
    #[serde(default)]
    rtt: Option<f64>,
}

const CAPABILITIES: [&str; 2] = [
    r#"{"identifier": "legit", "windows": ["legit"], "methods": ["hostile.ping"]}"#,
    // `hostile.hook_blocked` is granted: only the isolation hook stops it.
    r#"{"identifier": "evil", "windows": ["evil"],
        "methods": ["hostile.echo", "hostile.report", "hostile.hook_blocked", "hostile.slow",
                    "hostile.nested", "hostile.phase"]}"#,
];

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
    let remote = args
        .iter()
        .position(|a| a == "--remote-url")
        .and_then(|i| args.get(i + 1).cloned());
    let assets_dir = args
        .iter()
        .position(|a| a == "--assets-dir")
        .and_then(|i| args.get(i + 1).cloned());

    let mut builder = App::builder()
        .name("Hostile page")
        .manage(Counters::default())
        .ipc_limits(
            IpcLimits::default()
                .max_message_bytes(1 << 20)
                .max_batch(100)
                .max_in_flight(16)
                .rate(500.0, 200.0),
        )
        .isolation(
            Isolation::new(include_str!("hostile_page/isolation.html"))
                .script("hook.js", include_str!("hostile_page/hook.js")),
        )
        .window(
            Window::new("legit")
                .url("legit.html")
                .size(320.0, 200.0)
                .visible_on_start(true),
        )
        .window(
            Window::new("evil")
                .url("evil.html")
                .size(320.0, 200.0)
                .visible_on_start(true),
        )
        .asset("legit.html", include_bytes!("hostile_page/legit.html"))
        .asset("evil.html", include_bytes!("hostile_page/evil.html"))
        .asset("evil.js", include_bytes!("hostile_page/evil.js"))
        .asset("nested.js", include_bytes!("hostile_page/nested.js"))
        .asset("evil.svg", include_bytes!("hostile_page/evil.svg"))
        .asset("evil.xhtml", include_bytes!("hostile_page/evil.xhtml"))
        .command("hostile.ping", |ping: Ping, ctx: CallContext| async move {
            let c = ctx.state::<Counters>()?;
            if let Some(rtt) = ping.rtt {
                let phase = c.phase.load(Ordering::SeqCst).min(2);
                if let Ok(mut rtts) = c.rtts.lock() {
                    rtts[phase].push(rtt);
                }
            }
            let n = c.pongs.fetch_add(1, Ordering::SeqCst) + 1;
            say(&format!("LEGIT_PONG {n}"));
            Ok::<_, RpcError>(n)
        })
        .command("hostile.echo", |v: Value, _: CallContext| async move {
            Ok::<_, RpcError>(v)
        })
        .command("hostile.slow", |(): (), _: CallContext| async move {
            actix::clock::sleep(std::time::Duration::from_millis(500)).await;
            Ok::<_, RpcError>(())
        })
        .command("hostile.secret", |(): (), ctx: CallContext| async move {
            ctx.state::<Counters>()?
                .secret
                .fetch_add(1, Ordering::SeqCst);
            Ok::<_, RpcError>("the crown jewels")
        })
        .command(
            "hostile.hook_blocked",
            |(): (), ctx: CallContext| async move {
                ctx.state::<Counters>()?
                    .hook_blocked
                    .fetch_add(1, Ordering::SeqCst);
                Ok::<_, RpcError>("the hook should have stopped this")
            },
        )
        .command(
            "hostile.phase",
            |Phase { phase }: Phase, ctx: CallContext| async move {
                let c = ctx.state::<Counters>()?;
                if phase == 1 {
                    c.hwm_before_kb.store(vm_hwm_kb(), Ordering::SeqCst);
                }
                c.phase.store(phase, Ordering::SeqCst);
                Ok::<_, RpcError>(())
            },
        )
        .command("hostile.nested", |(): (), ctx: CallContext| async move {
            ctx.state::<Counters>()?
                .nested
                .fetch_add(1, Ordering::SeqCst);
            Ok::<_, RpcError>("sealed for a nested frame")
        })
        .command(
            "hostile.report",
            |mut report: Value, ctx: CallContext| async move {
                let c = ctx.state::<Counters>()?;
                report["secret_calls"] = c.secret.load(Ordering::SeqCst).into();
                report["hook_blocked_calls"] = c.hook_blocked.load(Ordering::SeqCst).into();
                report["nested_calls"] = c.nested.load(Ordering::SeqCst).into();
                let before = c.hwm_before_kb.load(Ordering::SeqCst);
                report["memory"] = serde_json::json!({
                    "hwm_before_kb": before,
                    "hwm_after_kb": vm_hwm_kb(),
                });
                if let Ok(rtts) = c.rtts.lock() {
                    report["legit_rtt_ms"] = serde_json::json!({
                        "idle": stats(&rtts[0]),
                        "attack": stats(&rtts[1]),
                    });
                }
                say(&format!("HOSTILE_REPORT {report}"));
                Ok::<_, RpcError>(())
            },
        );
    for cap in CAPABILITIES {
        builder = builder.capability(cap);
    }
    if let Some(dir) = assets_dir {
        builder = builder.assets_dir(dir);
    }
    if let Some(url) = remote {
        builder = builder.window(
            Window::new("remote")
                .url(url)
                .size(320.0, 200.0)
                .visible_on_start(true),
        );
    }
    builder.run()
}
