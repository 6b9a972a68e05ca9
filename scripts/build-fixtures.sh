#!/usr/bin/env bash
# Builds the JS fixtures that the e2e tests load, into target/fixtures/:
#   tests/fixtures/tauri_page -> target/fixtures/tauri_page/{index.html,bundle.js}
# (a page bundled against the unmodified @tauri-apps/api, for tauri-compat.js).
# Needs node and npm (the npm registry for the first `npm ci`). Safe to run
# again: npm ci only runs when node_modules is missing or older than the lock.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

src=tests/fixtures/tauri_page
out=target/fixtures/tauri_page

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "build-fixtures: $tool not found" >&2; exit 1; }
done

# npm writes node_modules/.package-lock.json on every install: it is the
# install's timestamp (and -nt is true when it is missing).
if [[ ! -d $src/node_modules || $src/package-lock.json -nt $src/node_modules/.package-lock.json ]]; then
  echo "build-fixtures: npm ci in $src"
  (cd "$src" && npm ci --no-audit --no-fund --loglevel=error)
fi

mkdir -p "$out"
"$src/node_modules/.bin/esbuild" "$src/main.js" \
  --bundle --format=iife --target=es2020 --log-level=warning \
  --outfile="$out/bundle.js"
cp "$src/index.html" "$out/index.html"
echo "build-fixtures: built $out"
