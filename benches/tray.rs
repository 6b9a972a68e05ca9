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

use std::path::Path;
use std::time::{Duration, Instant};

use support::bus::Bus;
use support::memory;
use support::watcher::Watcher;
use support::{release_example, App};

const RUNS: usize = 7;

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

fn measure(binary: &str) {
    let app = release_example(binary);
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
        let (r, p) = memory::tree_mib(child.pid());
        rss.push(r);
        pss.push(p);
        thread_counts.push(memory::threads(child.pid()) as f64);
        child.signal("TERM");
        child.wait_exit(Duration::from_secs(10));
    }

    let line = |name: &str, unit: &str, s: Stats| {
        println!(
            "{name:<40} {:>9.1} {unit:<4} (min {:.1}, max {:.1}, {RUNS} runs)",
            s.median, s.min, s.max
        );
    };
    println!("— {binary}");
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

fn main() {
    println!("traykit tray benchmarks — tray_clock, release builds");
    measure("tray_clock");
    if release_example_exists("tray_clock-webview") {
        measure("tray_clock-webview");
    }
}

fn release_example_exists(name: &str) -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/release/examples")
        .join(name)
        .exists()
}
