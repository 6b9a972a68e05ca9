//! What the isolation pattern costs: the same probe page (examples/ipc_probe)
//! with and without `--isolation` (a pass-through hook), invoke round trips
//! and 1,000 concurrent calls. Prints numbers; asserts nothing.
//!
//! `bash scripts/bench.sh` builds the release examples and runs this; it
//! writes `target/bench/isolation.json`. With `BENCH_BEFORE_DIR` (a checkout
//! of the "before" commit with its release examples built) that checkout's
//! probe runs too, interleaved run by run, as a before column.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use support::bus::Bus;
use support::{release_example, App};

const RUNS: usize = 5;
const T: Duration = Duration::from_secs(60);

fn probe_run(probe: &Path, args: &[&str]) -> Value {
    let bus = Bus::start();
    let mut app = App::spawn_piped(probe, &bus, args);
    let report = app.wait_line("PROBE_REPORT", T).expect("the probe reports");
    app.signal("TERM");
    app.wait_exit(T);
    serde_json::from_str(&report).expect("report is JSON")
}

/// One probe run mode and its samples, one list per row.
struct Subject<'a> {
    label: &'static str,
    probe: &'a Path,
    args: &'static [&'static str],
    samples: Vec<Vec<f64>>,
}

impl<'a> Subject<'a> {
    fn new(
        label: &'static str,
        probe: &'a Path,
        args: &'static [&'static str],
        rows: usize,
    ) -> Self {
        Subject {
            label,
            probe,
            args,
            samples: vec![Vec::new(); rows],
        }
    }
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn main() {
    let rows = [
        (
            "invoke round trip p50 (50-call blocks)",
            "µs",
            "rtt_block_p50_us",
            1.0,
        ),
        (
            "invoke round trip p90 (50-call blocks)",
            "µs",
            "rtt_block_p90_us",
            1.0,
        ),
        (
            "invoke round trip, sequential mean",
            "µs",
            "sequential_1000_ms",
            1.0,
        ),
        ("1,000 concurrent invokes", "ms", "concurrent_1000_ms", 1.0),
    ];
    let probe = release_example("ipc_probe");
    let before_probe = std::env::var_os("BENCH_BEFORE_DIR")
        .map(|d| PathBuf::from(d).join("target/release/examples/ipc_probe"));
    if let Some(b) = &before_probe {
        assert!(
            b.exists(),
            "{} missing: build the before checkout's release examples",
            b.display()
        );
    }
    // Interleaved run by run: brownfield, isolation (, and the same before).
    let mut subjects = vec![
        Subject::new("brownfield", &probe, &["--open"], rows.len()),
        Subject::new("isolation", &probe, &["--open", "--isolation"], rows.len()),
    ];
    if let Some(b) = &before_probe {
        subjects.push(Subject::new(
            "brownfield (before)",
            b,
            &["--open"],
            rows.len(),
        ));
        subjects.push(Subject::new(
            "isolation (before)",
            b,
            &["--open", "--isolation"],
            rows.len(),
        ));
    }
    for _ in 0..RUNS {
        for s in &mut subjects {
            let r = probe_run(s.probe, s.args);
            for (i, (_, _, key, scale)) in rows.iter().enumerate() {
                s.samples[i].push(r[*key].as_f64().unwrap_or(f64::NAN) * scale);
            }
        }
    }
    let mut out = Vec::new();
    for pair in subjects.chunks(2) {
        let (plain, isolated) = (&pair[0], &pair[1]);
        println!("\nisolation pattern overhead ({RUNS} runs each, medians, min–max)");
        println!(
            "{:<42} {:>22} {:>22} {:>8}",
            "measure", plain.label, isolated.label, "ratio"
        );
        for (i, (name, unit, _, _)) in rows.iter().enumerate() {
            let (p, pmin, pmax) = median(plain.samples[i].clone());
            let (q, qmin, qmax) = median(isolated.samples[i].clone());
            println!(
                "{name:<42} {:>22} {:>22} {:>7.2}×",
                format!("{p:.0} {unit} ({pmin:.0}–{pmax:.0})"),
                format!("{q:.0} {unit} ({qmin:.0}–{qmax:.0})"),
                q / p
            );
        }
    }
    // One row per (mode, measure): after, and before when it ran.
    let stats = |v: &[f64]| {
        let (m, lo, hi) = median(v.to_vec());
        json!({"median": m, "min": lo, "max": hi, "runs": v.len()})
    };
    for (mode, after) in [(0, "brownfield"), (1, "isolation")] {
        for (i, (name, unit, _, _)) in rows.iter().enumerate() {
            out.push(json!({
                "measure": format!("{after}: {name}"),
                "unit": unit,
                "higher_is_better": false,
                "after": stats(&subjects[mode].samples[i]),
                "before": subjects
                    .get(mode + 2)
                    .map_or(Value::Null, |s| stats(&s.samples[i])),
            }));
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("isolation.json");
    let doc = json!({"bench": "isolation", "runs": RUNS, "rows": out});
    match serde_json::to_string_pretty(&doc).map(|text| std::fs::write(&path, text)) {
        Ok(Ok(())) => println!("JSON: {}", path.display()),
        _ => eprintln!("could not write {}", path.display()),
    }
}
