#!/usr/bin/env bash
# Starts Jiliang with a small demo province on a throwaway SQLite file and drives it with headless
# Chromium (Tests/browser/workflows.py). Extra arguments go to the Python script (--screenshots DIR).
set -euo pipefail
PORT=${BROWSER_PORT:-18089}
DIR=$(mktemp -d /tmp/jiliang-browser-XXXXXX)
.build/debug/jiliang serve --sqlite "$DIR/jiliang.sqlite" --port "$PORT" --demo-if-empty 300 --today 2026-11-26 >"$DIR/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || { echo "server exit status $?"; tail -20 "$DIR/server.log"; }; rm -rf "$DIR"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$DIR/server.log"; exit 1; }
  sleep 0.5
done
python3 Tests/browser/workflows.py "http://127.0.0.1:$PORT" "$@" || { tail -50 "$DIR/server.log"; exit 1; }
