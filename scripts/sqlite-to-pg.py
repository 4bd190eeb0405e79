#!/usr/bin/env python3
"""Copies the registry tables of a Jiliang SQLite file into a migrated Jiliang PostgreSQL database,
so that a benchmark runs on the *same* data on both (issue #4's 10M-instrument run: generating the
demo a second time in PostgreSQL would take an hour; this takes minutes).

    scripts/sqlite-to-pg.py SQLITE_FILE POSTGRES_URL

The PostgreSQL database must be migrated (`jiliang migrate`) and hold no registry rows yet, and
the SQLite file migrated by the same version (`jiliang migrate --sqlite FILE`). Types
follow PostgreSQL's schema: SQLite keeps timestamps as seconds since 1970, PostgreSQL as
`timestamptz`. Rows stream from `sqlite3 -csv` into `psql \\copy` (no intermediate file); foreign
keys are not re-checked row by row (`session_replication_role = replica`), the data having come
from a database that enforced them. Sequences are moved past the copied ids."""
import subprocess
import sys
import time

import os

# SQLITE_TO_PG_TABLES adds tables (e.g. metric_counts, to skip the recount when the counts are known good).
TABLES = ["owners", "institutions", "institution_scopes", "instruments", "schedules", "verification_records"] + \
    [t for t in os.environ.get("SQLITE_TO_PG_TABLES", "").split(",") if t]


def psql(url, sql):
    return subprocess.run(["psql", "-qAtX", url, "-c", sql], check=True, capture_output=True, text=True).stdout


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sqlite_file, url = sys.argv[1], sys.argv[2]
    for table in TABLES:
        if psql(url, f"SELECT EXISTS (SELECT 1 FROM {table})").strip() == "t":
            sys.exit(f"{table}: the PostgreSQL table is not empty; copy into a freshly migrated database")
    for table in TABLES:
        columns = [line.split("|") for line in psql(url, f"""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position""").split("\n") if line]
        sqlite_columns = {line.split("|")[1] for line in subprocess.run(
            ["sqlite3", "-readonly", sqlite_file, f"PRAGMA table_info({table})"], check=True, capture_output=True, text=True).stdout.split("\n") if line}
        names, selects = [], []
        for name, kind in columns:
            if name not in sqlite_columns:
                continue  # a column added by a later migration keeps its default (migrate the file first: 041's have none)
            names.append(f'"{name}"')
            if kind.startswith("timestamp"):
                selects.append(f"strftime('%Y-%m-%dT%H:%M:%fZ', \"{name}\", 'unixepoch')")
            else:
                selects.append(f'"{name}"')
        start = time.time()
        reader = subprocess.Popen(
            ["sqlite3", "-readonly", "-csv", "-cmd", ".nullvalue @@NULL@@", sqlite_file, f"SELECT {', '.join(selects)} FROM {table}"],
            stdout=subprocess.PIPE)
        subprocess.run(
            ["psql", "-qX", url, "-v", "ON_ERROR_STOP=1", "-c", "SET session_replication_role = replica",
             "-c", f"\\copy {table} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv, NULL '@@NULL@@')"],
            stdin=reader.stdout, check=True)
        reader.stdout.close()
        if reader.wait() != 0:
            sys.exit(f"{table}: sqlite3 failed")
        n = psql(url, f"SELECT count(*) FROM {table}").strip()
        if '"id"' in names:
            psql(url, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(1, (SELECT max(id) FROM {table})))")
        print(f"{table}: {n} rows in {time.time() - start:.0f} s", flush=True)
    psql(url, "ANALYZE")


if __name__ == "__main__":
    main()
