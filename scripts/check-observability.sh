#!/usr/bin/env bash
# Checks of the monitoring files, run by `make test` (and `make check-observability`):
#   - promtool: deploy/prometheus/prometheus.yml and alerts.yml are valid, alerts_test.yml passes;
#   - deploy/grafana/lanyard-dashboard.json is a well-formed Grafana dashboard whose every query
#     parses as PromQL (checked by promtool as recording rules);
#   - every lanyard_* metric name used in the alerts, their tests and the dashboard is emitted by
#     the code (a string literal in crates/, with the suffixes the Prometheus exporter adds) or is
#     in the list of planned metrics below. Planned-but-not-emitted names are listed for
#     information; a name that is neither (a typo) fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/infra.sh
source scripts/infra.sh

command -v promtool >/dev/null 2>&1 ||
    die "promtool is missing: scripts/infra.sh install (Debian package prometheus)"

# Every check runs, so one run reports every problem.
status=0
promtool check config deploy/prometheus/prometheus.yml || status=1
promtool check rules deploy/prometheus/alerts.yml || status=1
promtool test rules deploy/prometheus/alerts_test.yml || status=1

tmp=$(mktemp -d /tmp/lanyard-obs-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$(python_bin)" - "$tmp" <<'PY' || status=1
import json
import pathlib
import re
import subprocess
import sys

tmp = pathlib.Path(sys.argv[1])
DASHBOARD = pathlib.Path("deploy/grafana/lanyard-dashboard.json")
USERS = [
    pathlib.Path("deploy/prometheus/alerts.yml"),
    pathlib.Path("deploy/prometheus/alerts_test.yml"),
    DASHBOARD,
]

# Metrics a change plans to add but does not emit yet (rendered names, as Prometheus shows them,
# with their kind): listed as informational instead of failing as typos.
PLANNED = {}

errors = []


def fail(message):
    errors.append(message)


# --- The dashboard ---------------------------------------------------------------------------
try:
    dashboard = json.loads(DASHBOARD.read_text())
except (OSError, ValueError) as error:
    sys.exit(f"observability: {DASHBOARD} is not valid JSON: {error}")

for key in ("uid", "title", "panels", "templating", "schemaVersion"):
    if key not in dashboard:
        fail(f"{DASHBOARD}: no {key!r}")
variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
ds = variables.get("datasource", {})
if ds.get("type") != "datasource" or ds.get("query") != "prometheus":
    fail(f"{DASHBOARD}: needs a template variable 'datasource' of type datasource (prometheus)")

queries = []
ids = set()
occupied = {}
for panel in dashboard.get("panels", []):
    title = panel.get("title", "?")
    pid = panel.get("id")
    if not isinstance(pid, int) or pid in ids:
        fail(f"panel {title!r}: id {pid!r} missing or not unique")
    ids.add(pid)
    pos = panel.get("gridPos", {})
    x, y, w, h = (pos.get(k) for k in ("x", "y", "w", "h"))
    if not all(isinstance(v, int) for v in (x, y, w, h)) or x < 0 or w < 1 or h < 1 or x + w > 24:
        fail(f"panel {title!r}: bad gridPos {pos}")
        continue
    for cx in range(x, x + w):
        for cy in range(y, y + h):
            if (cx, cy) in occupied:
                fail(f"panel {title!r} overlaps {occupied[(cx, cy)]!r}")
                break
            occupied[(cx, cy)] = title
        else:
            continue
        break
    if panel.get("type") == "row":
        continue
    if panel.get("datasource", {}).get("uid") != "${datasource}":
        fail(f"panel {title!r}: datasource is not ${{datasource}}")
    targets = panel.get("targets") or []
    if not targets:
        fail(f"panel {title!r}: no query")
    refs = set()
    for target in targets:
        ref = target.get("refId")
        if not ref or ref in refs:
            fail(f"panel {title!r}: refId {ref!r} missing or repeated")
        refs.add(ref)
        if target.get("datasource", {}).get("uid") != "${datasource}":
            fail(f"panel {title!r} query {ref}: datasource is not ${{datasource}}")
        if not target.get("expr", "").strip():
            fail(f"panel {title!r} query {ref}: empty expr")
            continue
        queries.append((f"panel {pid} {ref}", title, target["expr"]))

# Every query must parse: substitute Grafana's variables, hand them to promtool as recording
# rules (JSON is YAML).
def substitute(expr):
    expr = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
    expr = expr.replace("$__range", "1h")
    return re.sub(r"\$\{?(\w+)\}?", ".*", expr)

rules = {"groups": [{"name": "dashboard", "rules": [
    {"record": f"dashboard:{where.replace(' ', '_')}", "expr": substitute(expr)}
    for where, _, expr in queries
]}]}
rules_file = tmp / "dashboard-queries.yml"
rules_file.write_text(json.dumps(rules, indent=1))
check = subprocess.run(["promtool", "check", "rules", str(rules_file)],
                       capture_output=True, text=True)
if check.returncode != 0:
    fail("dashboard queries do not parse:\n" + check.stdout + check.stderr)
else:
    print(f"observability: {DASHBOARD}: {len(dashboard['panels'])} panels, "
          f"{len(queries)} queries parse")

# --- Alerts: severity, summary, description, and a runbook entry that exists ------------------
def github_anchor(heading):
    return re.sub(r"[^a-z0-9 _-]", "", heading.strip().lower()).replace(" ", "-")

anchors = {github_anchor(line.lstrip("#")) for line in
           pathlib.Path("docs/runbook.md").read_text().splitlines() if line.startswith("#")}
alerts_text = pathlib.Path("deploy/prometheus/alerts.yml").read_text()
blocks = re.split(r"^\s*- alert: ", alerts_text, flags=re.M)[1:]
for block in blocks:
    name = block.split()[0]
    if not re.search(r"^\s+severity: (critical|warning|info)$", block, re.M):
        fail(f"alert {name}: no severity label (critical, warning or info)")
    for key in ("summary", "description"):
        if not re.search(rf"^\s+{key}: \S", block, re.M):
            fail(f"alert {name}: no {key} annotation")
    runbook = re.search(r"^\s+runbook: docs/runbook\.md#(\S+)$", block, re.M)
    if not runbook:
        fail(f"alert {name}: no runbook annotation (docs/runbook.md#…)")
    elif runbook[1] not in anchors:
        fail(f"alert {name}: docs/runbook.md has no section #{runbook[1]}")
print(f"observability: {len(blocks)} alerts, each with severity, summary, description and runbook entry")

# --- Metric names ----------------------------------------------------------------------------
SUFFIXES = ("_bucket", "_count", "_sum")


def renderings(name, kind):
    """The names a metric created as `name` shows in Prometheus text."""
    counter = {name} if name.endswith("_total") else {name + "_total"}
    bases = {name, name + "_seconds"}
    histogram = bases | {b + s for b in bases for s in SUFFIXES}
    gauge = bases
    return {"counter": counter, "histogram": histogram, "gauge": gauge}.get(
        kind, counter | histogram | gauge)


# String literals in crates/, with the kind of instrument when the call is right before it:
# `.u64_counter("lanyard_x")`, `.f64_histogram("…")`, `.i64_gauge("…")`, and the services'
# histogram helpers `seconds("…"` / `latency("…"`.
literal = re.compile(r'"(lanyard_[a-z0-9_]+)"')
call = re.compile(r"(counter|histogram|gauge|seconds|latency)\(\s*$")
emitted = set()
for path in sorted(pathlib.Path("crates").rglob("*.rs")):
    text = path.read_text()
    for match in literal.finditer(text):
        before = call.search(text[max(0, match.start() - 40):match.start()])
        kind = None
        if before:
            kind = {"seconds": "histogram", "latency": "histogram"}.get(before[1], before[1])
        emitted |= renderings(match[1], kind)

planned = {}
for name, kind in PLANNED.items():
    forms = {name} | ({name + s for s in SUFFIXES} if kind == "histogram" else set())
    for form in forms:
        planned[form] = name

used = {}
prefixes = {}
# A name followed by `*` is a prefix mentioned in prose (`lanyard_nats_*`).
name_re = re.compile(r"(?<![A-Za-z0-9_:])(lanyard_[a-z0-9_]+)(\*?)")
for path in USERS:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for name, star in name_re.findall(line):
            (prefixes if star else used).setdefault(name, f"{path}:{number}")

known = emitted | set(planned)
unknown = sorted(n for n in used if n not in known)
unknown += sorted(p for p in prefixes if not any(k.startswith(p) for k in known))
waiting = sorted({planned[n] for n in used if n in planned and n not in emitted})
print(f"observability: {len(used)} lanyard_* names used in alerts, alert tests and the "
      f"dashboard: {len(used.keys() & emitted)} emitted by crates/, "
      f"{len(used.keys() - emitted - set(unknown))} planned")
if waiting:
    print("observability: planned, not emitted yet (informational): " + ", ".join(waiting))
for name in unknown:
    where = used.get(name) or prefixes[name]
    fail(f"{where}: {name} is neither emitted by crates/ nor planned (typo?)")

if errors:
    for error in errors:
        print(f"observability: error: {error}", file=sys.stderr)
    sys.exit(1)
print("observability: OK")
PY

if ((status != 0)); then
    echo "observability: FAILED" >&2
fi
exit $status
