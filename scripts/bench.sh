#!/usr/bin/env bash
# Builds release binaries and prints the numbers in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cargo build --release --examples --locked
# tray_clock twice: as built with the default `webview` feature (WebKit
# linked), and as a tray-only app should be built (`default-features = false`).
cp target/release/examples/tray_clock target/release/examples/tray_clock-webview
cargo build --release --example tray_clock --no-default-features --locked
bash scripts/headless.sh cargo bench --locked --bench tray --bench ipc --bench store --bench isolation
