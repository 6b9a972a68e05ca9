#!/usr/bin/env bash
# The main demo, headless: runs examples/tray_clock under Xvfb on a private
# bus, with a stand-in panel and notification server that print what a
# desktop shell would see, clicks through the menu, then quits the app.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cargo build --example tray_clock --locked
bash scripts/headless.sh cargo run --quiet --example headless_shell --locked -- target/debug/examples/tray_clock
