#!/usr/bin/env bash
# Fuzzes the JSON-RPC decoder + routing, capability files, the isolation
# opener, the asset path decoder, and the webview host's pipe framing +
# page-message envelope, with cargo fuzz (libFuzzer + AddressSanitizer), each
# for SECONDS (default 60; CI uses the default, run longer by hand:
# `scripts/fuzz.sh 3600`).
#
# The committed corpus (fuzz/corpus/<target>) seeds each run and is only
# read: new inputs go to a temporary directory. A crash leaves its input in
# fuzz/artifacts/<target>/ and fails the run. To grow the committed corpus
# after a long run: `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz cmin -O <target>`.
#
# cargo fuzz needs nightly-only flags (-Zsanitizer); RUSTC_BOOTSTRAP lets the
# machine's one stable toolchain accept them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"
seconds="${1:-60}"
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi
cargo fuzz build -O
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in jsonrpc capability sealed asset_path pipe; do
  mkdir -p "$scratch/$target"
  echo "== fuzz $target for ${seconds}s"
  if ! cargo fuzz run -O "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 >"$scratch/$target.log" 2>&1; then
    tail -n 60 "$scratch/$target.log"
    echo "fuzz target $target failed: its input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E "^(Done|stat::number_of_executed_units)" "$scratch/$target.log"
done
