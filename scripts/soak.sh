#!/usr/bin/env bash
# The soak (issue #22, item 5): Jiliang on PostgreSQL with a demo province, driven for
# SOAK_MINUTES (60 by default) at about half its measured peak of mixed traffic — public lookups,
# staff pages, API reads, gateway batches (scripts/soak/mixed.lua) and an import of 1,000
# instruments every 5 minutes — in 5-minute rounds. After each round it reads the server's own
# /metrics and PostgreSQL: resident memory, open descriptors, database connections, the round's
# requests per second and latency. Prints a Markdown table for BENCHMARKS.md. Not run by CI.
set -euo pipefail
MINUTES=${SOAK_MINUTES:-60} ROUND=${SOAK_ROUND_SECONDS:-300} PORT=${SOAK_PORT:-18401} PGPORT=${SOAK_PG_PORT:-54341}
INSTRUMENTS=${SOAK_INSTRUMENTS:-20000} CONNECTIONS=${SOAK_CONNECTIONS:-16}
BIN=${SOAK_BIN:-.build/release/jiliang}
for tool in wrk curl python3; do command -v $tool >/dev/null || { echo "missing $tool (scripts/deps.sh bench)"; exit 1; }; done
ROOT=$PWD
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac  # SOAK_BIN may be a path of its own (a saved release build)
[ -x "$BIN" ] || { echo "no server binary at $BIN (make soak builds one)"; exit 1; }
DIR=$(mktemp -d /tmp/jiliang-soak-XXXXXX)
PGDIR=/tmp/jiliang-pg-soak-$(id -u)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; bash "$ROOT/scripts/pg.sh" stop "$PGDIR"; echo "logs in $DIR"; }
trap cleanup EXIT
export DATABASE_URL=$(bash scripts/pg.sh start "$PGDIR" "$PGPORT")
cd "$DIR"
"$BIN" serve --port "$PORT" --demo-if-empty "$INSTRUMENTS" --public-rate-limit 0 --ledger-key "$DIR/ledger.key" >"$DIR/server.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break; sleep 1; done
URL="http://127.0.0.1:$PORT"
TOKEN=$(curl -sf -X POST "$URL/api/v1/auth/sign-in" -H 'content-type: application/json' \
  -d '{"login":"admin","password":"jiliang-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
api() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$@"; }
# 500 instruments' codes for the lookups, and one device for the gateway batches.
api "$URL/api/v1/instruments?limit=500" | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
print("return {" + ",".join("\"%s\"" % i["code"] for i in items) + "}")' >"$DIR/codes.lua"
first=$(api "$URL/api/v1/instruments?limit=500" | python3 -c '
import json, sys
print(next(i["id"] for i in json.load(sys.stdin)["items"] if i.get("sub_no") == 2))')  # a scale (非自动衡器)
api -X POST "$URL/api/v1/telemetry/devices" -d "{\"name\":\"SOAK-1\",\"instrument_id\":$first,\"kind\":\"scale\"}" >/dev/null
owner=$(api "$URL/api/v1/owners?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["credit_code"])')
export SOAK_CODES=$DIR/codes.lua SOAK_TOKEN=$TOKEN SOAK_DEVICE=SOAK-1
lua=$ROOT/scripts/soak/mixed.lua

# The peak: the same mix, no pauses, 64 connections, 30 s.
SOAK_PAUSE_MS=0 wrk -t2 -c64 -d30s --latency -s "$lua" "$URL" >"$DIR/peak.txt"
peak=$(awk '/^Requests\/sec/ {print int($2)}' "$DIR/peak.txt")
target=$((peak / 2))
# Each connection: one request, then a pause; the pause that gives the target at the peak's latency.
lat_ms=$(awk '/^ +Latency +[0-9]/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v; exit}' "$DIR/peak.txt")
pause=$(python3 -c "print(max(0, int($CONNECTIONS * 1000 / max($target, 1) - min($lat_ms, 5))))")
echo "peak $peak req/s (64 connections); soak target $target req/s: $CONNECTIONS connections pausing $pause ms" | tee "$DIR/summary.txt"

metric() { curl -sf -H "Authorization: Bearer $TOKEN" "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
connections() { psql "$DATABASE_URL" -Atc "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'" 2>/dev/null || echo "?"; }
imports=0
echo "| minute | req/s | p50 | p99 | RSS MB | open fds | PG connections | imports done |" | tee -a "$DIR/summary.txt"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |" | tee -a "$DIR/summary.txt"
rounds=$((MINUTES * 60 / ROUND))
for r in $(seq 1 "$rounds"); do
  # An import of 1,000 instruments at the start of each round, beside the traffic.
  python3 - "$owner" "$r" >"$DIR/import-$r.csv" <<'PY'
import sys
owner, r = sys.argv[1], sys.argv[2]
print("sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date")
for i in range(1000):
    print(f"2,电子秤,SOAK{r}-{i},trade_settlement,350102,市场{i}号,{owner},2025-01-01")
PY
  curl -sf -H "Authorization: Bearer $TOKEN" -H 'content-type: text/csv' --data-binary @"$DIR/import-$r.csv" "$URL/api/v1/imports/instruments" >/dev/null && imports=$((imports + 1))
  SOAK_PAUSE_MS=$pause wrk -t2 -c"$CONNECTIONS" -d"${ROUND}s" --latency -s "$lua" "$URL" >"$DIR/round-$r.txt"
  rps=$(awk '/^Requests\/sec/ {print int($2)}' "$DIR/round-$r.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$DIR/round-$r.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$DIR/round-$r.txt")
  rss=$(metric jiliang_process_resident_memory_bytes | awk '{printf "%.0f", $1 / 1048576}')
  fds=$(metric jiliang_process_open_fds | awk '{printf "%.0f", $1}')
  done_jobs=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/metrics" | awk '/^jiliang_jobs\{state="done"\}/ {printf "%.0f", $2}')
  echo "| $((r * ROUND / 60)) | $rps | $p50 | $p99 | $rss | $fds | $(connections) | $done_jobs of $imports |" | tee -a "$DIR/summary.txt"
  grep -q "Non-2xx\|Socket errors" "$DIR/round-$r.txt" && grep "Non-2xx\|Socket errors" "$DIR/round-$r.txt" | sed "s/^/  round $r: /" | tee -a "$DIR/summary.txt"
done
kill -0 "$server" || { echo "the server died"; tail -30 "$DIR/server.log"; exit 1; }
echo "soak done: $DIR/summary.txt"
