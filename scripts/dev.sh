#!/usr/bin/env bash
# `make up` / `make down`: the whole system on loopback with state under DIR (.run/).
#   scripts/dev.sh up DIR     start infra, write DIR/lanyard.toml, migrate, start the services
#                             and optix-sim, deliver the demo webhooks, wait until provisioned,
#                             start officernd-sim and connect its demo organization,
#                             and run Prometheus scraping the services (PROMETHEUS=0: not)
#   scripts/dev.sh down DIR   stop Prometheus, the services and the infra
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$root/target/debug
services=(optix-sim officernd-sim vendor-sim ingest provision portal radius controllers)

wait_for() { # wait_for WHAT SECONDS CMD...
    local what=$1 seconds=$2; shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then echo "dev: timed out waiting for $what" >&2; return 1; fi
        sleep 0.2
    done
}

# make_secrets DIR [OLD_CONFIG]: provision's master and hash keys and the webhook seal key, 32
# random bytes each in hex, made once (mode 0600 in a 0700 directory) and kept: the data sealed
# with them lives on in the database and the webhook stream. A .run made before keys had files
# keeps the keys its old configuration held.
make_secrets() {
    local dir=$1 old_config=${2:-} name old
    (umask 077 && mkdir -p "$dir")
    chmod 700 "$dir"
    for name in master_key hash_key webhook_seal_key officernd_webhook_secret; do
        if [[ ! -s $dir/$name ]]; then
            old=$(sed -n "s/^$name = \"\([0-9a-f]*\)\"$/\1/p" "$old_config" 2>/dev/null || true)
            if [[ -n $old ]]; then
                (umask 077 && echo "$old" >"$dir/$name")
            else
                (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' >"$dir/$name")
            fi
        fi
        chmod 600 "$dir/$name"
    done
}

running() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

up() {
    local dir=$1
    mkdir -p "$dir/logs" "$dir/pids"
    chmod 700 "$dir"
    scripts/infra.sh start "$dir/infra"
    # shellcheck disable=SC1091
    source "$dir/infra/env"
    local config=$dir/lanyard.toml all_running=1
    for s in "${services[@]}"; do running "$dir/pids/$s.pid" || all_running=0; done
    if [[ ! -f $config || $all_running -eq 0 ]]; then
        for s in "${services[@]}"; do stop_service "$dir" "$s"; done
        local ports
        mapfile -t ports < <(scripts/infra.sh free-port tcp 11)
        make_secrets "$dir/secrets" "$config"
        # The configuration names secret files and the SMTP sink: readable by its owner only.
        (umask 077 && sed -e "s|@SECRETS@|$dir/secrets|g" -e "s/@PGPORT@/$PGPORT/g; s/@NATSPORT@/$NATS_PORT/g; s/@INGESTPORT@/${ports[0]}/g" \
            -e "s/@PROVISIONPORT@/${ports[1]}/g; s/@PORTALPORT@/${ports[2]}/g; s/@SIMPORT@/${ports[3]}/g" \
            -e "s/@INGESTOPSPORT@/${ports[4]}/g; s/@PORTALOPSPORT@/${ports[5]}/g; s/@ORNDPORT@/${ports[10]}/g" \
            -e "s/@RADIUSPORT@/$RADIUS_SERVICE_PORT/g; s/@RADIUSOPSPORT@/${ports[6]}/g; s|@RADIUSTOKENFILE@|$RADIUS_TOKEN_FILE|g" \
            -e "s/@RADIUSFILLPORT@/$RADIUS_FILL_PORT/g" \
            -e "s/@CONTROLLERSPORT@/${ports[7]}/g; s/@CONTROLLERSOPSPORT@/${ports[8]}/g; s/@VENDORSIMPORT@/${ports[9]}/g" \
            -e "s|@SMTPURL@|$SMTP_URL|g; s|@NATSCREDENTIALS@|$NATS_CREDENTIALS_DIR|g" \
            deploy/local/lanyard.toml.tmpl >"$config")
        chmod 600 "$config"
    fi
    "$bin/lanyard" --config "$config" migrate
    for s in "${services[@]}"; do
        if running "$dir/pids/$s.pid"; then continue; fi
        local args=(--config "$config")
        # The vendors' simulator takes its address only.
        [[ $s == vendor-sim ]] && args=(--listen "$(listen_of vendor_sim "$config")")
        nohup "$bin/$s" "${args[@]}" >>"$dir/logs/$s.log" 2>&1 &
        echo $! >"$dir/pids/$s.pid"
    done
    local ingest provision portal sim ingest_ops portal_ops radius_ops
    ingest=$(listen_of ingest "$config"); provision=$(listen_of provision "$config")
    radius_ops=$(listen_of radius "$config" ops_listen)
    portal=$(listen_of portal "$config"); sim=$(listen_of sim "$config")
    ingest_ops=$(listen_of ingest "$config" ops_listen); portal_ops=$(listen_of portal "$config" ops_listen)
    wait_for "optix-sim" 30 curl -fsS "http://$sim/healthz"
    local officernd_sim
    officernd_sim=$(listen_of officernd_sim "$config")
    wait_for "officernd-sim" 30 curl -fsS "http://$officernd_sim/healthz"
    wait_for "ingest" 30 curl -fsS "http://$ingest_ops/readyz"
    wait_for "provision" 30 curl -fsS "http://$provision/readyz"
    wait_for "portal" 30 curl -fsS "http://$portal_ops/readyz"
    wait_for "radius" 30 curl -fsS "http://$radius_ops/readyz"
    local controllers_ops vendor_sim
    controllers_ops=$(listen_of controllers "$config" ops_listen); vendor_sim=$(listen_of vendor_sim "$config")
    wait_for "controllers" 30 curl -fsS "http://$controllers_ops/readyz"
    configure_demo "$config"
    curl -fsS -X POST "http://$sim/admin/demo/deliver" >/dev/null
    wait_for "the demo organization's import" 60 \
        bash -c "'$bin/lanyard' --config '$config' syncs --org 6267 | grep -q ' ok '"
    # The simulator dispatches webhooks 1–15 s late, as Optix does: wait until all are sent.
    wait_for "the simulator to dispatch the demo webhooks" 60 \
        bash -c "curl -fsS 'http://$sim/admin/stats' | grep -q '\"dispatching\":0'"
    wait_for "provision to handle the demo webhooks" 60 consumer_idle "$NATS_MONITOR_URL"
    connect_officernd_demo "$config" "$dir/secrets"
    "$bin/lanyard" --config "$config" members list
    controllers_demo "$config" "$dir/secrets" "$vendor_sim"
    local radclient_line
    radclient_line=$(radius_demo "$config" "$dir/secrets")
    # Canvas tokens as Optix would hand them to the app (Jean, a member) and the dashboard
    # (Sofia, an admin): simulator tokens, fine to print.
    local member_token admin_token
    member_token=$(sim_token "$sim" 12346)
    admin_token=$(sim_token "$sim" 12351)
    local prometheus_line="(not started: PROMETHEUS=0)"
    if [[ ${PROMETHEUS:-1} != 0 ]]; then
        prometheus_line=$(prometheus_up "$dir" "$ingest_ops" "$provision" "$portal_ops" "$radius_ops")
    else
        stop_service "$dir" prometheus
    fi
    cat <<MSG

Lanyard is up (state and logs under $dir):
  ingest      http://$ingest/optix/webhooks   (metrics, health: http://$ingest_ops/metrics, /readyz)
  provision   http://$provision/readyz
  portal      http://$portal/l/6267/3390   (tenant portal of Gastown; Trastevere: /l/6267/3391)
              metrics, health: http://$portal_ops/metrics, /readyz
              sign in as jean@example.com: the link arrives in $MAILDIR/new
              mobile canvas: http://$portal/canvas/mobile?location_id=3390#token=$member_token
              admin canvas:  http://$portal/canvas/admin#token=$admin_token
  radius      FreeRADIUS on $RADIUS_ADDR (accounting $RADIUS_ACCT_ADDR) → http://$(listen_of radius "$config")/freeradius/…
              metrics, health: http://$radius_ops/metrics, /readyz
              demo NAS "demo-ap" (hostapd, Gastown) at 127.0.0.1; Jean's laptop 02:42:ac:11:00:02:
              $radclient_line
  controllers Gastown's keys → the simulated Meraki SSID: curl -s http://$vendor_sim/_admin/meraki/networks/N_demo/ssids/3/identityPsks
              metrics, health: http://$controllers_ops/metrics, /readyz
  optix-sim   http://$sim/graphql  (admin: POST /admin/demo/deliver, /admin/orgs, GET /admin/stats)
  officernd-sim http://$officernd_sim  (OfficeRnD demo organization officernd_5f0000000000000000000001;
              admin: POST /admin/organizations/lanyard-demo/changes, GET /admin/deliveries)
              its admin page as OfficeRnD opens it (a signed URL, valid 5 minutes):
              curl -s 'http://$officernd_sim/admin/organizations/lanyard-demo/integration-page?url=http://$portal/canvas/admin/officernd&memberId=5f00000000000000000000e1'
              first connect of another organization: lanyard officernd connect-code --slug … → http://$portal/canvas/admin/officernd/connect
  PostgreSQL  $DATABASE_URL
  NATS        $NATS_URL  (monitoring $NATS_MONITOR_URL/jsz?consumers=true)
              authorization on: one seed per service in $NATS_CREDENTIALS_DIR (ops.nk: unrestricted)
  Prometheus  $prometheus_line

Look around:
  $bin/lanyard --config $config members list
  $bin/lanyard --config $config projections checksum
  $bin/lanyard --config $config replay
  curl -s -X POST http://$sim/admin/orgs/6267/users/12350/plans -H 'content-type: application/json' -d '{"plan_template_id":"916"}'
Stop everything with: make down
MSG
}

