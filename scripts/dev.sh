#!/usr/bin/env bash
# `make up` / `make down`: the whole system on loopback with state under DIR (.run/).
#   scripts/dev.sh up DIR     start infra, write DIR/lanyard.toml, migrate, start the services
#                             and optix-sim, deliver the demo webhooks, wait until provisioned
#   scripts/dev.sh down DIR   stop the services and the infra
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$root/target/debug
services=(optix-sim ingest provision portal)

wait_for() { # wait_for WHAT SECONDS CMD...
    local what=$1 seconds=$2; shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then echo "dev: timed out waiting for $what" >&2; return 1; fi
        sleep 0.2
    done
}

running() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

up() {
    local dir=$1
    mkdir -p "$dir/logs" "$dir/pids"
    scripts/infra.sh start "$dir/infra"
    # shellcheck disable=SC1091
    source "$dir/infra/env"
    local config=$dir/lanyard.toml all_running=1
    for s in "${services[@]}"; do running "$dir/pids/$s.pid" || all_running=0; done
    if [[ ! -f $config || $all_running -eq 0 ]]; then
        for s in "${services[@]}"; do stop_service "$dir" "$s"; done
        local ports
        mapfile -t ports < <(scripts/infra.sh free-port tcp 4)
        sed -e "s/@PGPORT@/$PGPORT/g; s/@NATSPORT@/$NATS_PORT/g; s/@INGESTPORT@/${ports[0]}/g" \
            -e "s/@PROVISIONPORT@/${ports[1]}/g; s/@PORTALPORT@/${ports[2]}/g; s/@SIMPORT@/${ports[3]}/g" \
            deploy/local/lanyard.toml.tmpl >"$config"
    fi
    "$bin/lanyard" --config "$config" migrate
    for s in "${services[@]}"; do
        if running "$dir/pids/$s.pid"; then continue; fi
        nohup "$bin/$s" --config "$config" >>"$dir/logs/$s.log" 2>&1 &
        echo $! >"$dir/pids/$s.pid"
    done
    local ingest provision portal sim
    ingest=$(listen_of ingest "$config"); provision=$(listen_of provision "$config")
    portal=$(listen_of portal "$config"); sim=$(listen_of sim "$config")
    wait_for "optix-sim" 30 curl -fsS "http://$sim/healthz"
    wait_for "ingest" 30 curl -fsS "http://$ingest/readyz"
    wait_for "provision" 30 curl -fsS "http://$provision/readyz"
    wait_for "portal" 30 curl -fsS "http://$portal/readyz"
    curl -fsS -X POST "http://$sim/admin/demo/deliver" >/dev/null
    wait_for "the demo members to be provisioned" 60 \
        bash -c "'$bin/lanyard' --config '$config' members list | grep -q ' live '"
    "$bin/lanyard" --config "$config" members list
    cat <<MSG

Lanyard is up (state and logs under $dir):
  ingest      http://$ingest/optix/webhooks   (health: /healthz, /readyz)
  provision   http://$provision/readyz
  portal      http://$portal/
  optix-sim   http://$sim/graphql  (admin: POST /admin/demo/deliver, GET /admin/stats)
  PostgreSQL  $DATABASE_URL
  NATS        $NATS_URL  (monitoring $NATS_MONITOR_URL)

Look around:
  $bin/lanyard --config $config members list
  $bin/lanyard --config $config projections checksum
  $bin/lanyard --config $config replay
  curl -s -X POST http://$sim/admin/orgs/6267/users/12350/plans -H 'content-type: application/json' -d '{"plan_template_id":"916"}'
Stop everything with: make down
MSG
}

listen_of() { # listen_of SECTION CONFIG → host:port of [SECTION] listen
    awk -v section="[$1]" '$0 == section {found=1; next} /^\[/ {found=0} found && $1 == "listen" {gsub(/"/, "", $3); print $3; exit}' "$2"
}

stop_service() {
    local dir=$1 s=$2 pidfile=$1/pids/$2.pid
    if running "$pidfile"; then
        kill "$(cat "$pidfile")" 2>/dev/null || true
        wait_for "$s to stop" 15 bash -c "! kill -0 $(cat "$pidfile") 2>/dev/null" || kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

down() {
    local dir=$1
    for s in "${services[@]}"; do stop_service "$dir" "$s"; done
    [[ -d $dir/infra ]] && scripts/infra.sh stop "$dir/infra"
    echo "Lanyard stopped."
}

case "${1:-}" in
    up) up "${2:?usage: dev.sh up DIR}" ;;
    down) down "${2:?usage: dev.sh down DIR}" ;;
    *) echo "usage: scripts/dev.sh up|down DIR" >&2; exit 2 ;;
esac
