//! Window and IPC numbers: traykit's ipc_probe against the raw wry floor
//! (examples/wry_floor: same page measurements, no framework), plus memory
//! tray-only → one window → after Destroy. Prints numbers; asserts nothing.
//!
//! `bash scripts/bench.sh` builds the release examples and runs this.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::bus::Bus;
use support::memory;
use support::sni::Item;
use support::watcher::Watcher;
use support::{eventually, release_example, App};

const RUNS: usize = 3;
const T: Duration = Duration::from_secs(60);
const IDLE: Duration = Duration::from_secs(5);

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn num(r: &Value, key: &str) -> f64 {
    r[key].as_f64().unwrap_or(f64::NAN)
}

#[derive(Default)]
struct Samples {
    rows: Vec<(String, String, Vec<f64>, Vec<f64>)>,
}

impl Samples {
    fn add(&mut self, name: &str, unit: &str, traykit: f64, floor: Option<f64>) {
        match self.rows.iter_mut().find(|r| r.0 == name) {
            Some(row) => {
                row.2.push(traykit);
                row.3.extend(floor);
            }
            None => self.rows.push((
                name.to_owned(),
                unit.to_owned(),
                vec![traykit],
                floor.into_iter().collect(),
            )),
        }
    }

    fn print(&self) {
        println!(
            "{:<44} {:>10} {:>10} {:>7}   (traykit min–max over {RUNS} runs)",
            "measure", "traykit", "wry floor", "ratio"
        );
        for (name, unit, t, f) in &self.rows {
            let (tm, tmin, tmax) = median(t.clone());
            let (floor, ratio) = if f.is_empty() {
                ("–".to_owned(), "–".to_owned())
            } else {
                let (fm, _, _) = median(f.clone());
                (format!("{fm:.1}"), format!("{:.2}x", tm / fm))
            };
            println!(
                "{:<44} {:>10} {:>10} {:>7}   ({tmin:.1}–{tmax:.1})",
                format!("{name} [{unit}]"),
                format!("{tm:.1}"),
                floor,
                ratio
            );
        }
    }
}

fn floor_run() -> (f64, Value) {
    let bus = Bus::start();
    let start = Instant::now();
    let mut app = App::spawn_piped(&release_example("wry_floor"), &bus, &[]);
    app.wait_line("FLOOR_LOADED", T).expect("floor page loads");
    let load_ms = start.elapsed().as_secs_f64() * 1e3;
    let report = app.wait_line("FLOOR_REPORT", T).expect("floor report");
    app.wait_exit(T);
    (load_ms, serde_json::from_str(&report).expect("json"))
}

fn main() {
    let probe = release_example("ipc_probe");
    let mut s = Samples::default();
    for _ in 0..RUNS {
        let (floor_load, floor) = floor_run();

        // Spawn → first page load, window open at start (with a panel on
        // the bus, as on a desktop).
        let bus = Bus::start();
        let _watcher = Watcher::start(&bus);
        let start = Instant::now();
        let mut app = App::spawn_piped(&probe, &bus, &["--open"]);
        app.wait_line("PROBE_LOADED", T).expect("probe loads");
        s.add(
            "spawn → first page load",
            "ms",
            start.elapsed().as_secs_f64() * 1e3,
            Some(floor_load),
        );
        let r: Value =
            serde_json::from_str(&app.wait_line("PROBE_REPORT", T).expect("report")).expect("json");
        app.signal("TERM");
        app.wait_exit(T);
        drop(bus);

        let per_call = |v: f64| v * 1000.0 / 1000.0; // ms per 1000 calls → µs per call
        s.add(
            "invoke round trip, sequential (mean)",
            "µs",
            per_call(num(&r, "sequential_1000_ms")),
            Some(per_call(num(&floor, "sequential_1000_ms"))),
        );
        s.add(
            "invoke round trip p50 (page timer, ~1 ms grain)",
            "ms",
            num(&r, "rtt_p50_ms"),
            None,
        );
        s.add(
            "invoke round trip p99 (page timer)",
            "ms",
            num(&r, "rtt_p99_ms"),
            None,
        );
        let seq = num(&r, "sequential_1000_ms");
        let fseq = num(&floor, "sequential_1000_ms");
        s.add("calls/s sequential", "1/s", 1e6 / seq, Some(1e6 / fseq));
        s.add(
            "floor via custom-protocol POST, sequential (mean)",
            "µs",
            num(&floor, "post_sequential_1000_ms"),
            None,
        );
        s.add(
            "1,000 concurrent invokes",
            "ms",
            num(&r, "concurrent_1000_ms"),
            Some(num(&floor, "concurrent_1000_ms")),
        );
        s.add(
            "10 MiB request",
            "ms",
            num(&r, "big_request_ms"),
            Some(num(&floor, "big_request_ms")),
        );
        s.add(
            "10 MiB response",
            "ms",
            num(&r, "big_response_ms"),
            Some(num(&floor, "big_response_ms")),
        );
        s.add(
            "store set → page watcher → back, p50",
            "µs",
            num(&r, "store_watch_p50_us"),
            None,
        );
        s.add(
            "store set → page watcher → back, p99",
            "µs",
            num(&r, "store_watch_p99_us"),
            None,
        );
        s.add(
            "10,000-event burst to the page",
            "ms",
            num(&r, "ticks_ms"),
            Some(num(&floor, "ticks_ms")),
        );

        // Memory: tray only → one window → after Destroy; on-demand opens.
        let bus = Bus::start();
        let watcher = Watcher::start(&bus);
        let mut app = App::spawn_piped(&probe, &bus, &[]);
        let items = watcher.wait_items(1, T);
        let tray = Item::new(&bus, items[0].clone());
        std::thread::sleep(IDLE);
        let (_, tray_pss) = memory::tree_mib(app.pid());
        s.add(
            "PSS tray only, idle 5 s (app + children)",
            "MiB",
            tray_pss,
            None,
        );
        let t0 = Instant::now();
        tray.click("Open probe");
        app.wait_line("PROBE_LOADED", T).expect("loads");
        s.add(
            "tray click → window page load (first)",
            "ms",
            t0.elapsed().as_secs_f64() * 1e3,
            None,
        );
        app.wait_line("PROBE_REPORT", T).expect("report");
        std::thread::sleep(IDLE);
        let (rss_open, pss_open) = memory::tree_mib(app.pid());
        s.add("PSS one window, idle 5 s", "MiB", pss_open, None);
        s.add("RSS one window, idle 5 s", "MiB", rss_open, None);
        tray.click("Close probe");
        eventually(T, || app.web_processes().is_empty().then_some(())).expect("web process exits");
        std::thread::sleep(IDLE);
        let (_, pss_closed) = memory::tree_mib(app.pid());
        s.add("PSS after Destroy, idle 5 s", "MiB", pss_closed, None);
        let t1 = Instant::now();
        tray.click("Open probe");
        app.wait_line("PROBE_LOADED", T).expect("reloads");
        s.add(
            "tray click → window page load (re-open)",
            "ms",
            t1.elapsed().as_secs_f64() * 1e3,
            None,
        );
        s.add(
            "threads, window open",
            "",
            memory::threads(app.pid()) as f64,
            None,
        );
        app.wait_line("PROBE_REPORT", T);
        tray.click("Quit");
        app.wait_exit(T);
    }
    println!("traykit window/IPC benchmarks — release builds, WEBKIT_DISABLE_COMPOSITING_MODE=1");
    s.print();
}
