//! What the isolation pattern costs: the same probe page (examples/ipc_probe)
//! with and without `--isolation` (a pass-through hook), invoke round trips
//! and 1,000 concurrent calls. Prints numbers; asserts nothing.
//!
//! `bash scripts/bench.sh` builds the release examples and runs this.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use serde_json::Value;
use support::bus::Bus;
use support::{release_example, App};

const RUNS: usize = 5;
const T: Duration = Duration::from_secs(60);

fn probe_run(args: &[&str]) -> Value {
    let bus = Bus::start();
    let mut app = App::spawn_piped(&release_example("ipc_probe"), &bus, args);
    let report = app.wait_line("PROBE_REPORT", T).expect("the probe reports");
    app.signal("TERM");
    app.wait_exit(T);
    serde_json::from_str(&report).expect("report is JSON")
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
    let mut plain: Vec<Vec<f64>> = vec![Vec::new(); rows.len()];
    let mut isolated: Vec<Vec<f64>> = vec![Vec::new(); rows.len()];
    for _ in 0..RUNS {
        for (samples, args) in [
            (&mut plain, &["--open"][..]),
            (&mut isolated, &["--open", "--isolation"][..]),
        ] {
            let r = probe_run(args);
            for (i, (_, _, key, scale)) in rows.iter().enumerate() {
                samples[i].push(r[*key].as_f64().unwrap_or(f64::NAN) * scale);
            }
        }
    }
    println!("\nisolation pattern overhead ({RUNS} runs each, medians, min–max)");
    println!(
        "{:<42} {:>22} {:>22} {:>8}",
        "measure", "brownfield", "isolation", "ratio"
    );
    for (i, (name, unit, _, _)) in rows.iter().enumerate() {
        let (p, pmin, pmax) = median(plain[i].clone());
        let (q, qmin, qmax) = median(isolated[i].clone());
        println!(
            "{name:<42} {:>22} {:>22} {:>7.2}×",
            format!("{p:.0} {unit} ({pmin:.0}–{pmax:.0})"),
            format!("{q:.0} {unit} ({qmin:.0}–{qmax:.0})"),
            q / p
        );
    }
}
