#!/usr/bin/env bash
# Requests' writes while the job worker re-derives and recounts after catalogue changes (issue #22,
# the SQLite write gate). Starts BIN on a copy of a demo database (made once, then reused), and for
# 36 s: an administrator saves catalogue row 2 unchanged every 4 s (each save marks the derivation
# stale, so the worker re-derives every instrument and recounts), while another session saves a
# calendar day every 0.2 s. Prints each kind's answers and latencies. Not run by CI.
#
#   scripts/probe-writes-during-rederive.sh BIN [INSTRUMENTS] [PORT]
#
# Measured on 2026-12-07 (debug builds, 40,000 instruments): see BENCHMARKS.md.
set -euo pipefail
BIN=${1:?usage: $0 BIN [INSTRUMENTS] [PORT]}
N=${2:-40000}
PORT=${3:-18940}
SEED=${PROBE_SEED_DIR:-/tmp/jiliang-probe-seed-$N}
PASSWORD=jiliang-demo-2026
up() { for _ in $(seq 1 900); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && return 0; sleep 1; done; return 1; }

if [ ! -f "$SEED/j.sqlite" ]; then
  mkdir -p "$SEED"
  env -u DATABASE_URL "$BIN" serve --sqlite "$SEED/j.sqlite" --ledger-key "$SEED/l.key" --port "$PORT" \
    --demo-if-empty "$N" --today 2026-11-26 >"$SEED/server.log" 2>&1 &
  pid=$!
  up || { tail -20 "$SEED/server.log"; exit 1; }
  sleep 5  # the start-up runs (warnings, credit, reports) end
  kill "$pid"; wait "$pid" 2>/dev/null || true
fi

DIR=$(mktemp -d /tmp/jiliang-probe-XXXXXX)
cp "$SEED"/j.sqlite* "$SEED/l.key" "$DIR/"
env -u DATABASE_URL "$BIN" serve --sqlite "$DIR/j.sqlite" --ledger-key "$DIR/l.key" --port "$PORT" --today 2026-11-26 >"$DIR/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$DIR"' EXIT
up || { tail -20 "$DIR/server.log"; exit 1; }
token() {
  curl -sf -X POST -H 'Content-Type: application/json' -d "{\"login\":\"admin\",\"password\":\"$PASSWORD\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/sign-in" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
A=$(token) B=$(token)
curl -sf -H "Authorization: Bearer $A" "http://127.0.0.1:$PORT/api/v1/catalogue/2" >"$DIR/catalogue.json"
sleep 3
(
  for _ in $(seq 1 8); do
    curl -s -o /dev/null -w "catalogue %{http_code} %{time_total}\n" -X PUT -H "Authorization: Bearer $A" \
      -H 'Content-Type: application/json' --data "@$DIR/catalogue.json" "http://127.0.0.1:$PORT/api/v1/catalogue/2"
    sleep 4
  done
) >"$DIR/catalogue.txt" &
saver=$!
end=$((SECONDS + 36))
while [ $SECONDS -lt $end ]; do
  curl -s -o /dev/null -w "day %{http_code} %{time_total}\n" -X PUT -H "Authorization: Bearer $B" -H 'Content-Type: application/json' \
    -d '{"kind":"holiday","name":"probe"}' "http://127.0.0.1:$PORT/api/v1/calendar-days/2027-01-0$((RANDOM % 9 + 1))"
  sleep 0.2
done >"$DIR/days.txt"
wait $saver
echo "re-derivations started: $(grep -c 're-deriving the stored compliance' "$DIR/server.log")"
echo "pool timeouts logged: $(grep -c 'Connection request timed out' "$DIR/server.log" || true)"
python3 - "$DIR/catalogue.txt" "$DIR/days.txt" <<'PY'
import sys
for path in sys.argv[1:]:
    rows = [l.split() for l in open(path) if l.strip()]
    codes = {}
    for r in rows: codes[r[1]] = codes.get(r[1], 0) + 1
    t = sorted(float(r[2]) for r in rows)
    print(f"{rows[0][0]:9} saves {len(t):3}  answers {codes}  p50 {t[len(t)//2]:.3f} s  p90 {t[int(len(t)*0.9)]:.3f} s  max {t[-1]:.3f} s")
PY