# prometheus_up DIR INGEST PROVISION PORTAL RADIUS (operations listeners): runs Prometheus (Debian's binary) on a free loopback
# port with deploy/prometheus/prometheus.yml, its targets replaced by the services' addresses,
# data under DIR/prometheus; reloads it (SIGHUP) when it already runs. Prints its URL and how
# many targets are up. A Prometheus that cannot start is reported, never fatal to `make up`.
prometheus_up() {
    local dir=$1 ingest=$2 provision=$3 portal=$4 radius=$5 pdir=$1/prometheus pidfile=$1/pids/prometheus.pid
    if ! command -v prometheus >/dev/null 2>&1; then
        echo "(not started: no prometheus binary; run scripts/infra.sh install)"
        return
    fi
    mkdir -p "$pdir/data"
    local template=deploy/prometheus/prometheus.yml
    local target
    for target in '"ingest:9081"' '"provision:8082"' '"portal:9083"' '"radius:9084"' '  - alerts.yml'; do
        grep -qF -- "$target" "$template" || { echo "(not started: $template has no $target to replace)"; return; }
    done
    sed -e "s/\"ingest:9081\"/\"$ingest\"/; s/\"provision:8082\"/\"$provision\"/; s/\"portal:9083\"/\"$portal\"/" \
        -e "s/\"radius:9084\"/\"$radius\"/" \
        -e "s#^  - alerts.yml\$#  - $root/deploy/prometheus/alerts.yml#" \
        -e "1i # Written by scripts/dev.sh from $template: local targets. Edit the template instead." \
        "$template" >"$pdir/prometheus.yml"
    local port
    port=$(cat "$pdir/port" 2>/dev/null || true)
    if running "$pidfile"; then
        kill -HUP "$(cat "$pidfile")"
    else
        # The port of the last run when nothing listens on it, else a free one.
        if [[ -z $port ]] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            port=$(scripts/infra.sh free-port)
        fi
        echo "$port" >"$pdir/port"
        nohup prometheus --config.file="$pdir/prometheus.yml" --storage.tsdb.path="$pdir/data" \
            --storage.tsdb.retention.time=7d --web.listen-address="127.0.0.1:$port" \
            >>"$dir/logs/prometheus.log" 2>&1 &
        echo $! >"$pidfile"
    fi
    local url=http://127.0.0.1:$port
    if ! wait_for "Prometheus" 30 curl -fsS "$url/-/ready"; then
        echo "(did not start; see $dir/logs/prometheus.log)"
        return
    fi
    # The first scrape of each target comes within one scrape interval (15 s).
    # Every service in prometheus.yml is a target (ingest, provision, portal, radius).
    local targets
    targets=$(grep -cE '^[[:space:]]*- targets:' "$pdir/prometheus.yml")
    wait_for "Prometheus to scrape the services" 40 \
        bash -c "[[ \$(curl -fsS '$url/api/v1/targets?state=active' | grep -o '\"health\":\"up\"' | wc -l) -ge $targets ]]" || true
    local up
    up=$(curl -fsS "$url/api/v1/targets?state=active" | grep -o '"health":"up"' | wc -l)
    echo "$url  ($up/$targets targets up: $url/classic/targets; alerts: $url/classic/alerts)"
}

