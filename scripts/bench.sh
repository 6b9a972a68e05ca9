#!/usr/bin/env bash
# Builds release binaries and prints the numbers in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cargo build --release --examples --locked
bash scripts/headless.sh cargo bench --locked --bench tray
