#!/usr/bin/env bash
# `make chaos`: the chaos suite (crates/chaos), started like the benchmarks (scripts/bench.sh):
# builds the binaries, starts a private PostgreSQL (fsync and synchronous_commit on: a crash must
# lose what it would in production) and the SMTP sink with scripts/infra.sh (removed afterwards),
# runs lanyard-chaos (which starts a 3-node NATS cluster, two ingest, two provision, one portal
# and the Optix simulator itself), prints the chaos table and writes
# chaos/results/<timestamp>.json.
#
#   scripts/chaos.sh                       every scenario, 300 webhooks/s for 60 s each (release build)
#   scripts/chaos.sh nats-stop optix-5xx   some of them
#   scripts/chaos.sh --smoke               the short form `make test` runs (debug build)
set -euo pipefail
LANYARD_SUITE=chaos exec "$(dirname "$0")/bench.sh" "$@"
