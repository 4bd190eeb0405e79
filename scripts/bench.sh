#!/usr/bin/env bash
# make bench: release build, then each measurement beside its baseline in the same run, on SQLite
# and on a throwaway PostgreSQL. Prints lines to copy into BENCHMARKS.md.
set -euo pipefail
ROWS=${BENCH_ROWS:-1000000}
PG_DIR=/tmp/jiliang-bench-pg-$(id -u)
PG_PORT=${BENCH_PG_PORT:-54331}
swift build -c release --product jiliang
BIN=$PWD/.build/release/jiliang
mkdir -p bench-data
CSV=$PWD/bench-data/instruments-$ROWS.csv
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m), rows=$ROWS"

echo "## SQLite"
rm -f bench-data/bench.sqlite*
$BIN bench import --sqlite bench-data/bench.sqlite --rows "$ROWS" --file "$CSV" \
  --baseline "sqlite3 $PWD/bench-data/bench.sqlite '.import --csv --skip 1 FILE bench_staging'"
$BIN bench lookup --sqlite bench-data/bench.sqlite
# Issue #19: a 100,000-row bureau roll with history, as XLSX and as CSV, each into a fresh registry.
$BIN bench import-xlsx --sqlite bench-data/roll.sqlite --rows "${BENCH_ROLL_ROWS:-100000}"
# Issue #4: statistics from the kept counts beside the plain GROUP BY, on a demo province.
STAT_ROWS=${BENCH_STAT_ROWS:-1000000}
rm -f bench-data/stats.sqlite*
$BIN demo --sqlite bench-data/stats.sqlite --instruments "$STAT_ROWS" --today 2026-11-26
$BIN bench statistics --sqlite bench-data/stats.sqlite --today 2026-11-26

echo "## PostgreSQL"
# Sized for bulk loads (baseline and ours run on the same server).
url=$(PG_EXTRA_OPTS="-c shared_buffers=1GB -c max_wal_size=8GB" bash scripts/pg.sh start "$PG_DIR" "$PG_PORT")
trap 'bash scripts/pg.sh stop "$PG_DIR"' EXIT
chmod o+r "$CSV"
DATABASE_URL=$url $BIN bench import --rows "$ROWS" --file "$CSV" \
  --baseline "psql -q '$url' -c \"\\\\copy bench_staging FROM 'FILE' WITH (FORMAT csv, HEADER true)\""
DATABASE_URL=$url $BIN bench lookup
DATABASE_URL=$url $BIN demo --instruments "$STAT_ROWS" --today 2026-11-26
DATABASE_URL=$url $BIN bench statistics --today 2026-11-26

echo "## Telemetry ingest (issue #21), beside InfluxDB and the databases' own loaders"
# A throwaway InfluxDB 1.x on loopback (Debian's influxdb), for the same readings as line protocol.
INFLUX_DIR=$(mktemp -d /tmp/jiliang-bench-influx-XXXXXX)
INFLUXDB_META_DIR=$INFLUX_DIR/meta INFLUXDB_DATA_DIR=$INFLUX_DIR/data INFLUXDB_DATA_WAL_DIR=$INFLUX_DIR/wal \
  INFLUXDB_HTTP_BIND_ADDRESS=127.0.0.1:18086 INFLUXDB_BIND_ADDRESS=127.0.0.1:18088 INFLUXDB_REPORTING_DISABLED=true \
  INFLUXDB_HTTP_LOG_ENABLED=false influxd >"$INFLUX_DIR/log" 2>&1 &
INFLUX_PID=$!
trap 'kill $INFLUX_PID 2>/dev/null; rm -rf "$INFLUX_DIR"; bash scripts/pg.sh stop "$PG_DIR"' EXIT
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:18086/ping >/dev/null && break; sleep 0.5; done
TEL_DEVICES=${BENCH_TEL_DEVICES:-2000} TEL_READINGS=${BENCH_TEL_READINGS:-100}
chmod o+rx bench-data
# Batches one at a time, then the gateways (500 devices each) all sending at once, as a
# province's are; InfluxDB is sent to the same way in each run.
for at_once in 1 4; do
  DATABASE_URL=$url $BIN bench telemetry --devices "$TEL_DEVICES" --readings "$TEL_READINGS" --concurrent $at_once --file "$PWD/bench-data/telemetry-pg.csv" \
    --influx http://127.0.0.1:18086 --baseline "psql -q '$url' -c \"\\\\copy bench_telemetry_staging FROM 'FILE' WITH (FORMAT csv, HEADER true)\""
  rm -f bench-data/telemetry.sqlite*
  $BIN bench telemetry --sqlite bench-data/telemetry.sqlite --devices "$TEL_DEVICES" --readings "$TEL_READINGS" --concurrent $at_once --file "$PWD/bench-data/telemetry.csv" \
    --influx http://127.0.0.1:18086 --baseline "sqlite3 $PWD/bench-data/telemetry.sqlite '.import --csv --skip 1 FILE bench_telemetry_staging'"
done
# Readings leaving the window: PostgreSQL's day partitions dropped whole beside the row-by-row path,
# in the same run (SQLite has the row-by-row path only).
DATABASE_URL=$url $BIN bench telemetry-retention --devices "$TEL_DEVICES" --readings "$TEL_READINGS"
rm -f bench-data/retention.sqlite*
$BIN bench telemetry-retention --sqlite bench-data/retention.sqlite --devices "$TEL_DEVICES" --readings "$TEL_READINGS"

echo "## Ledger (issue #5)"
# The module alone, beside the raw SHA-256 rate of the same run.
$BIN bench ledger --entries "$ROWS"
# The database sequencer on the registry the import bench left behind.
$BIN bench ledger-db --sqlite bench-data/bench.sqlite --records 200000
DATABASE_URL=$url $BIN bench ledger-db --records 200000

echo "## Public lookup (issue #6)"
# wrk against Jiliang, nginx (static copy of the same page) and Datasette (same SQL, same file).
bash scripts/bench-public.sh
