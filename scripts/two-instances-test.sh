#!/usr/bin/env bash
# Two application instances behind nginx against one PostgreSQL (issue #22, item 2): both run the
# job worker and the ledger sequencer; nginx sends requests to either in turn, without stickiness.
# The browser workflows (Tests/browser/workflows.py) and the simulated gateways run through the
# proxy; then the ledger is verified from outside, and each instance's /metrics shows it answered
# its share. Each instance runs in its own working directory: an import's upload waits in the
# database (migration 040), so imports queued on a third instance without a worker (C) are run by
# A's or B's, with no shared volume.
set -euo pipefail
BIN=.build/debug/jiliang
A=${INSTANCE_A_PORT:-18191} B=${INSTANCE_B_PORT:-18192} PROXY=${PROXY_PORT:-18190} WPORT=${WITNESS_PORT:-18193}
C=${INSTANCE_C_PORT:-18194}
PGPORT=${PG_INSTANCES_PORT:-54335}
DIR=$(mktemp -d /tmp/jiliang-instances-XXXXXX)
PGDIR=/tmp/jiliang-pg-instances-$(id -u)
pids=()
ROOT=$PWD
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$DIR/nginx.pid" ] && kill "$(cat "$DIR/nginx.pid")" 2>/dev/null
  wait 2>/dev/null || true
  bash "$ROOT/scripts/pg.sh" stop "$PGDIR"
  if [ "${ok:-}" = 1 ]; then rm -rf "$DIR"; else echo "logs kept in $DIR"; fi
}
trap cleanup EXIT
command -v nginx >/dev/null || { echo "missing nginx (scripts/deps.sh test)"; exit 1; }

export DATABASE_URL=$(bash scripts/pg.sh start "$PGDIR" "$PGPORT")
cd "$DIR"
BIN=$ROOT/$BIN

# The log key (this also creates the schema), the witness, then the instances one after the other
# (the first loads the demo province; the second finds it there).
LOGKEY=$($BIN ledger status --ledger-key "$DIR/ledger.key" | awk '/^log key/{print $3}')
$BIN witness --log "$LOGKEY" --key "$DIR/witness.key" --state "$DIR/witness.json" --port "$WPORT" >"$DIR/witness.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do [ -s "$DIR/witness.key" ] && grep -q "^witness " "$DIR/witness.log" && break; sleep 0.5; done
WKEY=$(awk '/^witness /{print $2; exit}' "$DIR/witness.log")
serve() {
  mkdir -p "$DIR/instance-$1"  # its own working directory: nothing on disk is shared
  (cd "$DIR/instance-$1" && exec $BIN serve --port "$1" "${@:2}" --demo-if-empty 300 --today 2026-11-26 --plain-path-limit 150 --trust-forwarded-for \
    --public-url "http://127.0.0.1:$PROXY" --ledger-key "$DIR/ledger.key" --witness "$WKEY http://127.0.0.1:$WPORT" --witness-quorum 1) \
    >"$DIR/server-$1.log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$1/api/v1/health" >/dev/null && return 0
    kill -0 $pid 2>/dev/null || { cat "$DIR/server-$1.log"; exit 1; }
    sleep 0.5
  done
  echo "instance on :$1 did not start"; tail -n 30 "$DIR/server-$1.log"; exit 1
}
serve "$A"
serve "$B"