sim_token() { # sim_token SIM USER → a personal token for a demo user of organization 6267
    curl -fsS -X POST "http://$1/admin/orgs/6267/personal-tokens" -H 'content-type: application/json' \
        -d "{\"user_id\":\"$2\"}" | sed -e 's/.*"token":"\([^"]*\)".*/\1/'
}

# consumer_idle MONITOR_URL: provision's consumer has nothing pending or unacknowledged.
consumer_idle() {
    curl -fsS "$1/jsz?consumers=true" | python3 -c '
import json, sys
info = json.load(sys.stdin)
consumers = [c for a in info.get("account_details", []) for s in a.get("stream_detail", [])
             for c in s.get("consumer_detail", []) if c.get("name") == "provision"]
sys.exit(0 if consumers and all(c["num_pending"] == 0 and c["num_ack_pending"] == 0 for c in consumers) else 1)'
}

# The demo organization's configuration, as an admin would set it in the admin canvas: both
# Optix locations mapped, a VLAN pool for team groups, and three plans with their own profile.
configure_demo() {
    local lanyard=("$bin/lanyard" --config "$1")
    "${lanyard[@]}" locations map --org 6267 --location 3390 --name "Gastown" \
        --network gastown-members --timezone America/Vancouver --vlan-pool 100-149
    "${lanyard[@]}" locations map --org 6267 --location 3391 --name "Trastevere" \
        --network trastevere-members --timezone Europe/Rome --vlan-pool 150-199
    "${lanyard[@]}" plans map --org 6267 --plan 917 --profile premium --vlan 200 --down-kbps 200000 --up-kbps 50000
    "${lanyard[@]}" plans map --org 6267 --plan 918 --profile "virtual office" --no-wifi
    "${lanyard[@]}" plans map --org 6267 --plan 919 --profile "day pass" --hours 24
}

