#!/usr/bin/env bash
# `make bench-statements`: runs some benchmark scenarios (release build) against a private
# PostgreSQL with pg_stat_statements loaded, then prints the statements that took PostgreSQL the
# most time over the run: calls, total and mean milliseconds, rows. How docs/performance.md
# finds where provision's time goes.
#
#   scripts/bench-statements.sh                    the provision scenario
#   scripts/bench-statements.sh --only freshness   any scenarios of lanyard-bench
#   STATEMENTS=50 scripts/bench-statements.sh      more lines
set -euo pipefail
cd "$(dirname "$0")/.."
(($# > 0)) || set -- --only provision

cargo build --release --locked --workspace --bins
target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

infra_dir=$(mktemp -d /tmp/lanyard-statements.XXXXXX)
cleanup() { scripts/infra.sh destroy "$infra_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
scripts/infra.sh start "$infra_dir" >/dev/null
# shellcheck disable=SC1091
source "$infra_dir/env"
sql() { psql -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

# The library loads only at server start: set it, stop the server, and let infra.sh start it
# again on the same port and data.
sql -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
pg_ctl_bin=$(find /usr/lib/postgresql -path '*/bin/pg_ctl' 2>/dev/null | sort -V | tail -n 1)
[[ -n $pg_ctl_bin ]] || pg_ctl_bin=$(command -v pg_ctl)
if [[ $EUID -eq 0 ]]; then
    su postgres -s /bin/bash -c "'$pg_ctl_bin' -D '$PG_DATA' -m fast -w stop" >/dev/null
else
    "$pg_ctl_bin" -D "$PG_DATA" -m fast -w stop >/dev/null
fi
scripts/infra.sh start "$infra_dir" >/dev/null
# shellcheck disable=SC1091
source "$infra_dir/env"
sql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null

export LANYARD_REQUIRE_SERVICES=1
"$target_dir/release/lanyard-bench" --out "$infra_dir/bench.json" "$@"

echo
echo "statements by PostgreSQL's total time over the run (every database of the cluster):"
sql -c "SELECT calls, round(total_exec_time::numeric, 1) AS total_ms,
               round(mean_exec_time::numeric, 3) AS mean_ms, rows,
               left(regexp_replace(query, '\s+', ' ', 'g'), 120) AS statement
          FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT ${STATEMENTS:-25}"
