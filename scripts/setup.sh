#!/usr/bin/env bash
# Installs what traykit needs on Debian 12 / Ubuntu; safe to run again.
# `--bench` (scripts/bench.sh) also installs what the benchmark's other
# columns need at run time; CI (scripts/test.sh) does not pass it.
set -euo pipefail

packages=(
  build-essential pkg-config
  libgtk-3-dev libwebkit2gtk-4.1-dev libxdo-dev   # tao, wry, muda
  xvfb xauth dbus x11-apps xdotool                  # the headless desktop (xwd: screenshots, xdotool: typing)
  xdg-utils                                         # xdg-mime: deep-link handler registration tests
  python3                                           # scripts/check_structure.py (stdlib only)
)
if [[ "${1:-}" == --bench ]]; then
  # The Tauri app's tray loads libayatana-appindicator3.so.1 with dlopen
  # (libappindicator-sys 0.9: the SONAME, so the runtime package suffices;
  # ~0.6 MB with its four small dependencies) and panics without it.
  packages+=(libayatana-appindicator3-1)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js runs the JS API's tests and bundles the @tauri-apps/api fixture.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  echo "setup: installing nodejs npm"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found; install Rust with rustup first" >&2
  exit 1
fi

# cargo-deb builds the example .deb (tests/deb_e2e.rs); compiled once into
# ~/.cargo/bin and reused.
if ! cargo deb --version >/dev/null 2>&1; then
  echo "setup: installing cargo-deb"
  cargo install cargo-deb --locked --quiet
fi

# cargo-bloat: the per-crate sizes of BENCHMARKS.md's "Binary size"
# (`--bench` only; compiled once into ~/.cargo/bin, ~25 s).
if [[ "${1:-}" == --bench ]] && ! cargo bloat --version >/dev/null 2>&1; then
  echo "setup: installing cargo-bloat"
  cargo install cargo-bloat --locked --quiet
fi
