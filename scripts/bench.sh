#!/usr/bin/env bash
# `make bench`: builds the release binaries, starts a private PostgreSQL and NATS on free ports
# (scripts/infra.sh, as `make test` does; removed afterwards), runs every scenario of
# lanyard-bench, writes bench/results/<timestamp>.json and prints the table (met or missed per
# target, then "N of M targets met").
#
#   scripts/bench.sh                      everything (about 15 minutes on 2 cores)
#   scripts/bench.sh --only ingest,replay some scenarios
#   scripts/bench.sh --smoke              tiny sizes (what `make test` runs, with a debug build)
#
# LANYARD_SUITE=chaos runs the chaos suite instead (scripts/chaos.sh): lanyard-chaos, results in
# chaos/results/, PostgreSQL with fsync on.
# LANYARD_PG_STATEMENTS=1 (`make bench-statements`): PostgreSQL records every statement
# (pg_stat_statements) and the costliest (STATEMENTS, default 25) are printed after the run;
# its figures carry that overhead, so the JSON goes to the infrastructure's directory, not
# bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${LANYARD_SUITE:-bench}
[[ $suite == bench || $suite == chaos ]] || { echo "LANYARD_SUITE is bench or chaos, not $suite" >&2; exit 2; }

profile=release
for arg in "$@"; do
    [[ $arg != --smoke ]] || profile=debug
done
if [[ $profile == release ]]; then
    cargo build --release --locked --workspace --bins
else
    cargo build --locked --workspace --bins
fi
target_dir=$(scripts/infra.sh target-dir)

infra_dir=$(mktemp -d "/tmp/lanyard-$suite.XXXXXX")
cleanup() { scripts/infra.sh destroy "$infra_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# The chaos suite crashes PostgreSQL: it must lose only what production would.
LANYARD_PG_DURABLE=$([[ $suite == chaos ]] && echo 1 || echo 0) scripts/infra.sh start "$infra_dir"
# shellcheck disable=SC1091
source "$infra_dir/env"
export LANYARD_REQUIRE_SERVICES=1

statements=${LANYARD_PG_STATEMENTS:-0}
sql() { psql -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
[[ $statements != 1 ]] || sql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null

if [[ $profile == release ]]; then
    mkdir -p "$suite/results"
    out=$suite/results/$(date -u +%Y-%m-%dT%H-%M-%SZ).json
    [[ $statements != 1 ]] || out=$infra_dir/$suite.json
    "$target_dir/release/lanyard-$suite" --out "$out" "$@"
else
    "$target_dir/debug/lanyard-$suite" "$@"
fi

if [[ $statements == 1 ]]; then
    echo
    echo "statements by PostgreSQL's total time over the run (every database of the cluster):"
    sql -c "SELECT calls, round(total_exec_time::numeric, 1) AS total_ms,
                   round(mean_exec_time::numeric, 3) AS mean_ms, rows,
                   left(regexp_replace(query, '\s+', ' ', 'g'), 120) AS statement
              FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT ${STATEMENTS:-25}"
fi
