#!/usr/bin/env bash
# Starts Jiliang with a small demo province on a throwaway SQLite file, with a ledger witness as a
# separate process, and drives it with headless Chromium (Tests/browser/workflows.py). Then checks
# the ledger from outside, over HTTP, as a monitor would. Extra arguments go to the Python script
# (--screenshots DIR).
set -euo pipefail
PORT=${BROWSER_PORT:-18089}
WPORT=${WITNESS_PORT:-18090}
BIN=.build/debug/jiliang
DIR=$(mktemp -d /tmp/jiliang-browser-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$DIR"' EXIT

# The log key first (the witness must know it), then the witness, then the server.
LOGKEY=$($BIN ledger status --sqlite "$DIR/jiliang.sqlite" --ledger-key "$DIR/ledger.key" | awk '/^log key/{print $3}')
$BIN witness --log "$LOGKEY" --key "$DIR/witness.key" --state "$DIR/witness.json" --port "$WPORT" >"$DIR/witness.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do [ -s "$DIR/witness.key" ] && grep -q "^witness " "$DIR/witness.log" && break; sleep 0.5; done
WKEY=$(awk '/^witness /{print $2; exit}' "$DIR/witness.log")
$BIN serve --sqlite "$DIR/jiliang.sqlite" --port "$PORT" --demo-if-empty 300 --today 2026-11-26 --plain-path-limit 150 \
  --ledger-key "$DIR/ledger.key" --witness "$WKEY http://127.0.0.1:$WPORT" --witness-quorum 1 >"$DIR/server.log" 2>&1 &
pid=$!
pids+=($pid)
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$DIR/server.log"; exit 1; }
  sleep 0.5
done
# A simulated fleet driven through the API as gateways do (jiliang simulate --server), on top of
# the demo's own fleet: its output is the server's own score of what it caught.
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/sign-in" -H 'content-type: application/json' \
  -d '{"login":"admin","password":"jiliang-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
$BIN simulate --server "http://127.0.0.1:$PORT" --token "$TOKEN" --devices 20 --cheat-rate 0.5 --seed 4 >"$DIR/simulate.log" 2>&1 \
  || { cat "$DIR/simulate.log"; tail -30 "$DIR/server.log"; exit 1; }
grep -q "^sent [0-9]* readings .*: [1-9][0-9]* kept" "$DIR/simulate.log" || { echo "the simulator kept nothing:"; cat "$DIR/simulate.log"; exit 1; }
grep "^sent \|^bound " "$DIR/simulate.log"
python3 Tests/browser/workflows.py "http://127.0.0.1:$PORT" "$@" || { tail -50 "$DIR/server.log"; exit 1; }

# The ledger service has put the demo's records and the browser's writes into the log, and the
# witness has cosigned: verify everything from the public endpoints with the pinned keys.
printf 'log %s\nwitness %s http://127.0.0.1:%s\nquorum 1\n' "$LOGKEY" "$WKEY" "$WPORT" >"$DIR/keys.txt"
for _ in $(seq 1 60); do
  pending=$(curl -sf "http://127.0.0.1:$PORT/ledger/checkpoint" | sed -n 2p || true)
  [ -n "$pending" ] && [ "$pending" -gt 0 ] && break
  sleep 0.5
done
sleep 2  # let the browser's last writes reach a checkpoint
$BIN verify ledger --url "http://127.0.0.1:$PORT" --keys "$DIR/keys.txt" || { tail -30 "$DIR/server.log"; cat "$DIR/witness.log"; exit 1; }
