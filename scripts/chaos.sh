#!/usr/bin/env bash
# `make chaos`: the chaos suite (crates/chaos). Builds the binaries, starts a private PostgreSQL
# (fsync and synchronous_commit on: a crash must lose what it would in production) and the SMTP
# sink with scripts/infra.sh (removed afterwards), runs lanyard-chaos (which starts NATS, two
# ingest, two provision, one portal and the Optix simulator itself), prints the chaos table and
# writes chaos/results/<timestamp>.json.
#
#   scripts/chaos.sh                          every scenario, 300 webhooks/s for 60 s each (release build)
#   scripts/chaos.sh --only nats-stop,optix-5xx   some of them
#   scripts/chaos.sh --smoke                  the short form `make test` runs (debug build)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
for arg in "$@"; do
    [[ $arg != --smoke ]] || profile=debug
done
if [[ $profile == release ]]; then
    # infra.sh generates the NATS identities with the `lanyard` binary (a debug one is enough).
    cargo build --locked -p cli --bins
    cargo build --release --locked --workspace --bins
else
    cargo build --locked --workspace --bins
fi
target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

infra_dir=$(mktemp -d /tmp/lanyard-chaos.XXXXXX)
cleanup() { scripts/infra.sh destroy "$infra_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
LANYARD_PG_DURABLE=1 scripts/infra.sh start "$infra_dir"
# shellcheck disable=SC1091
source "$infra_dir/env"
export LANYARD_REQUIRE_SERVICES=1

if [[ $profile == release ]]; then
    mkdir -p chaos/results
    out=chaos/results/$(date -u +%Y-%m-%dT%H-%M-%SZ).json
    "$target_dir/release/lanyard-chaos" --out "$out" "$@"
else
    "$target_dir/debug/lanyard-chaos" "$@"
fi
