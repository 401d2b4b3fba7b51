#!/usr/bin/env bash
# `make bench-instructions`: the instructions a webhook costs ingest's actix workers, against
# the server of the two parts alone (one publish per request, nothing of Lanyard's), counted by
# valgrind's callgrind over `lanyard-bench-ingest --smoke` (its own nats-server; about a minute
# with the build). Unlike the rates, which move by several points from run to run on a shared
# machine, the counts repeat within a fraction of a per cent: a saving too small for the
# rates to show shows here (docs/performance.md, "Instructions a request, counted").
#
#   scripts/ingest-instructions.sh          build, count, print
#   KEEP=DIR scripts/ingest-instructions.sh the callgrind files kept in DIR (callgrind_annotate)
#
# Per request means all of a server's instructions over the requests it answered (the smoke:
# 701 to ingest, its app_install and latency phase included, 600 to the parts server), so the
# connections' set-up is in both. Valgrind hides the CPU's SHA extensions: SHA-256 and SHA-1
# run in software here and weigh more than on the CPU.
# The counts price computation, not the bytes a request moves: a copy's length barely shows in
# them (docs/performance.md, "A 16 KB future"; perf shows it).
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/infra.sh
source scripts/infra.sh

if ! command -v valgrind >/dev/null 2>&1; then
    log "installing valgrind (apt)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends valgrind >/dev/null ||
        die "could not install valgrind: apt-get install valgrind, then run again"
fi

cargo build --release --locked -p bench --bin lanyard-bench-ingest
target_dir=$(cargo_target_dir)

dir=${KEEP:-$(mktemp -d /tmp/lanyard-instructions.XXXXXX)}
mkdir -p "$dir"
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$dir"' EXIT
if ! (cd "$dir" && valgrind --tool=callgrind --separate-threads=yes --dump-instr=no \
    "$target_dir/release/lanyard-bench-ingest" --smoke --out "$dir/figures.json" --log "$dir/ingest.log" \
    >/dev/null 2>"$dir/valgrind.log"); then
    trap - EXIT
    die "the scenario failed under valgrind (see $dir/valgrind.log)"
fi

# A thread's file names the functions it ran (as fn= or cfn=): ingest's workers ran
# `ingest::accept`, the parts server's `publish_only`.
python3 - "$dir" <<'EOF'
import glob, json, re, sys
folder = sys.argv[1]
totals = {"ingest": 0, "parts": 0}
for path in glob.glob(f"{folder}/callgrind.out.*-*"):
    text = open(path, errors="replace").read()
    match = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
    if not match:
        continue
    if "ingest::accept" in text:
        totals["ingest"] += int(match.group(1))
    elif "publish_only" in text:
        totals["parts"] += int(match.group(1))
figures = json.load(open(f"{folder}/figures.json"))
# Every throughput phase sends `requests` to each server; ingest also answers the app_install
# and the latency phase.
parts_requests = figures["requests"] * len(figures["runs"])
ingest_requests = parts_requests + 1 + figures["offered_rate_per_sec"] * figures["offered_seconds"]
if not totals["ingest"] or not totals["parts"]:
    sys.exit("ingest-instructions: no thread of ingest's or of the parts server's found")
for name, key, count in (
    ("ingest's workers", "ingest", ingest_requests),
    ("the parts server's workers", "parts", parts_requests),
):
    print(f"{name}: {totals[key]:,} instructions, {count} requests, {totals[key] / count:,.0f} a request")
print(f"ingest over the parts server: {totals['ingest'] / ingest_requests - totals['parts'] / parts_requests:,.0f} a request")
EOF
