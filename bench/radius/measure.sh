#!/usr/bin/env bash
# Issue 16's read-path measurement: the same toy members answered by FreeRADIUS from `files`
# (the ceiling), rlm_sql (PostgreSQL) and rlm_rest (a toy Lanyard-like endpoint that opens
# sealed passphrases with the key ring). Results in docs/design.md ("RADIUS read path").
#
#   source DIR/env   # scripts/infra.sh start DIR (PostgreSQL; DATABASE_URL, PGPORT, RADIUS_SECRET)
#   cargo build -p integration-tests --example radius_read_path_toy
#   bench/radius/measure.sh [MEMBERS=10000] [COUNT=20000] [CONCURRENCY=32]
#
# TOY_BIN overrides the toy endpoint binary (e.g. a --release build). For each read path: 500
# warm-up requests, then COUNT requests with CONCURRENCY in flight (load.py: rate, p50, p99),
# then the same COUNT through `radclient -p CONCURRENCY` (rate only).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=../../scripts/infra.sh
source "$root/scripts/infra.sh"
members=${1:-10000} count=${2:-20000} conc=${3:-32}
toy=${TOY_BIN:-$root/target/debug/examples/radius_read_path_toy}
[[ -x $toy ]] || die "$toy is missing (cargo build -p integration-tests --example radius_read_path_toy)"
: "${DATABASE_URL:?source the env of scripts/infra.sh start}" "${PGPORT:?}" "${RADIUS_SECRET:?}"
work=$(mktemp -d /tmp/lanyard-radius-bench.XXXXXX)
toy_pid= rad_pid=
# cpu_ms PID: CPU time (user + system) PID has used, in ms.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }
pg_cpu_ms() { # all PostgreSQL backends together
    local total=0 pid
    for pid in $(pgrep -x postgres || true); do total=$((total + $(cpu_ms "$pid" 2>/dev/null || echo 0))); done
    echo "$total"
}
cleanup() {
    stop_pid "$rad_pid" freeradius 5
    stop_pid "$toy_pid" radius_read_path_toy 5
    rm -rf "$work"
}
trap cleanup EXIT

{ read -r TOY_PORT; } < <(free_port tcp 1)
{ read -r RADIUS_FILES_PORT; read -r RADIUS_SQL_PORT; read -r RADIUS_REST_PORT; } < <(free_port udp 3)
export TOY_PORT RADIUS_FILES_PORT RADIUS_SQL_PORT RADIUS_REST_PORT
export TOY_LISTEN=127.0.0.1:$TOY_PORT TOY_MEMBERS=$members TOY_USERS_FILE=$work/users TOY_MACS_FILE=$work/macs
export RADIUS_RUN_DIR=$work RADIUS_AUTH_PORT=0 RADIUS_ACCT_PORT=0

toy_pid=$(spawn "$work/toy.pid" "$work/toy.log" "$toy")
WAIT_PID=$toy_pid WAIT_LOG=$work/toy.log wait_until 600 "the toy endpoint (seeding $members members)" \
    grep -q listening "$work/toy.log"
rad_pid=$(spawn "$work/radius.pid" "$work/radius.log" freeradius -f -l stdout -d "$root/bench/radius" -n radiusd)
WAIT_PID=$rad_pid WAIT_LOG=$work/radius.log wait_until 60 "freeradius" radius_ok "$RADIUS_FILES_PORT" "$RADIUS_SECRET"

head -n 2000 "$work/macs" | awk '{printf "User-Name = \"%s\"\nUser-Password = \"%s\"\n\n", $1, $1}' >"$work/radclient.txt"
if [[ ${SHOW_EXCHANGES:-0} == 1 ]]; then
    first=$(head -n 1 "$work/macs")
    for mode in files sql rest; do
        port_var=RADIUS_${mode^^}_PORT
        for mac in "$first" 0000deadbeef; do
            echo "== $mode, $mac"
            printf 'User-Name = "%s"\nUser-Password = "%s"\n' "$mac" "$mac" |
                radclient -x -t 2 -r 1 "127.0.0.1:${!port_var}" auth "$RADIUS_SECRET" 2>&1 | grep -v '^Sent\|User-\|Cleartext' || true
        done
    done
fi
echo "members=$members count=$count concurrency=$conc toy=$toy"
for mode in files sql rest; do
    port_var=RADIUS_${mode^^}_PORT
    addr=127.0.0.1:${!port_var}
    python3 "$root/bench/radius/load.py" "$addr" "$RADIUS_SECRET" "$work/macs" 500 "$conc" >/dev/null
    before=("$(cpu_ms "$rad_pid")" "$(cpu_ms "$toy_pid")" "$(pg_cpu_ms)")
    printf '%-5s load.py   %s\n' "$mode" "$(python3 "$root/bench/radius/load.py" "$addr" "$RADIUS_SECRET" "$work/macs" "$count" "$conc")"
    printf '%-5s cpu ms during load.py: freeradius=%d toy-endpoint=%d postgres=%d\n' "$mode" \
        $(($(cpu_ms "$rad_pid") - before[0])) $(($(cpu_ms "$toy_pid") - before[1])) $(($(pg_cpu_ms) - before[2]))
    reps=$(( (count + 1999) / 2000 ))
    start=$(date +%s.%N)
    summary=$(for _ in $(seq "$reps"); do cat "$work/radclient.txt"; done |
        radclient -q -s -t 2 -r 1 -p "$conc" "$addr" auth "$RADIUS_SECRET" 2>&1 | grep -E 'Accepted|Rejected|Lost' | tr -s ' \t\n' ' ')
    end=$(date +%s.%N)
    answered=$(awk '{ for (i = 1; i < NF; i++) if ($i == "Accepted" || $i == "Rejected") n += $(i + 2) } END { print n + 0 }' <<<"$summary")
    printf '%-5s radclient %s wall=%.2fs rate=%.0f/s (answered/wall)\n' "$mode" "$summary" "$(echo "$end - $start" | bc)" \
        "$(echo "$answered / ($end - $start)" | bc -l)"
done
