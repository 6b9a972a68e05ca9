//! traykit against its floor and against Tauri, on this machine, in one run:
//! the same scenarios as three apps — `examples/ipc_probe` (traykit),
//! `examples/wry_floor` (bare tao + wry + tray-icon: no framework) and
//! `bench/tauri_app` (a plain Tauri 2 app) — each figure printed as
//! traykit / floor / Tauri with ratios, and written to
//! `target/bench/results.json`. Prints numbers; asserts nothing.
//!
//! `bash scripts/bench.sh` builds the three (release) and runs this. Runs:
//! `BENCH_RUNS` (default 5); medians with min–max. For before/after
//! comparisons: `BENCH_BEFORE_DIR` (a checkout of the "before" commit with
//! its release examples built; `scripts/bench.sh` builds them) adds its probe
//! as an interleaved fourth column and its tray-only `tray_clock` size
//! (`BENCH_BEFORE_BIN` names a before probe alone), `BENCH_TRAYKIT_BIN` runs
//! another build of the probe, `BENCH_ONLY=traykit` skips the other
//! columns, `BENCH_OUT` names the JSON file. Exits 1 (after writing the
//! results) when a column that should run recorded nothing.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::bus::Bus;
use support::memory;
use support::sni::Item;
use support::watcher::Watcher;
use support::{eventually, release_example, App};

const T: Duration = Duration::from_secs(60);
const IDLE: Duration = Duration::from_secs(5);
/// The probe's host keep-alive in the tray scenario (`--host-keep-alive-ms`;
/// the default is 30 s): long enough that the quick re-open finds the host,
/// short enough that the bench can wait for it to end.
const KEEP_ALIVE: Duration = Duration::from_secs(8);
/// How long the "user" reads the menu before clicking.
const MENU_READ: Duration = Duration::from_millis(150);
/// An open slower than this is a stall (issue 14: the 500 ms first-paint
/// stall of WebKit's UI process).
const STALL_MS: f64 = 400.0;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Traykit,
    Floor,
    Tauri,
    /// Another build of the probe (`BENCH_BEFORE_BIN`), run interleaved
    /// with the others: before/after figures for an optimisation.
    Before,
}

const COLS: [Col; 4] = [Col::Traykit, Col::Floor, Col::Tauri, Col::Before];

impl Col {
    fn name(self) -> &'static str {
        match self {
            Col::Traykit => "traykit",
            Col::Floor => "floor",
            Col::Tauri => "tauri",
            Col::Before => "traykit (before)",
        }
    }
}

/// One app under test and how to drive it.
struct Subject {
    col: Col,
    binary: PathBuf,
    loaded: &'static str,
    report: &'static str,
    /// Extra arguments for the tray-only start.
    tray_args: &'static [&'static str],
}

struct Stats {
    median: f64,
    min: f64,
    max: f64,
    n: usize,
}

fn stats(v: &[f64]) -> Option<Stats> {
    let mut v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    // The median of an even count is the mean of the middle two.
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some(Stats {
        median,
        min: v[0],
        max: v[n - 1],
        n,
    })
}

struct Row {
    name: String,
    unit: &'static str,
    /// Higher is better (throughputs), for the "worse than" flags.
    higher_better: bool,
    samples: [Vec<f64>; 4],
}

#[derive(Default)]
struct Table {
    rows: Vec<Row>,
    /// Every tray-driven open (click → page load, ms) per column, for the
    /// stall row.
    opens: [Vec<f64>; 4],
}

impl Table {
    fn row(&mut self, name: &str, unit: &'static str, higher_better: bool) -> &mut Row {
        if let Some(i) = self.rows.iter().position(|r| r.name == name) {
            return &mut self.rows[i];
        }
        self.rows.push(Row {
            name: name.to_owned(),
            unit,
            higher_better,
            samples: Default::default(),
        });
        let last = self.rows.len() - 1;
        &mut self.rows[last]
    }

    fn add(&mut self, col: Col, name: &str, unit: &'static str, v: f64) {
        let i = COLS.iter().position(|c| *c == col).unwrap_or(0);
        self.row(name, unit, false).samples[i].push(v);
    }

    /// Records one tray-driven open for the stall count.
    fn open(&mut self, col: Col, ms: f64) {
        let i = COLS.iter().position(|c| *c == col).unwrap_or(0);
        self.opens[i].push(ms);
    }

