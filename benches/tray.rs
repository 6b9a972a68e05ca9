//! Tray-app numbers on this machine: binary size, spawn → tray registered on
//! D-Bus, idle memory (RSS/PSS summed over the app and its children) and
//! thread count. Prints numbers; asserts nothing about speed.
//!
//! ```sh
//! bash scripts/bench.sh            # builds release examples, then runs this
//! ```
//! Needs a display (run under `scripts/headless.sh`).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::bus::Bus;
use support::watcher::Watcher;
use support::App;

const RUNS: usize = 7;

fn release_example(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/release/examples")
        .join(name);
    assert!(
        path.exists(),
        "{} missing: run `cargo build --release --examples` (scripts/bench.sh does)",
        path.display()
    );
    path
}

/// (RSS, PSS) in KiB from smaps_rollup.
fn memory_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("Rss:"), field("Pss:"))
}

fn threads(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn tree(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        all.extend(support::children_of(all[i]));
        i += 1;
    }
    all
}

struct Stats {
    median: f64,
    min: f64,
    max: f64,
}

fn stats(mut v: Vec<f64>) -> Stats {
    v.sort_by(f64::total_cmp);
    Stats {
        median: v[v.len() / 2],
        min: v[0],
        max: v[v.len() - 1],
    }
}

fn main() {
    let app = release_example("tray_clock");
    let size = std::fs::metadata(&app).map(|m| m.len()).unwrap_or(0);

    let mut startup_ms = Vec::new();
    let mut rss = Vec::new();
    let mut pss = Vec::new();
    let mut thread_counts = Vec::new();
    for run in 0..RUNS {
        let bus = Bus::start();
        let watcher = Watcher::start(&bus);
        let start = Instant::now();
        let mut child = App::spawn(&app, &bus, &[]);
        let items = watcher.wait_items(1, Duration::from_secs(20));
        assert_eq!(items.len(), 1, "run {run}: tray did not register");
        startup_ms.push(start.elapsed().as_secs_f64() * 1e3);
        std::thread::sleep(Duration::from_secs(5)); // "idle after 5 s" is the measure itself
        let (mut r, mut p) = (0, 0);
        for pid in tree(child.pid()) {
            let (a, b) = memory_kib(pid);
            r += a;
            p += b;
        }
        rss.push(r as f64 / 1024.0);
        pss.push(p as f64 / 1024.0);
        thread_counts.push(threads(child.pid()) as f64);
        child.signal("TERM");
        child.wait_exit(Duration::from_secs(10));
    }

    let line = |name: &str, unit: &str, s: Stats| {
        println!(
            "{name:<40} {:>9.1} {unit:<4} (min {:.1}, max {:.1}, {RUNS} runs)",
            s.median, s.min, s.max
        );
    };
    println!("traykit tray benchmarks — tray_clock, release build");
    println!(
        "{:<40} {:>9.2} MiB ({size} bytes)",
        "binary size",
        size as f64 / (1024.0 * 1024.0)
    );
    line("spawn → tray registered on D-Bus", "ms", stats(startup_ms));
    line("idle RSS after 5 s (app + children)", "MiB", stats(rss));
    line("idle PSS after 5 s (app + children)", "MiB", stats(pss));
    line("threads", "", stats(thread_counts));
}
