#!/usr/bin/env bash
# `make test`: unit and integration tests against a private PostgreSQL and NATS on free ports,
# removed afterwards whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

infra_dir=$(mktemp -d /tmp/lanyard-test.XXXXXX)
cleanup() { scripts/infra.sh destroy "$infra_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# First: infra.sh generates the NATS identities with the `lanyard` binary.
cargo build --locked --workspace --bins
scripts/infra.sh start "$infra_dir"
# shellcheck disable=SC1091
source "$infra_dir/env"
# Tests fail (never skip) when a service they need is missing.
export LANYARD_REQUIRE_SERVICES=1
# axe-core (pinned in integration-tests/axe/package-lock.json) for the browser tests' check.
npm ci --prefix integration-tests/axe --no-audit --no-fund --silent

# Runs a smoke binary with its output shown as it comes and kept; when it fails, its failure
# lines are printed again last (an error's backtrace would otherwise be all a log's tail shows).
smoke() {
    local log
    log="$infra_dir/$(basename "$1").log"
    if ! RUST_LIB_BACKTRACE=0 "$@" 2>&1 | tee "$log"; then
        echo "== $* failed; its failure lines:"
        grep -E 'FAILED|FAIL:|^Error|panicked' "$log" || tail -n 20 "$log"
        return 1
    fi
}

# The benchmarks at tiny sizes (a debug build): every scenario still runs; no figure is checked.
target_dir=$(scripts/infra.sh target-dir)
smoke "$target_dir/debug/lanyard-bench" --smoke
# The chaos suite's short form: provision and NATS killed under a few seconds of load; fails on
# anything lost or duplicated (the full suite is `make chaos`).
smoke "$target_dir/debug/lanyard-chaos" --smoke

if command -v cargo-nextest >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --no-fail-fast
else
    cargo test --workspace --locked --no-fail-fast
fi