    /// One row per column: the opens slower than `STALL_MS`, per 100.
    fn add_stalls(&mut self) {
        for (i, col) in COLS.iter().enumerate() {
            let opens = &self.opens[i];
            if opens.is_empty() {
                continue;
            }
            let slow = opens.iter().filter(|ms| **ms > STALL_MS).count();
            let name = format!("tray opens over {STALL_MS:.0} ms, per 100 opens (3 per run)");
            let per_100 = slow as f64 * 100.0 / opens.len() as f64;
            self.add(*col, &name, "", per_100);
        }
    }

    fn add_rate(&mut self, col: Col, name: &str, unit: &'static str, v: f64) {
        let i = COLS.iter().position(|c| *c == col).unwrap_or(0);
        self.row(name, unit, true).samples[i].push(v);
    }
}

fn fmt(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A ratio traykit / other, flagged `!` when traykit is worse by more than
/// 20 % (against the floor) or at all (against Tauri).
fn ratio(t: &Stats, o: &Stats, higher_better: bool, tolerance: f64) -> (f64, bool) {
    let r = t.median / o.median;
    let worse = if higher_better {
        r < 1.0 / tolerance
    } else {
        r > tolerance
    };
    (r, worse)
}

/// Prints the table, and returns it as JSON and as Markdown (for
/// BENCHMARKS.md).
fn print_and_json(
    table: &Table,
    machine: &Value,
    runs: usize,
    tauri_note: &str,
) -> (Value, String) {
    let before = table.rows.iter().any(|r| !r.samples[3].is_empty());
    let mut md = String::from(
        "| measure | traykit | wry floor | Tauri 2 | traykit / floor | traykit / Tauri |",
    );
    md.push_str(if before {
        " traykit before | after / before |\n|---|---|---|---|---|---|---|---|\n"
    } else {
        "\n|---|---|---|---|---|---|\n"
    });
    println!();
    println!(
        "{:<52} {:>22} {:>22} {:>22} {:>8} {:>8}{}",
        "measure [unit]",
        "traykit",
        "wry floor",
        "Tauri 2",
        "tk/flr",
        "tk/tau",
        if before {
            format!(" {:>22} {:>8}", "traykit before", "aft/bef")
        } else {
            String::new()
        }
    );
    let cell = |s: &Option<Stats>| match s {
        Some(s) if s.n > 1 => format!("{} ({}–{})", fmt(s.median), fmt(s.min), fmt(s.max)),
        Some(s) => fmt(s.median),
        None => "–".to_owned(),
    };
    let mut rows = Vec::new();
    for row in &table.rows {
        let st: Vec<Option<Stats>> = row.samples.iter().map(|v| stats(v)).collect();
        let rb = match (&st[0], &st[3]) {
            (Some(t), Some(b)) => Some(t.median / b.median).filter(|r| r.is_finite()),
            _ => None,
        };
        let (rf, rt) = match (&st[0], &st[1], &st[2]) {
            (Some(t), f, tau) => (
                f.as_ref().map(|f| ratio(t, f, row.higher_better, 1.2)),
                tau.as_ref().map(|o| ratio(t, o, row.higher_better, 1.0)),
            ),
            _ => (None, None),
        };
        let show = |r: Option<(f64, bool)>| match r {
            // A ratio of two zeros (page-timer grain) says nothing.
            Some((r, worse)) if r.is_finite() => {
                format!("{r:.2}x{}", if worse { "!" } else { " " })
            }
            _ => "–".to_owned(),
        };
        md.push_str(&format!(
            "| {} [{}] | {} | {} | {} | {} | {} |",
            row.name,
            row.unit,
            cell(&st[0]),
            cell(&st[1]),
            cell(&st[2]),
            show(rf).trim(),
            show(rt).trim()
        ));
        if before {
            md.push_str(&format!(
                " {} | {} |",
                cell(&st[3]),
                rb.map_or("–".to_owned(), |r| format!("{r:.2}x"))
            ));
        }
        md.push('\n');
        let tail = if before {
            format!(
                " {:>22} {:>8}",
                cell(&st[3]),
                rb.map_or("–".to_owned(), |r| format!("{r:.2}x"))
            )
        } else {
            String::new()
        };
        println!(
            "{:<52} {:>22} {:>22} {:>22} {:>8} {:>8}{tail}",
            format!("{} [{}]", row.name, row.unit),
            cell(&st[0]),
            cell(&st[1]),
            cell(&st[2]),
            show(rf),
            show(rt)
        );
        let j = |s: &Option<Stats>| match s {
            Some(s) => json!({"median": s.median, "min": s.min, "max": s.max, "runs": s.n}),
            None => Value::Null,
        };
        rows.push(json!({
            "measure": row.name,
            "unit": row.unit,
            "higher_is_better": row.higher_better,
            "traykit": j(&st[0]),
            "floor": j(&st[1]),
            "tauri": j(&st[2]),
            "traykit_over_floor": rf.map(|r| r.0),
            "traykit_over_tauri": rt.map(|r| r.0),
            "worse_than_floor_by_20pct": rf.map(|r| r.1),
            "worse_than_tauri": rt.map(|r| r.1),
            "traykit_before": j(&st[3]),
            "after_over_before": rb,
        }));
    }
    println!(
        "\n{runs} runs; medians with (min–max). ! = traykit more than 20% worse than the floor, \
         or worse than Tauri. {tauri_note}"
    );
    (
        json!({ "machine": machine, "runs": runs, "rows": rows, "tauri": tauri_note }),
        md,
    )
}

fn num(r: &Value, key: &str) -> f64 {
    r[key].as_f64().unwrap_or(f64::NAN)
}

fn stop(app: &mut App) {
    if app.child.try_wait().ok().flatten().is_none() {
        app.signal("TERM");
    }
    if app.wait_exit(Duration::from_secs(10)).is_none() {
        let _ = app.child.kill();
        let _ = app.child.wait();
    }
}

/// Window open at start: spawn → page load, the page's IPC report, then a
/// second window (request → its page's first message, timed by the app).
fn run_open(s: &Subject, t: &mut Table) {
    let bus = Bus::start();
    let _watcher = Watcher::start(&bus);
    let start = Instant::now();
    let mut app = App::spawn_piped(&s.binary, &bus, &["--open", "--second"]);
    if app.wait_line(s.loaded, T).is_none() {
        eprintln!("{}: page never loaded", s.col.name());
        stop(&mut app);
        return;
    }
    t.add(
        s.col,
        "spawn → first page load (window at start)",
        "ms",
        start.elapsed().as_secs_f64() * 1e3,
    );
    let Some(line) = app.wait_line(s.report, T) else {
        eprintln!("{}: no report", s.col.name());
        stop(&mut app);
        return;
    };
    let r: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
    if let Some(fatal) = r.get("fatal") {
        eprintln!("{}: page failed: {fatal}", s.col.name());
    }
    if let Some(ms) = app
        .wait_line("SECOND_LOADED", T)
        .and_then(|l| l.parse::<f64>().ok())
    {
        t.add(
            s.col,
            "second window (first open) → its page's first message",
            "ms",
            ms,
        );
    }
    stop(&mut app);
    drop(bus);

    let seq = num(&r, "sequential_1000_ms");
    t.add(s.col, "invoke round trip, sequential mean", "µs", seq);
    t.add_rate(s.col, "invokes/s, sequential", "1/s", 1e6 / seq);
    // (row, unit, key in the page's report)
    const PAGE_ROWS: [(&str, &str, &str); 8] = [
        ("invoke p50 (page timer, ~1 ms grain)", "ms", "rtt_p50_ms"),
        ("invoke p99 (page timer)", "ms", "rtt_p99_ms"),
        ("1,000 invokes in flight", "ms", "concurrent_1000_ms"),
        ("10 MiB request", "ms", "big_request_ms"),
        ("10 MiB response", "ms", "big_response_ms"),
        (
            "10,000-event burst to the page (floor: 10 scripts of 1,000 events)",
            "ms",
            "ticks_ms",
        ),
        ("UI-thread hop p50", "µs", "hop_p50_us"),
        ("UI-thread hop p99", "µs", "hop_p99_us"),
    ];
    for (row, unit, key) in PAGE_ROWS {
        t.add(s.col, row, unit, num(&r, key));
    }
    if matches!(s.col, Col::Traykit | Col::Before) {
        t.add_rate(
            s.col,
            "actor messages/s (do_send ×100k + send)",
            "1/s",
            num(&r, "actor_msgs_per_s"),
        );
        const ACTOR_ROWS: [(&str, &str, &str); 3] = [
            ("actor send→reply p50", "µs", "actor_send_p50_us"),
            ("actor send→reply p99", "µs", "actor_send_p99_us"),
            (
                "store set → page watcher → back, p50",
                "µs",
                "store_watch_p50_us",
            ),
        ];
        for (row, unit, key) in ACTOR_ROWS {
            t.add(s.col, row, unit, num(&r, key));
        }
    }
    if s.col == Col::Floor {
        t.add(
            s.col,
            "custom-protocol POST round trip (floor only)",
            "µs",
            num(&r, "post_sequential_1000_ms"),
        );
    }
}

/// Tray-only start → open a window from the tray → destroy it → re-open:
/// memory (app + all its child processes) after 5 s idle in each state.
fn run_tray(s: &Subject, t: &mut Table) {
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let start = Instant::now();
    let mut app = App::spawn_piped(&s.binary, &bus, s.tray_args);
    let items = watcher.wait_items(1, Duration::from_secs(20));
    if items.is_empty() {
        eprintln!("{}: no tray registered", s.col.name());
        stop(&mut app);
        return;
    }
    t.add(
        s.col,
        "spawn → tray registered on D-Bus",
        "ms",
        start.elapsed().as_secs_f64() * 1e3,
    );
    let tray = Item::new(&bus, items[0].clone());
    std::thread::sleep(IDLE);
    let (rss, pss) = memory::tree_mib(app.pid());
    t.add(
        s.col,
        "PSS tray only, idle 5 s (app + children)",
        "MiB",
        pss,
    );
    t.add(
        s.col,
        "RSS tray only, idle 5 s (app + children)",
        "MiB",
        rss,
    );
    t.add(
        s.col,
        "threads, tray only (app process)",
        "",
        memory::threads(app.pid()) as f64,
    );

    if !timed_open(
        s,
        &app,
        &tray,
        t,
        "tray click → window page load (on demand)",
    ) {
        stop(&mut app);
        return;
    }
    std::thread::sleep(IDLE);
    let (rss, pss) = memory::tree_mib(app.pid());
    t.add(s.col, "PSS one window, idle 5 s", "MiB", pss);
    t.add(s.col, "RSS one window, idle 5 s", "MiB", rss);
    t.add(
        s.col,
        "threads, one window (app process)",
        "",
        memory::threads(app.pid()) as f64,
    );
    close_window(s, &app, &tray);
    std::thread::sleep(IDLE);
    // traykit keeps the webview host for its keep-alive (`KEEP_ALIVE` here):
    // this is the memory a quick re-open pays for; the row after the grace
    // ends is the memory that comes back.
    let (rss, pss) = memory::tree_mib(app.pid());
    t.add(
        s.col,
        "PSS after the window is destroyed, idle 5 s (traykit: host kept)",
        "MiB",
        pss,
    );
    t.add(
        s.col,
        "RSS after the window is destroyed, idle 5 s (traykit: host kept)",
        "MiB",
        rss,
    );
    if !timed_open(
        s,
        &app,
        &tray,
        t,
        "tray click → window page load (re-open after destroy)",
    ) {
        stop(&mut app);
        return;
    }
    close_window(s, &app, &tray);
    std::thread::sleep(KEEP_ALIVE + IDLE);
    let (rss, pss) = memory::tree_mib(app.pid());
    t.add(
        s.col,
        "PSS after the window is destroyed and the keep-alive ends, idle 5 s",
        "MiB",
        pss,
    );
    t.add(
        s.col,
        "RSS after the window is destroyed and the keep-alive ends, idle 5 s",
        "MiB",
        rss,
    );
    // What a shell does: the menu opens (`AboutToShow`, `Event "opened"`),
    // the user reads it for a moment, then clicks. traykit starts its host
    // on the first signal; the others get the same calls.
    tray.open_menu();
    std::thread::sleep(MENU_READ);
    timed_open(
        s,
        &app,
        &tray,
        t,
        "menu opened → click 150 ms later → window page load (from the click)",
    );
    tray.click("Quit");
    if app.wait_exit(Duration::from_secs(10)).is_none() {
        stop(&mut app);
    }
}

/// Clicks "Open probe" and records click → page load as `row` (and for the
/// stall count), then waits for the page's report; false if it never
/// loaded.
fn timed_open(s: &Subject, app: &App, tray: &Item, t: &mut Table, row: &str) -> bool {
    let started = Instant::now();
    tray.click("Open probe");
    if app.wait_line(s.loaded, T).is_none() {
        eprintln!("{}: {row}: the window never loaded", s.col.name());
        return false;
    }
    let ms = started.elapsed().as_secs_f64() * 1e3;
    t.add(s.col, row, "ms", ms);
    t.open(s.col, ms);
    app.wait_line(s.report, T);
    true
}

/// Clicks "Close probe" and waits (≤ 15 s) for the window's web process
/// to go. (traykit's kept host starts a new, warm one meanwhile.)
fn close_window(s: &Subject, app: &App, tray: &Item) {
    let open = app.web_processes();
    tray.click("Close probe");
    if eventually(Duration::from_secs(15), || {
        let now = app.web_processes();
        (!open.iter().any(|p| now.contains(p))).then_some(())
    })
    .is_none()
    {
        eprintln!(
            "{}: web process still alive 15 s after Destroy",
            s.col.name()
        );
    }
}

fn size_mib(path: &Path) -> Option<f64> {
    std::fs::metadata(path)
        .ok()
        .map(|m| m.len() as f64 / (1024.0 * 1024.0))
}

fn machine() -> Value {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_default();
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let mem_kib = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0);
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_owned())
        .unwrap_or_default();
    let webkit = std::process::Command::new("pkg-config")
        .args(["--modversion", "webkit2gtk-4.1"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let load = read("/proc/loadavg");
    json!({
        "cpu": cpu, "cores": cores, "mem_gib": (mem_kib as f64 / 1048576.0 * 10.0).round() / 10.0,
        "os": os, "webkit2gtk": webkit, "loadavg_at_start": load.trim(),
        "display": "Xvfb, WEBKIT_DISABLE_COMPOSITING_MODE=1 GDK_GL=disable (every column)",
    })
}

fn main() {
    // The same GTK/WebKit environment for every column: traykit sets
    // `GDK_GL=disable` for itself unless told otherwise, which alone was
    // most of its idle-memory lead over the floor and Tauri (issue 14).
    std::env::set_var("GDK_GL", "disable");
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tauri_bin = root.join("bench/tauri_app/target/release/tauri_bench");
    let tauri_note = if tauri_bin.exists() {
        // The version actually built, from the app's lock file.
        let lock =
            std::fs::read_to_string(root.join("bench/tauri_app/Cargo.lock")).unwrap_or_default();
        let version = lock
            .split("[[package]]")
            .find(|p| p.contains("name = \"tauri\"\n"))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
            .map(|v| v.trim_matches('"').to_owned())
            .unwrap_or_else(|| "2".into());
        format!("Tauri: bench/tauri_app (tauri {version}, release).")
    } else {
        let why = std::fs::read_to_string(root.join("target/bench/tauri_build.txt"))
            .unwrap_or_else(|_| "not built".into());
        format!("Tauri column empty: {}", why.trim())
    };
    let machine = machine();
    let traykit_bin = std::env::var_os("BENCH_TRAYKIT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| release_example("ipc_probe"));
    let only_traykit = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "traykit");
    let mut subjects = vec![
        Subject {
            col: Col::Traykit,
            binary: traykit_bin,
            loaded: "PROBE_LOADED",
            report: "PROBE_REPORT",
            tray_args: &["--host-keep-alive-ms", "8000"],
        },
        Subject {
            col: Col::Floor,
            binary: release_example("wry_floor"),
            loaded: "FLOOR_LOADED",
            report: "FLOOR_REPORT",
            tray_args: &["--tray"],
        },
    ];
    let before_examples = std::env::var_os("BENCH_BEFORE_DIR")
        .map(|d| PathBuf::from(d).join("target/release/examples"));
    let before_bin = std::env::var_os("BENCH_BEFORE_BIN")
        .map(PathBuf::from)
        .or_else(|| before_examples.as_ref().map(|d| d.join("ipc_probe")));
    if let Some(before) = before_bin {
        assert!(
            before.exists(),
            "{} missing: build the before checkout's release examples",
            before.display()
        );
        subjects.push(Subject {
            col: Col::Before,
            binary: before,
            loaded: "PROBE_LOADED",
            report: "PROBE_REPORT",
            tray_args: &["--host-keep-alive-ms", "8000"],
        });
    }
    if only_traykit {
        subjects.retain(|s| matches!(s.col, Col::Traykit | Col::Before));
    } else if tauri_bin.exists() {
        subjects.push(Subject {
            col: Col::Tauri,
            binary: tauri_bin.clone(),
            loaded: "PROBE_LOADED",
            report: "PROBE_REPORT",
            tray_args: &[],
        });
    }

    let mut t = Table::default();
    // Sizes first: they do not vary between runs.
    let tray_only = root.join("target/release/examples/tray_clock");
    if let Some(mib) = size_mib(&tray_only) {
        t.add(
            Col::Traykit,
            "binary size, tray-only app (tray_clock)",
            "MiB",
            mib,
        );
    }
    if let Some(mib) = before_examples.and_then(|d| size_mib(&d.join("tray_clock"))) {
        t.add(
            Col::Before,
            "binary size, tray-only app (tray_clock)",
            "MiB",
            mib,
        );
    }
    for s in &subjects {
        if let Some(mib) = size_mib(&s.binary) {
            t.add(s.col, "binary size, one-window app (the probe)", "MiB", mib);
        }
    }
    for run in 0..runs {
        // Interleaved, so a busy spell on the machine hits every column.
        for s in &mut subjects {
            eprintln!("run {}/{runs}: {}", run + 1, s.col.name());
            run_open(s, &mut t);
            run_tray(s, &mut t);
        }
    }
    t.add_stalls();
    let mut machine = machine;
    let load_end = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    machine["loadavg_at_end"] = json!(load_end.trim());
    println!(
        "traykit / raw wry floor / Tauri 2 — release builds, {}",
        machine["display"].as_str().unwrap_or("")
    );
    let (out, mut md) = print_and_json(&t, &machine, runs, &tauri_note);
    let load = format!(
        "Load average (1, 5, 15 min; runnable/total; last pid) at start: {}; at end: {}.",
        machine["loadavg_at_start"].as_str().unwrap_or("?"),
        load_end.trim()
    );
    println!("{load}");
    md.push_str(&format!("\n{load}\n"));
    let dir = root.join("target/bench");
    let _ = std::fs::create_dir_all(&dir);
    let path = std::env::var_os("BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("results.json"));
    match serde_json::to_string_pretty(&out).map(|text| std::fs::write(&path, text)) {
        Ok(Ok(())) => println!("JSON: {}", path.display()),
        _ => eprintln!("could not write {}", path.display()),
    }
    let md_path = path.with_extension("md");
    match std::fs::write(&md_path, md) {
        Ok(()) => println!("Markdown table: {}", md_path.display()),
        Err(error) => eprintln!("could not write {}: {error}", md_path.display()),
    }
    // A column that could not run must not pass for a result (issue 14: the
    // Tauri column once stayed empty on a fresh machine without a word).
    let mut empty: Vec<&str> = subjects
        .iter()
        .filter(|s| !ran(&t, s.col))
        .map(|s| s.col.name())
        .collect();
    for s in &subjects {
        let got = samples(&t, s.col);
        if got > 0 && got < runs {
            eprintln!(
                "bench: WARNING: {} completed {got} of {runs} runs (see the messages above)",
                s.col.name()
            );
        }
    }
    if !only_traykit && !tauri_bin.exists() {
        empty.push("tauri (not built; BENCH_ONLY=traykit skips it on purpose)");
    }
    if !empty.is_empty() {
        eprintln!(
            "\nBENCH FAILED: no page load or tray-open recorded for: {} (see the messages above)",
            empty.join(", ")
        );
        std::process::exit(1);
    }
}

/// Whether column `col` recorded both scenarios at least once.
fn ran(t: &Table, col: Col) -> bool {
    samples(t, col) > 0
}

/// How many runs of column `col` recorded both scenarios (the fewer of the
/// two counts).
fn samples(t: &Table, col: Col) -> usize {
    let i = COLS.iter().position(|c| *c == col).unwrap_or(0);
    [
        "spawn → first page load (window at start)",
        "tray click → window page load (on demand)",
    ]
    .iter()
    .map(|name| {
        t.rows
            .iter()
            .find(|r| r.name == *name)
            .map_or(0, |r| r.samples[i].len())
    })
    .min()
    .unwrap_or(0)
}
