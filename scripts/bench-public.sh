#!/usr/bin/env bash
# The public lookup under load (issue #6), on one machine, in one run:
#   - Jiliang serving /p/i/<code> for random codes of a 10,000,000-instrument demo province (SQLite);
#   - nginx serving a static file of the same response (what this machine can do at best);
#   - Hummingbird serving those bytes from memory with no middleware or database (`jiliang bench
#     http-floor`: the framework's own ceiling, which no lookup built on it can pass);
#   - Datasette serving the same lookup (the same SQL) from the same SQLite file.
# Each is loaded by wrk at 64 connections for BENCH_PUBLIC_SECONDS; prints the lines for BENCHMARKS.md.
# The demo province is built once and kept in bench-data/ (it takes a while at 10M).
set -euo pipefail
N=${BENCH_PUBLIC_INSTRUMENTS:-10000000}
SECONDS_EACH=${BENCH_PUBLIC_SECONDS:-20}
CONNS=${BENCH_PUBLIC_CONNECTIONS:-64}
ROOT=$PWD
BIN=$ROOT/.build/release/jiliang
DATA=$ROOT/bench-data
DB=${BENCH_PUBLIC_DB:-$DATA/public-$N.sqlite}
WORK=$(mktemp -d /tmp/jiliang-bench-public.XXXX)
chmod 755 "$WORK"
mkdir -p "$DATA"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; true; }
trap cleanup EXIT

for tool in wrk nginx; do command -v $tool >/dev/null || { echo "missing $tool (scripts/deps.sh bench)"; exit 1; }; done
python3 -c "import datasette" 2>/dev/null || python3 -m pip install -q "datasette>=0.64"