# controllers_demo CONFIG SECRETS VENDOR_SIM: a Meraki network in the vendors' simulator, and
# Gastown mapped to its SSID 3 (the API key made once under SECRETS, from a file).
controllers_demo() {
    local config=$1 secrets=$2 sim=$3
    [[ -s $secrets/meraki_api_key ]] ||
        (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(20))' >"$secrets/meraki_api_key")
    curl -fsS -X POST "http://$sim/_admin/meraki/networks" -H 'content-type: application/json' \
        -d "{\"organization_id\":\"demo-org\",\"network_id\":\"N_demo\",\"api_key\":\"$(cat "$secrets/meraki_api_key")\"}" >/dev/null
    "$bin/lanyard" --config "$config" controllers map-meraki --org 6267 --location 3390 \
        --meraki-org demo-org --network N_demo --ssid 3 --api-key-file "$secrets/meraki_api_key" >/dev/null
}

# radius_demo CONFIG SECRETS: registers the demo NAS (Gastown, hostapd, at 127.0.0.1 where
# radclient sends from; its secret made once under SECRETS) and Jean's laptop, checks that
# FreeRADIUS answers the laptop with an Accept, and prints the radclient line that does it.
radius_demo() {
    local lanyard=("$bin/lanyard" --config "$1") secret_file=$2/demo_nas_secret
    [[ -s $secret_file ]] || (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(16))' >"$secret_file")
    "${lanyard[@]}" nas add --org 6267 --location 3390 --id demo-ap --name "Demo AP (Gastown)" \
        --address 127.0.0.1 --dialect hostapd --ssid gastown-members --secret-file "$secret_file" >&2 || return 1
    "${lanyard[@]}" devices add --org 6267 --user 12346 --mac 02:42:ac:11:00:02 --name "Jean's laptop" >&2 || true
    local line="printf 'User-Name = \"0242ac110002\"\\nUser-Password = \"0242ac110002\"\\nCalling-Station-Id = \"02-42-AC-11-00-02\"\\n' | radclient -x $RADIUS_ADDR auth \$(cat $secret_file)"
    if ! wait_for "FreeRADIUS to accept the demo device" 30 bash -c "$line | grep -q Access-Accept"; then
        echo "dev: the demo Access-Request was not accepted (see $RADIUS_RUN_DIR/../radius.log)" >&2
        return 1
    fi
    echo "$line"
}

