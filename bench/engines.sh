#!/usr/bin/env bash
# SQLite and PostgreSQL side by side (cargo bench -p sesame-core --features bench-seeding --bench engines), on a private,
# throw-away PostgreSQL cluster started here and removed at the end (scripts/pg).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg
start_private_cluster
trap stop_private_cluster EXIT
SESAME_BENCH_PG="$SESAME_TEST_PG" cargo bench -p sesame-core --features bench-seeding --bench engines
