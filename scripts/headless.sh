#!/usr/bin/env bash
# Runs a command inside a private X server (Xvfb) and a private D-Bus session
# whose bus auto-starts nothing, so nothing on the host is touched.
# Usage: scripts/headless.sh CMD [ARGS...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export NO_AT_BRIDGE=1                        # no accessibility bus
export WEBKIT_DISABLE_COMPOSITING_MODE=1     # ~55 MB less per webview under Xvfb
# XVFB_SERVER_NUM pins the display number: two suites started at once with
# `-a` can pick the same free number and one of them fails.
if [[ -n "${XVFB_SERVER_NUM:-}" ]]; then display=(-n "$XVFB_SERVER_NUM"); else display=(-a); fi
exec xvfb-run "${display[@]}" -s "-screen 0 1600x1000x24" \
  dbus-run-session --config-file="$here/session-bus.conf" -- "$@"