# nginx: round robin over both, the client's address passed on, the live screen unbuffered.
cat > "$DIR/nginx.conf" <<NGINX
worker_processes 1;
user root;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $DIR/nginx-access.log;
  client_body_temp_path $DIR/nginx-body;
  proxy_temp_path $DIR/nginx-proxy;
  client_max_body_size 64m;
  upstream jiliang { server 127.0.0.1:$A; server 127.0.0.1:$B; keepalive 16; }
  server {
    listen 127.0.0.1:$PROXY;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$http_host;
    proxy_set_header X-Forwarded-For \$remote_addr;
    location /app/telemetry/live/events { proxy_buffering off; proxy_read_timeout 600s; proxy_pass http://jiliang; }
    location / { proxy_pass http://jiliang; }
  }
}
NGINX
nginx -c "$DIR/nginx.conf"
for _ in $(seq 1 40); do curl -sf "http://127.0.0.1:$PROXY/api/v1/health" >/dev/null && break; sleep 0.25; done
URL="http://127.0.0.1:$PROXY"

TOKEN=$(curl -sf -X POST "$URL/api/v1/auth/sign-in" -H 'content-type: application/json' \
  -d '{"login":"admin","password":"jiliang-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# A session made through one instance is good on the other.
for port in "$A" "$B"; do
  curl -sf "http://127.0.0.1:$port/api/v1/auth/me" -H "Authorization: Bearer $TOKEN" >/dev/null || { echo "session unknown on :$port"; exit 1; }
done
$BIN simulate --server "$URL" --token "$TOKEN" --devices 20 --cheat-rate 0.5 --seed 4 >"$DIR/simulate.log" 2>&1 \
  || { cat "$DIR/simulate.log"; tail -n 30 "$DIR/server-$A.log" "$DIR/server-$B.log"; exit 1; }
grep -q "^sent [0-9]* readings .*: [1-9][0-9]* kept" "$DIR/simulate.log" || { echo "the simulator kept nothing:"; cat "$DIR/simulate.log"; exit 1; }
grep "^sent \|^bound " "$DIR/simulate.log"
(cd "$ROOT" && python3 Tests/browser/workflows.py "$URL") || { tail -n 40 "$DIR/server-$A.log" "$DIR/server-$B.log"; exit 1; }

# Imports queued on a third instance that runs no job worker (`--no-background`), in a directory
# of its own: A's or B's worker must run each from the upload in the database. Each must finish
# with all its rows.
serve "$C" --no-background
OWNER=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/owners?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["credit_code"])')
for n in 1 2 3 4; do
  python3 -c '
import sys
owner, n = sys.argv[1], sys.argv[2]
print("sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date")
for i in range(200):
    print(f"2,电子秤,TWO{n}-{i},trade_settlement,350102,市场{i}号,{owner},2025-01-01")' "$OWNER" "$n" >"$DIR/import-$n.csv"
  job=$(curl -sf -H "Authorization: Bearer $TOKEN" -H 'content-type: text/csv' --data-binary @"$DIR/import-$n.csv" \
    "http://127.0.0.1:$C/api/v1/imports/instruments" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') \
    || { echo "import $n was not queued"; tail -n 30 "$DIR/server-$A.log" "$DIR/server-$B.log"; exit 1; }
  state=""
  for _ in $(seq 1 120); do
    state=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/jobs/$job" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(j["state"] + ("" if j["state"] != "done" else " %s" % json.loads(j["result"])["inserted"]))')
    case $state in done*|failed) break ;; esac
    sleep 0.5
  done
  [ "$state" = "done 200" ] || { echo "import $n (job $job) ended as '$state', not done with 200 rows"; tail -n 30 "$DIR/server-$A.log" "$DIR/server-$B.log"; exit 1; }
done
echo "4 imports queued on an instance without a worker: each run by another, done with its 200 rows, no shared directory"
if ls "$DIR"/instance-*/data/uploads >/dev/null 2>&1; then echo "an instance wrote an upload to its disk"; exit 1; fi

# Both sequencers ran against one log: it verifies from the public endpoints, through the proxy.
printf 'log %s\nwitness %s http://127.0.0.1:%s\nquorum 1\n' "$LOGKEY" "$WKEY" "$WPORT" >"$DIR/keys.txt"
sleep 3  # the last writes reach a checkpoint
$BIN verify ledger --url "$URL" --keys "$DIR/keys.txt" || { tail -n 30 "$DIR/server-$A.log" "$DIR/server-$B.log"; cat "$DIR/witness.log"; exit 1; }

# Each instance answered its share (its own /metrics), and no job is left behind.
for port in "$A" "$B"; do
  n=$(curl -sf "http://127.0.0.1:$port/metrics" -H "Authorization: Bearer $TOKEN" \
      | awk '/^jiliang_http_requests_total\{/ {s += $NF} END {print s + 0}')
  echo "instance :$port answered $n requests"
  [ "$n" -ge 50 ] || { echo "instance :$port took too few requests: is nginx sending to both?"; exit 1; }
done
open=$(curl -sf "http://127.0.0.1:$A/metrics" -H "Authorization: Bearer $TOKEN" | awk '/^jiliang_jobs\{state="(queued|running)"\}/ {s += $NF} END {print s + 0}')
[ "$open" = 0 ] || { echo "$open jobs left queued or running"; exit 1; }
if grep -q "unhandled error" "$DIR/server-$A.log" "$DIR/server-$B.log"; then
  echo "an instance logged an unhandled error:"; grep -h -A3 "unhandled error" "$DIR/server-$A.log" "$DIR/server-$B.log" | head -20; exit 1
fi
# One instance re-derives at a time: each catalogue change is derived once, not by both in turn
# (they once marked each other's work stale and derived for ever, starving the job queue).
derivations=$(cat "$DIR/server-$A.log" "$DIR/server-$B.log" | grep -c "re-deriving the stored compliance" || true)
echo "derivations of the stored compliance on both instances: $derivations"
[ "$derivations" -le 12 ] || { echo "the instances re-derived $derivations times: do they take turns?"; exit 1; }
ok=1
echo "two instances behind nginx: the workflows, the gateways and the ledger passed"
