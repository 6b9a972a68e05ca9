#!/usr/bin/env bash
# Builds release binaries — traykit's examples, the raw wry floor, and the
# Tauri 2 app in bench/tauri_app (its own workspace and target dir: nothing
# else builds it) — then prints the tables in BENCHMARKS.md and writes
# target/bench/{results,tray,isolation}.json and store.txt.
#   BENCH_RUNS       runs per app in the compare bench (default 5)
#   XVFB_SERVER_NUM  pins the X display (see scripts/headless.sh)
#   BENCH_ONLY=traykit  skips the floor and Tauri columns (no Tauri build)
#   BENCH_TAURI_TARGET_DIR  a target dir for the Tauri app shared between
#                    checkouts (default: bench/tauri_app/target)
#   BENCH_BEFORE_DIR a checkout of the "before" commit (e.g. a `git worktree`):
#                    its release examples are built there (its own target/)
#                    and run interleaved with these as a before column of
#                    every traykit row (compare, tray, isolation); its store
#                    bench runs alternately with this tree's
#                    (BENCH_STORE_ROUNDS rounds, default 3); then
#                    scripts/bench_before_after.py prints one before/after
#                    table (target/bench/before_after.md).
# Fails (exit 1) when a column cannot be built or run: a missing Tauri
# column is a failure, not an empty column.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The benches find the binaries under <checkout>/target: no shared target dir.
unset CARGO_TARGET_DIR
bash scripts/setup.sh --bench

build_examples() { # in the current directory
  # Only the examples the benches run: every release example is a full LTO
  # link (~30 s each on two cores), and the others are never measured.
  cargo build --release --locked --example ipc_probe --example wry_floor --example tray_clock
  # tray_clock twice: as built with the default `webview` feature (WebKit
  # linked), and as a tray-only app should be built (`default-features = false`).
  cp target/release/examples/tray_clock target/release/examples/tray_clock-webview
  cargo build --release --example tray_clock --no-default-features --locked
}
build_examples

if [[ -n "${BENCH_BEFORE_DIR:-}" ]]; then
  BENCH_BEFORE_DIR="$(cd "$BENCH_BEFORE_DIR" && pwd)"
  export BENCH_BEFORE_DIR
  echo "bench: before column = $BENCH_BEFORE_DIR at $(git -C "$BENCH_BEFORE_DIR" log -1 --format='%h %s')"
  (cd "$BENCH_BEFORE_DIR" && build_examples && cargo bench --locked --bench store --no-run)
fi

mkdir -p target/bench
if [[ -n "${BENCH_TAURI_TARGET_DIR:-}" ]]; then
  mkdir -p "$BENCH_TAURI_TARGET_DIR"
  BENCH_TAURI_TARGET_DIR="$(cd "$BENCH_TAURI_TARGET_DIR" && pwd)"
fi
if [[ "${BENCH_ONLY:-}" != traykit ]]; then
  tauri_log=target/bench/tauri_build.log
  # BENCH_TAURI_TARGET_DIR: build the Tauri app in that target dir (one
  # shared by several checkouts: its ~400 dependencies are built once) and
  # copy the binary to where compare.rs looks for it.
  tauri_target=(); [[ -z "${BENCH_TAURI_TARGET_DIR:-}" ]] || tauri_target=(--target-dir "$BENCH_TAURI_TARGET_DIR")
  if (cd bench/tauri_app && cargo build --release "${tauri_target[@]}" \
      && if [[ -n "${BENCH_TAURI_TARGET_DIR:-}" ]]; then
           mkdir -p target/release && cp "$BENCH_TAURI_TARGET_DIR/release/tauri_bench" target/release/tauri_bench
         fi) >"$tauri_log" 2>&1; then
    echo "built" >target/bench/tauri_build.txt
  else
    { echo "the Tauri build failed (see $tauri_log):"; grep -m5 -E '^error' "$tauri_log" || tail -5 "$tauri_log"; } \
      | tee target/bench/tauri_build.txt >&2
    rm -f bench/tauri_app/target/release/tauri_bench
    echo "bench: FAILED — the Tauri column cannot be built (BENCH_ONLY=traykit skips it on purpose)" >&2
    exit 1
  fi
fi

# Every bench runs even when one fails, so one broken column does not hide
# the others; the script fails at the end.
failed=()
# No figure from an earlier run may pass for this one's.
rm -f target/bench/{results.json,results.md,tray.json,isolation.json,before_after.md}
bash scripts/headless.sh cargo bench --locked --bench tray || failed+=(tray)
bash scripts/headless.sh cargo bench --locked --bench isolation || failed+=(isolation)
bash scripts/headless.sh cargo bench --locked --bench compare || failed+=(compare)
: >target/bench/store.txt
[[ -z "${BENCH_BEFORE_DIR:-}" ]] || : >target/bench/store-before.txt
for _ in $(seq "${BENCH_STORE_ROUNDS:-$([[ -n "${BENCH_BEFORE_DIR:-}" ]] && echo 3 || echo 1)}"); do
  cargo bench --locked --bench store | tee -a target/bench/store.txt || failed+=(store)
  if [[ -n "${BENCH_BEFORE_DIR:-}" ]]; then
    (cd "$BENCH_BEFORE_DIR" && cargo bench --locked --bench store) | tee -a target/bench/store-before.txt \
      || failed+=("store (before)")
  fi
done

if [[ -n "${BENCH_BEFORE_DIR:-}" ]]; then
  /usr/bin/python3 scripts/bench_before_after.py target/bench
fi
if ((${#failed[@]})); then
  echo "bench: FAILED — ${failed[*]} (see the messages above)" >&2
  exit 1
fi
