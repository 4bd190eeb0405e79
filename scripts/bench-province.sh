#!/usr/bin/env bash
# Issue #4 at province scale: `jiliang bench statistics` on the 10,000,000-instrument demo province,
# on SQLite and on PostgreSQL holding the same rows (copied by scripts/sqlite-to-pg.py: generating
# the demo a second time inside PostgreSQL would take another hour). Long — `make bench-province`,
# not part of `make bench`. Prints the lines for BENCHMARKS.md.
#   - the demo is built once (shared with scripts/bench-public.sh) and copied, never changed;
#   - migrating the copy brings an older demo file up to date (timed; a demo built by this binary
#     is counted already and the step is a no-op);
#   - PostgreSQL: a throwaway cluster, migrated, the registry copied in, then recounted (timed) —
#     or, with SQLITE_TO_PG_TABLES=metric_counts,utility_counts,utility_offences, the counts copied too.
set -euo pipefail
N=${BENCH_PROVINCE_INSTRUMENTS:-10000000}
# Years of verification history: 3 (the default) gives ~1.6 records per instrument, 22 gives ~3.0
# (29.9M records at 10M instruments; the demo then takes 83 min here, the whole script ~2.5 h).
# BENCH_PROVINCE_BASELINE_RUNS: plain GROUP BY runs per level on SQLite (default 3; the province's takes ~1.5 min at 30M).
YEARS=${BENCH_PROVINCE_HISTORY_YEARS:-3}
SUFFIX=$([ "$YEARS" = 3 ] && echo "" || echo "-${YEARS}y")
TODAY=2026-11-26
ROOT=$PWD
BIN=$ROOT/bench-data/jiliang-province$SUFFIX
DATA=$ROOT/bench-data
SRC=$DATA/public-$N$SUFFIX.sqlite
DB=$DATA/province-$N$SUFFIX.sqlite
PG_DIR=/tmp/jiliang-bench-province-pg-$(id -u)
PG_PORT=${BENCH_PG_PORT:-54332}
mkdir -p "$DATA"
swift build -c release --product jiliang
# A copy of the binary: the run takes hours, and rebuilding the work tree meanwhile must not change it.
cp "$ROOT/.build/release/jiliang" "$BIN"
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m), instruments=$N, history $YEARS years"

if [ ! -f "$SRC.done" ]; then
  rm -f "$SRC" "$SRC-wal" "$SRC-shm"
  echo "building a demo province of $N instruments in $SRC (once)…"
  /usr/bin/time -f "demo: %e s, max RSS %M KiB" $BIN demo --sqlite "$SRC" --instruments "$N" --history-years "$YEARS" --today $TODAY
  touch "$SRC.done"
fi

echo "## SQLite"
if [ ! -f "$DB.done" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  cp "$SRC" "$DB"
  /usr/bin/time -f "migrate (an older demo file brought up to date; a no-op for one this binary built): %e s, max RSS %M KiB" $BIN migrate --sqlite "$DB" --today $TODAY
  touch "$DB.done"
fi
$BIN bench statistics --sqlite "$DB" --today $TODAY --baseline-runs "${BENCH_PROVINCE_BASELINE_RUNS:-3}"

echo "## PostgreSQL (the same rows)"
url=$(PG_EXTRA_OPTS="-c shared_buffers=2GB -c max_wal_size=8GB -c work_mem=64MB" bash scripts/pg.sh start "$PG_DIR" "$PG_PORT")
trap 'bash scripts/pg.sh stop "$PG_DIR"' EXIT
DATABASE_URL=$url $BIN migrate --today $TODAY
/usr/bin/time -f "copy from SQLite: %e s" python3 scripts/sqlite-to-pg.py "$DB" "$url"
case ",${SQLITE_TO_PG_TABLES:-}," in
  *,metric_counts,*)
    # The counts came with the copy (the same numbers: both databases count the same rows); the
    # recount on PostgreSQL is skipped — at 30M records it alone takes about an hour here.
    ;;
  *) DATABASE_URL=$url $BIN bench statistics --rebuild --today $TODAY ;;
esac
# Measured again on a settled database: the first run's samples followed the recount of 26M freshly
# copied rows while autovacuum was still catching up (BENCHMARKS.md: cities p95 58 ms then, 29 after).
/usr/bin/time -f "vacuum analyze: %e s" psql -qX "$url" -c "VACUUM ANALYZE"
DATABASE_URL=$url $BIN bench statistics --today $TODAY --baseline-runs 1