# connect_officernd_demo CONFIG SECRETS: connects officernd-sim's demo organization as an
# operator does (`lanyard officernd connect`; the simulator's demo credentials, fine to show)
# and waits for its import. Connecting again changes nothing.
connect_officernd_demo() {
    local config=$1 secrets=$2 org=officernd_5f0000000000000000000001
    # Mapped before the import, so it applies them (ids of officernd_sim::demo).
    "$bin/lanyard" --config "$config" locations map --org $org --location 5f00000000000000000000b1 \
        --name "Berlin Mitte" --network berlin-members --timezone Europe/Berlin --vlan-pool 300-349
    "$bin/lanyard" --config "$config" locations map --org $org --location 5f00000000000000000000b2 \
        --name "Lisbon Baixa" --network lisbon-members --timezone Europe/Lisbon --vlan-pool 350-399
    "$bin/lanyard" --config "$config" plans map --org $org --plan 5f00000000000000000000c5 \
        --profile "day pass" --hours 24
    "$bin/lanyard" --config "$config" plans map --org $org --plan 5f00000000000000000000c4 \
        --profile "virtual office" --no-wifi
    OFFICERND_CLIENT_SECRET=officernd-demo-secret-change-me \
        OFFICERND_WEBHOOK_SECRET=$(cat "$secrets/officernd_webhook_secret") \
        "$bin/lanyard" --config "$config" officernd connect --slug lanyard-demo \
        --client-id lanyard-officernd-demo
    wait_for "the OfficeRnD demo organization's import" 60 \
        bash -c "'$bin/lanyard' --config '$config' syncs --org officernd_5f0000000000000000000001 | grep -q ' ok '"
}

listen_of() { # listen_of SECTION CONFIG [KEY] → host:port of [SECTION] KEY (default: listen)
    awk -v section="[$1]" -v key="${3:-listen}" '$0 == section {found=1; next} /^\[/ {found=0} found && $1 == key {gsub(/"/, "", $3); print $3; exit}' "$2"
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
    stop_service "$dir" prometheus
    for s in "${services[@]}"; do stop_service "$dir" "$s"; done
    [[ -d $dir/infra ]] && scripts/infra.sh stop "$dir/infra"
    echo "Lanyard stopped."
}

case "${1:-}" in
    up) up "${2:?usage: dev.sh up DIR}" ;;
    down) down "${2:?usage: dev.sh down DIR}" ;;
    *) echo "usage: scripts/dev.sh up|down DIR" >&2; exit 2 ;;
esac
