#!/usr/bin/env bash
# Builds examples/auto_update three times for tests/updater_e2e.rs — v1.0.0,
# v2.0.0, and a v2.0.0 that crashes at start — tray-only and stripped, into
# target/updater-e2e/{v1,v2,crashy}/auto_update. The versions are compiled in
# (AUTO_UPDATE_VERSION), so each is a real, different binary. Sequential
# builds in the normal target dir: the dependencies are shared, only the
# example itself is rebuilt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=target/updater-e2e
for variant in v1:1.0.0: v2:2.0.0: crashy:2.0.0:1; do
  IFS=: read -r name version crash <<<"$variant"
  mkdir -p "$out/$name"
  if [[ -n "$crash" ]]; then export AUTO_UPDATE_CRASH=1; else unset AUTO_UPDATE_CRASH; fi
  AUTO_UPDATE_VERSION="$version" cargo build --quiet --locked --example auto_update --no-default-features --features env-filter
  strip -o "$out/$name/auto_update.tmp" target/debug/examples/auto_update
  mv "$out/$name/auto_update.tmp" "$out/$name/auto_update"
done
unset AUTO_UPDATE_CRASH
ls -l "$out"/*/auto_update
