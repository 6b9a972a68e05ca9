#!/usr/bin/env bash
# Builds release binaries — traykit's examples, the raw wry floor, and the
# Tauri 2 app in bench/tauri_app (its own workspace and target dir: nothing
# else builds it) — then prints the tables in BENCHMARKS.md and writes
# target/bench/results.json. BENCH_RUNS sets the runs per app (default 5).
# XVFB_SERVER_NUM pins the X display (see scripts/headless.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cargo build --release --examples --locked
# tray_clock twice: as built with the default `webview` feature (WebKit
# linked), and as a tray-only app should be built (`default-features = false`).
cp target/release/examples/tray_clock target/release/examples/tray_clock-webview
cargo build --release --example tray_clock --no-default-features --locked

# The Tauri column. A failed build leaves the column empty, with the reason
# printed under the table, rather than stopping the other measurements.
mkdir -p target/bench
tauri_log=target/bench/tauri_build.log
if (cd bench/tauri_app && cargo build --release) >"$tauri_log" 2>&1; then
  echo "built" >target/bench/tauri_build.txt
else
  { echo "the Tauri build failed (see $tauri_log):"; grep -m5 -E '^error' "$tauri_log" || tail -5 "$tauri_log"; } \
    | tee target/bench/tauri_build.txt >&2
  rm -f bench/tauri_app/target/release/tauri_bench
fi

bash scripts/headless.sh cargo bench --locked --bench tray --bench compare --bench store --bench isolation
