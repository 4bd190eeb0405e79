#!/usr/bin/env bash
# Issue #22: the API and the staff pages during a large import (BENCHMARKS.md, 2026-12-06 late).
# Starts a release build with a small demo province on SQLite (or on a throwaway PostgreSQL with
# `pg`), sends a roll of ROWS scales over the API, and while the job runs reads about once a second
# (the job, an API list, a staff page) and sends a sign-in (a write) every second. Prints how the
# reads and the writes were answered, how the job's progress moved, and how long the import took.
# Not run by CI.   usage: scripts/import-under-load.sh [sqlite|pg] [ROWS]
set -euo pipefail
DB=${1:-sqlite} ROWS=${2:-1000000} PORT=${PORT:-18450} PGPORT=${PGPORT:-54351}
ROOT=$PWD BIN=${BIN:-$PWD/.build/release/jiliang}
[ -x "$BIN" ] || { echo "build first: swift build -c release --product jiliang"; exit 1; }
D=$(mktemp -d /tmp/jiliang-import-load-XXXXXX)
cleanup() { kill -9 "${S:-0}" 2>/dev/null || true; [ "$DB" = pg ] && bash "$ROOT/scripts/pg.sh" stop "$D/pg" >/dev/null; echo "logs in $D"; }
trap cleanup EXIT
cd "$D"
if [ "$DB" = pg ]; then export DATABASE_URL=$(bash "$ROOT/scripts/pg.sh" start "$D/pg" "$PGPORT" | tail -1); fi
"$BIN" serve --port "$PORT" --demo-if-empty 300 --public-rate-limit 0 --ledger-key "$D/ledger.key" >"$D/server.log" 2>&1 &
S=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 1 300); do curl -sf "$URL/api/v1/health" >/dev/null && break; sleep 1; done
SIGNIN='{"login":"admin","password":"jiliang-demo-2026"}'
TOKEN=$(curl -sf -X POST "$URL/api/v1/auth/sign-in" -H 'content-type: application/json' -d "$SIGNIN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
OWNER=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/owners?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["credit_code"])')
python3 -c '
import sys
owner, n = sys.argv[1], int(sys.argv[2])
w = sys.stdout.write
w("sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n")
for i in range(n): w(f"2,电子秤,BIG{i},trade_settlement,350102,福州市鼓楼区某某市场{i}号摊位,{owner},2025-01-01\n")' "$OWNER" "$ROWS" >"$D/roll.csv"
echo "roll: $ROWS rows, $(($(stat -c %s "$D/roll.csv") >> 20)) MB"
curl -s -o "$D/post.json" -w "upload answered %{http_code} in %{time_total} s\n" -H "Authorization: Bearer $TOKEN" \
  -H 'content-type: text/csv' --data-binary @"$D/roll.csv" "$URL/api/v1/imports/instruments?mode=valid_rows_only"
job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$D/post.json")
: >"$D/reads.txt"; : >"$D/writes.txt"; : >"$D/progress.txt"
state=queued
while :; do
  (curl -s -o /dev/null -m 60 -w "%{http_code} %{time_total}\n" -X POST "$URL/api/v1/auth/sign-in" \
    -H 'content-type: application/json' -d "$SIGNIN" >>"$D/writes.txt" &)
  for path in "api/v1/jobs/$job" "api/v1/instruments?limit=5" "app/instruments"; do
    curl -s -o /dev/null -m 30 -w "%{http_code} %{time_total}\n" -H "Authorization: Bearer $TOKEN" "$URL/$path" >>"$D/reads.txt"
  done
  state=$(curl -s -m 30 -H "Authorization: Bearer $TOKEN" "$URL/api/v1/jobs/$job" | python3 -c '
import json, sys
try:
    j = json.load(sys.stdin); print(j["state"], j.get("progress_done") or 0)
except Exception:
    print("unknown 0")' | tee -a "$D/progress.txt" | cut -d" " -f1)
  case $state in done|failed) break ;; esac
  sleep 1
done
sleep 35  # the last writes sent have had their 30 s
summary() {
  python3 -c '
import sys
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
codes = {}
for c, _ in rows: codes[c] = codes.get(c, 0) + 1
t = sorted(float(x) for _, x in rows) or [0.0]
print("%s: %d, by status %s, p50 %.3f s, max %.2f s" % (sys.argv[1], len(rows), codes, t[len(t) // 2], t[-1]))' "$1" "$2"
}
summary "reads during the import" "$D/reads.txt"
summary "writes (sign-ins) during the import" "$D/writes.txt"
echo "progress as read while running: $(awk '$1 == "running" && $2 > 0 {print $2}' "$D/progress.txt" | uniq | wc -l) distinct values"
curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/jobs/$job" | python3 -c '
import json, sys
j = json.load(sys.stdin)
r = json.loads(j["result"]) if j.get("result") else {}
print("job %s: %s, inserted %s of %s rows" % (j["id"], j["state"], r.get("inserted"), r.get("rows")))'
if [ "$DB" = sqlite ]; then
  sqlite3 "$D/data/jiliang.sqlite" "SELECT 'import took ' || round(finished_at - created_at, 1) || ' s' FROM jobs WHERE id = $job"
else
  psql "$DATABASE_URL" -Atc "SELECT 'import took ' || round(extract(epoch FROM finished_at - created_at)::numeric, 1) || ' s' FROM jobs WHERE id = $job"
fi
