#!/usr/bin/env bash
# Several verification services on one PostgreSQL store (bench/verifiers.py): warm verification
# against SQLite, revocations obeyed by three verifiers (p50, p99) and through a hot standby, on
# a private, throw-away cluster and a standby of it, started here and removed at the end.
# The cluster commits synchronously here (scripts/pg turns that off for the tests' speed), so
# the standby receives each change as a production primary would send it.
# Usage: bench/verifiers.sh [revocations, default 100] [seconds per warm run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p sesamectl
source scripts/pg
start_private_cluster
echo "synchronous_commit = on" >>"$SESAME_TEST_PG_DIR/data/postgresql.conf"
as_cluster_owner "$(pg_bin)/pg_ctl" -D "$SESAME_TEST_PG_DIR/data" -w reload >/dev/null
start_standby "$SESAME_TEST_PG_DIR"
trap 'stop_private_cluster; SESAME_TEST_PG_DIR=$SESAME_TEST_PG_STANDBY_DIR stop_private_cluster' EXIT
SESAME_BENCH_PG="$SESAME_TEST_PG" SESAME_BENCH_PG_STANDBY="$SESAME_TEST_PG_STANDBY" \
    SESAME_BENCH_PSQL="$(pg_bin)/psql" \
    python3 bench/verifiers.py target/release/sesamectl "${1:-100}" "${2:-5}"