if [ ! -f "$DB.done" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "building a demo province of $N instruments in $DB (once)…"
  /usr/bin/time -f "demo: %e s, max RSS %M KiB" $BIN demo --sqlite "$DB" --instruments "$N" --today 2026-11-26
  touch "$DB.done"
fi
# Codes drawn from at least 1,000,000 distinct instruments (issue #23), or from all of a smaller
# registry, in random order: the lookup must not be measured on a handful of hot pages.
CODE_COUNT=${BENCH_PUBLIC_CODES:-1000000}
step=$(( N / CODE_COUNT > 0 ? N / CODE_COUNT : 1 ))
sqlite3 "$DB" "SELECT code FROM instruments WHERE id % $step = 0 ORDER BY random() LIMIT $CODE_COUNT" > "$WORK/codes.txt"
first=$(head -1 "$WORK/codes.txt")

cat > "$WORK/random.lua" <<'LUA'
local codes = {}
for line in io.lines(os.getenv("CODES")) do codes[#codes + 1] = line end
local prefix, suffix = os.getenv("PREFIX"), os.getenv("SUFFIX") or ""
math.randomseed(42)
request = function() return wrk.format("GET", prefix .. codes[math.random(#codes)] .. suffix) end
LUA

# wrk → "name rps p50 p99 errors"
load() {
  local name=$1 url=$2 script=${3:-}
  local out
  if [ -n "$script" ]; then out=$(wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency -s "$script" "$url")
  else out=$(wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency "$url"); fi
  echo "$out" > "$WORK/wrk-$name.txt"
  local rps p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p50=$(echo "$out" | awk '/^ +50%/{print $2}')
  p99=$(echo "$out" | awk '/^ +99%/{print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/{print $5}')
  echo "$name $rps $p50 $p99 ${bad:-0}"
}

wait_for() { for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.5; done; echo "no answer from $1"; exit 1; }

# Jiliang: release build, no rate limit (wrk is one client), no background services (the ledger
# sequencer would otherwise spend the run putting the demo's records into the log).
$BIN serve --sqlite "$DB" --port 18301 --today 2026-11-26 --public-rate-limit 0 --no-background \
  --ledger-key "$WORK/ledger.key" > "$WORK/jiliang.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:18301/p/i/$first"

# nginx: the very bytes Jiliang answers for one code, as a static file.
mkdir -p "$WORK/www/p/i"
curl -s "http://127.0.0.1:18301/p/i/$first" > "$WORK/www/p/i/$first"
size=$(stat -c %s "$WORK/www/p/i/$first")
cat > "$WORK/nginx.conf" <<NGINX
worker_processes auto;
user root;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:18302;
    root $WORK/www;
    location / { default_type "text/html; charset=utf-8"; }
  }
}
NGINX
nginx -c "$WORK/nginx.conf"
wait_for "http://127.0.0.1:18302/p/i/$first"

# Hummingbird alone: the same bytes from memory, no middleware, no database (the framework's ceiling).
$BIN bench http-floor --file "$WORK/www/p/i/$first" --port 18304 > "$WORK/floor.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:18304/p/i/$first"

# The same, plus the lookup's one database read (`PublicLookup.instrument`) before those bytes: the
# floor of the layers below Jiliang's own request path (issue #23).
$BIN bench http-floor --file "$WORK/www/p/i/$first" --port 18305 --sqlite "$DB" > "$WORK/floor-db.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:18305/p/i/$first"

# Datasette: a canned query with the same SQL as PublicLookup, on the same file, immutable mode.
name=$(basename "$DB" .sqlite)
cat > "$WORK/metadata.json" <<JSON
{"databases": {"$name": {"queries": {"lookup": {"sql": "SELECT i.code, i.name, c.sub_name, i.address, g.name AS region_name, i.lifecycle, i.compliance_base, i.next_due, i.due_kind, o.name AS owner_name, o.credit_code, o.industry, r.id AS record_id, r.verified_on, r.result, r.certificate_no, r.ledger_index, s.name AS institution_name FROM instruments i JOIN owners o ON o.id = i.owner_id JOIN catalogue_entries c ON c.sub_no = i.sub_no LEFT JOIN regions g ON g.code = i.region_code LEFT JOIN verification_records r ON r.id = (SELECT v.id FROM verification_records v WHERE v.instrument_id = i.id ORDER BY v.verified_on DESC, v.id DESC LIMIT 1) LEFT JOIN institutions s ON s.id = r.institution_id WHERE i.code = :code"}}}}}
JSON
python3 -m datasette serve -i "$DB" --metadata "$WORK/metadata.json" --port 18303 --setting sql_time_limit_ms 5000 > "$WORK/datasette.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:18303/$name/lookup.json?code=$first"

echo "# public lookup, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $N instruments, wrk -t2 -c$CONNS -d${SECONDS_EACH}s; response $size bytes"
echo "# $(wc -l < "$WORK/codes.txt") distinct codes at random"
echo "# name requests/s p50 p99 non-2xx"
{
  CODES=$WORK/codes.txt PREFIX="/p/i/" load jiliang "http://127.0.0.1:18301" "$WORK/random.lua"
  load nginx "http://127.0.0.1:18302/p/i/$first"
  load hummingbird-floor "http://127.0.0.1:18304/p/i/$first"
  CODES=$WORK/codes.txt PREFIX="/p/i/" load floor-with-db-read "http://127.0.0.1:18305" "$WORK/random.lua"
  CODES=$WORK/codes.txt PREFIX="/$name/lookup.json?code=" SUFFIX="&_shape=objects" load datasette "http://127.0.0.1:18303" "$WORK/random.lua"
} | tee "$WORK/figures.txt"
# Issue #23's ratios, from this run only.
awk '{rps[$1]=$2} END {
  printf "# jiliang / hummingbird-floor = %.2f (target >= 0.6)\n", rps["jiliang"] / rps["hummingbird-floor"]
  printf "# floor-with-db-read / hummingbird-floor = %.2f (what the layers below Jiliang leave)\n", rps["floor-with-db-read"] / rps["hummingbird-floor"]
  printf "# jiliang / floor-with-db-read = %.2f (Jiliang'"'"'s own request path)\n", rps["jiliang"] / rps["floor-with-db-read"]
  printf "# jiliang / nginx = %.2f; jiliang / datasette = %.1f\n", rps["jiliang"] / rps["nginx"], rps["jiliang"] / rps["datasette"]
}' "$WORK/figures.txt"
echo "# wrk outputs in $WORK"
