//! Tray-app numbers on this machine: binary size, spawn → tray registered on
//! D-Bus, idle memory (RSS/PSS summed over the app and its children) and
//! thread count. Prints numbers and writes `target/bench/tray.json`;
//! asserts nothing about speed.
//!
//! ```sh
//! bash scripts/bench.sh            # builds release examples, then runs this
//! ```
//! Needs a display (run under `scripts/headless.sh`). With
//! `BENCH_BEFORE_DIR` (a checkout of the "before" commit with its release
//! examples built) its `tray_clock` builds run too, interleaved run by run
//! with these, as a before column.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::bus::Bus;
use support::memory;
use support::watcher::Watcher;
use support::App;

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

/// One binary under test and what it measured, run by run.
struct Subject {
    /// `tray_clock` or `tray_clock-webview`.
    name: &'static str,
    before: bool,
    path: PathBuf,
    startup_ms: Vec<f64>,
    rss: Vec<f64>,
    pss: Vec<f64>,
    threads: Vec<f64>,
}

impl Subject {
    fn new(name: &'static str, before: bool, path: PathBuf) -> Self {
        Subject {
            name,
            before,
            path,
            startup_ms: Vec::new(),
            rss: Vec::new(),
            pss: Vec::new(),
            threads: Vec::new(),
        }
    }

    fn label(&self) -> String {
        if self.before {
            format!("{} (before)", self.name)
        } else {
            self.name.to_owned()
        }
    }

    fn measure_once(&mut self, run: usize) {
        let bus = Bus::start();
        let watcher = Watcher::start(&bus);
        let start = Instant::now();
        let mut child = App::spawn(&self.path, &bus, &[]);
        let items = watcher.wait_items(1, Duration::from_secs(20));
        assert_eq!(
            items.len(),
            1,
            "{} run {run}: tray did not register",
            self.label()
        );
        self.startup_ms.push(start.elapsed().as_secs_f64() * 1e3);
        std::thread::sleep(Duration::from_secs(5)); // "idle after 5 s" is the measure itself
        let (r, p) = memory::tree_mib(child.pid());
        self.rss.push(r);
        self.pss.push(p);
        self.threads.push(memory::threads(child.pid()) as f64);
        child.signal("TERM");
        child.wait_exit(Duration::from_secs(10));
    }

    fn size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }

    /// (measure, unit, samples)
    fn rows(&self) -> [(&'static str, &'static str, Vec<f64>); 5] {
        [
            (
                "binary size",
                "MiB",
                vec![self.size() as f64 / (1024.0 * 1024.0)],
            ),
            (
                "spawn → tray registered on D-Bus",
                "ms",
                self.startup_ms.clone(),
            ),
            (
                "idle RSS after 5 s (app + children)",
                "MiB",
                self.rss.clone(),
            ),
            (
                "idle PSS after 5 s (app + children)",
                "MiB",
                self.pss.clone(),
            ),
            ("threads", "", self.threads.clone()),
        ]
    }

    fn print(&self) {
        println!("— {}", self.label());
        println!(
            "{:<40} {:>9.2} MiB ({} bytes)",
            "binary size",
            self.size() as f64 / (1024.0 * 1024.0),
            self.size()
        );
        for (name, unit, v) in self.rows().into_iter().skip(1) {
            let s = stats(v);
            println!(
                "{name:<40} {:>9.1} {unit:<4} (min {:.1}, max {:.1}, {RUNS} runs)",
                s.median, s.min, s.max
            );
        }
    }
}

fn json_stats(v: Vec<f64>) -> Value {
    let n = v.len();
    if n == 0 {
        return Value::Null;
    }
    let s = stats(v);
    json!({"median": s.median, "min": s.min, "max": s.max, "runs": n})
}

fn main() {
    println!("traykit tray benchmarks — tray_clock, release builds");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut subjects = Vec::new();
    let mut dirs = vec![(false, root.join("target/release/examples"))];
    if let Some(before) = std::env::var_os("BENCH_BEFORE_DIR") {
        dirs.push((true, PathBuf::from(before).join("target/release/examples")));
    }
    for (before, dir) in &dirs {
        let tray_only = dir.join("tray_clock");
        assert!(
            tray_only.exists(),
            "{} missing: run `bash scripts/bench.sh` (it builds the release examples)",
            tray_only.display()
        );
        subjects.push(Subject::new("tray_clock", *before, tray_only));
        if dir.join("tray_clock-webview").exists() {
            subjects.push(Subject::new(
                "tray_clock-webview",
                *before,
                dir.join("tray_clock-webview"),
            ));
        }
    }
    // Interleaved, so a busy spell on the machine hits every binary.
    for run in 0..RUNS {
        for s in &mut subjects {
            s.measure_once(run);
        }
    }
    let mut rows = Vec::new();
    for s in subjects.iter().filter(|s| !s.before) {
        s.print();
        let before = subjects.iter().find(|b| b.before && b.name == s.name);
        if let Some(b) = before {
            b.print();
        }
        let before_rows = before.map(Subject::rows);
        for (i, (name, unit, v)) in s.rows().into_iter().enumerate() {
            rows.push(json!({
                "measure": format!("{}: {name}", s.name),
                "unit": unit,
                "higher_is_better": false,
                "after": json_stats(v),
                "before": before_rows
                    .as_ref()
                    .map_or(Value::Null, |r| json_stats(r[i].2.clone())),
            }));
        }
    }
    let dir = root.join("target/bench");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("tray.json");
    let out = json!({"bench": "tray", "runs": RUNS, "rows": rows});
    match serde_json::to_string_pretty(&out).map(|text| std::fs::write(&path, text)) {
        Ok(Ok(())) => println!("JSON: {}", path.display()),
        _ => eprintln!("could not write {}", path.display()),
    }
}
