#!/usr/bin/env python3
"""Checks deploy/kubernetes (run by scripts/check-kubernetes.sh with the tools venv's Python).

1. Renders the kustomization (namespace + resources: the only keys it may use) without kubectl;
   with kubectl on the PATH, `kubectl kustomize` must render the same objects.
2. Validates every object of the rendering and of secrets.example.yaml against the pinned
   Kubernetes version's schemas (kubernetes-validate, strict: an unknown field fails), and the
   CloudNativePG `Cluster` against the vendored schema of its CRD with unknown fields refused
   (as the API server's strict field validation does). A kind with no schema fails.
3. Cross-checks Lanyard's own wiring: every Secret and ConfigMap a pod uses is made by the
   manifests, by secrets.example.yaml or by CloudNativePG, with the keys it names; every
   `*_file` of lanyard.toml is mounted in the pods of the programs that read it; the probes
   and ports match the listeners lanyard.toml sets; the FreeRADIUS container sets every
   variable radiusd.conf reads; Services and PodDisruptionBudgets select pods.
4. Checks itself: a copy with a misspelt field in a Deployment and in the Cluster must fail.

Usage: check-kubernetes.py KUBERNETES_VERSION
"""

import copy
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib

import jsonschema
import kubernetes_validate.utils as kv
import yaml

ROOT = pathlib.Path("deploy/kubernetes")
EXAMPLE = "secrets.example.yaml"
RADIUSD_CONF = pathlib.Path("deploy/freeradius/radiusd.conf")
# Kinds whose schema is vendored: apiVersion/kind → schema file (a CRD's openAPIV3Schema).
CRD_SCHEMAS = {
    ("postgresql.cnpg.io/v1", "Cluster"): ROOT / "schemas/postgresql.cnpg.io_v1_cluster.json",
}
CLUSTER_SCOPED = {"Namespace"}
# What each program reads (docs/operations.md, "What each program reads"): the `*_file`
# settings of lanyard.toml that must be mounted in its pods.
FILES_READ = {
    "ingest": ["nats.nkey_seed_file", "nats.tls_ca_file", "webhooks.seal_key_file",
               "optix.apps[].secret_file"],
    "provision": ["nats.nkey_seed_file", "nats.tls_ca_file", "provision.master_key_file",
                  "provision.hash_key_file", "webhooks.seal_key_file"],
    "portal": ["nats.nkey_seed_file", "nats.tls_ca_file", "provision.master_key_file",
               "provision.hash_key_file", "portal.smtp_url_file"],
    "radius": ["nats.nkey_seed_file", "nats.tls_ca_file", "provision.master_key_file",
               "provision.hash_key_file", "radius.freeradius_token_file"],
    "controllers": ["nats.nkey_seed_file", "nats.tls_ca_file", "provision.master_key_file",
                    "provision.hash_key_file"],
}
# The listeners of each program: (lanyard.toml key, the container port's name).
LISTENERS = {
    "ingest": [("ingest.listen", "http"), ("ingest.ops_listen", "ops")],
    "provision": [("provision.listen", "ops")],
    "portal": [("portal.listen", "http"), ("portal.ops_listen", "ops")],
    "radius": [("radius.ops_listen", "ops")],
    "controllers": [("controllers.listen", "http"), ("controllers.ops_listen", "ops")],
}
# Secrets made by an operator rather than these files: CloudNativePG's for the Cluster.
OPERATOR_SECRETS = {
    "lanyard-db-app": {"uri", "username", "password", "host", "port", "dbname"},
    "lanyard-db-ca": {"ca.crt", "ca.key"},
}


def load_all(path):
    with open(path) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def render():
    """The objects `kubectl kustomize deploy/kubernetes` makes, for this kustomization."""
    kustomization = yaml.safe_load((ROOT / "kustomization.yaml").read_text())
    extra = set(kustomization) - {"apiVersion", "kind", "namespace", "resources"}
    if extra:
        raise SystemExit(f"kustomization.yaml: this renderer knows no {sorted(extra)}")
    namespace = kustomization["namespace"]
    files = set(kustomization["resources"])
    on_disk = {p.name for p in ROOT.glob("*.yaml")} - {"kustomization.yaml", EXAMPLE}
    errors = [f"{name}: not listed in kustomization.yaml resources" for name in sorted(on_disk - files)]
    objects = []
    for name in kustomization["resources"]:
        for doc in load_all(ROOT / name):
            if doc["kind"] not in CLUSTER_SCOPED:
                doc.setdefault("metadata", {})["namespace"] = namespace
            objects.append((name, doc))
    return namespace, objects, errors


def same_as_kubectl(objects):
    """With kubectl on the PATH, its rendering must hold the same objects."""
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("kubectl not on the PATH: the kustomization is rendered by this script only")
        return []
    try:
        out = subprocess.run([kubectl, "kustomize", str(ROOT)], check=True, capture_output=True,
                             text=True, timeout=60).stdout
    except (subprocess.SubprocessError, OSError) as error:
        print(f"kubectl kustomize did not run ({error}): the kustomization is rendered by this "
              "script only")
        return []
    key = lambda doc: (doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"])
    theirs = {key(doc): doc for doc in yaml.safe_load_all(out) if doc}
    ours = {key(doc): doc for _, doc in objects}
    if theirs != ours:
        differ = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
        return [f"kubectl kustomize renders differently: {differ}"]
    print(f"kubectl kustomize renders the same {len(ours)} objects")
    return []


def strict_schema(schema):
    """The CRD schema with unknown fields refused wherever the CRD does not keep them."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if ("properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


CRD_VALIDATORS = {
    kind: jsonschema.Draft7Validator(strict_schema(json.loads(path.read_text())))
    for kind, path in CRD_SCHEMAS.items()
}


def validate(doc, version):
    """Problems of one object against its schema (empty: valid)."""
    kind = (doc.get("apiVersion"), doc.get("kind"))
    if kind in CRD_VALIDATORS:
        return [f"{'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in CRD_VALIDATORS[kind].iter_errors(doc)]
    try:
        kv.validate(doc, version, strict=True)
    except kv.ValidationError as e:
        return [f"{'.'.join(map(str, e.path)) or '(root)'}: {e.message}"]
    except kv.SchemaNotFoundError as e:
        return [e.message + " (vendor its schema in deploy/kubernetes/schemas)"]
    return []


def name_of(doc):
    return f"{doc['kind']}/{doc['metadata']['name']}"


def validate_all(objects, version):
    errors = []
    for file, doc in objects:
        for problem in validate(doc, version):
            errors.append(f"{file}: {name_of(doc)}: {problem}")
    return errors


def pod_specs(objects):
    for file, doc in objects:
        if doc["kind"] in ("Deployment", "StatefulSet"):
            yield file, doc, doc["spec"]["template"]["spec"]


def made_here(objects, example):
    """Secrets and ConfigMaps with their keys: the manifests', the example's, the operator's."""
    made = {("Secret", name): keys for name, keys in OPERATOR_SECRETS.items()}
    for _, doc in objects + example:
        if doc["kind"] in ("Secret", "ConfigMap"):
            keys = set(doc.get("data") or {}) | set(doc.get("stringData") or {})
            made[(doc["kind"], doc["metadata"]["name"])] = keys
    return made


def references(spec):
    """(kind, name, key or None) of every Secret and ConfigMap a pod spec uses."""
    for volume in spec.get("volumes", []):
        sources = volume.get("projected", {}).get("sources", [])
        if "secret" in volume:
            sources = [{"secret": {"name": volume["secret"]["secretName"],
                                   "items": volume["secret"].get("items", [])}}]
        if "configMap" in volume:
            sources = [{"configMap": volume["configMap"]}]
        for source in sources:
            for kind, field in (("Secret", "secret"), ("ConfigMap", "configMap")):
                if field in source:
                    items = source[field].get("items") or [{"key": None}]
                    for item in items:
                        yield kind, source[field]["name"], item["key"]
    for container in spec.get("containers", []):
        for env in container.get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                yield "Secret", ref["name"], ref["key"]


def mounted_files(spec, container):
    """Paths of the files a container sees from its projected volumes' items."""
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    files = set()
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        sources = volume.get("projected", {}).get("sources", [])
        for source in sources:
            for field in ("secret", "configMap"):
                for item in source.get(field, {}).get("items", []):
                    files.add(f"{mount['mountPath'].rstrip('/')}/{item['path']}")
    return files


def setting(config, dotted):
    section, key = dotted.split(".")
    if section == "optix" and key == "apps[]":
        raise KeyError(dotted)
    return config.get(section, {}).get(key)


def files_of(config, dotted):
    if dotted == "optix.apps[].secret_file":
        return [app["secret_file"] for app in config.get("optix", {}).get("apps", [])]
    value = setting(config, dotted)
    return [value] if value else []


def lanyard_containers(objects):
    """(file, program, pod spec, container) of each container running a Lanyard binary."""
    for file, _, spec in pod_specs(objects):
        for container in spec["containers"]:
            command = container.get("command") or [""]
            program = command[0].rsplit("/", 1)[-1]
            if command[0].startswith("/usr/local/bin/"):
                yield file, program, spec, container


def wiring(objects, example):
    errors = []
    made = made_here(objects, example)
    for file, doc, spec in pod_specs(objects):
        for kind, name, key in references(spec):
            if (kind, name) not in made:
                errors.append(f"{file}: {name_of(doc)} uses {kind} {name}, which nothing makes")
            elif key is not None and key not in made[(kind, name)]:
                errors.append(f"{file}: {name_of(doc)} uses key {key} of {kind} {name}, "
                              f"which has {sorted(made[(kind, name)])}")
    config_maps = {d["metadata"]["name"]: d for _, d in objects if d["kind"] == "ConfigMap"}
    config = tomllib.loads(config_maps["lanyard-config"]["data"]["lanyard.toml"])
    seen = set()
    for file, program, spec, container in lanyard_containers(objects):
        seen.add(program)
        if program not in FILES_READ:
            errors.append(f"{file}: {program}: not a Lanyard service this check knows")
            continue
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        config_path = env.get("LANYARD_CONFIG")
        mounted = mounted_files(spec, container)
        if config_path not in mounted:
            errors.append(f"{file}: {program}: LANYARD_CONFIG {config_path} is not mounted")
        for dotted in FILES_READ[program]:
            for path in files_of(config, dotted) or [None]:
                if path is None:
                    errors.append(f"lanyard.toml: {dotted} is not set ({program} reads it)")
                elif path not in mounted:
                    errors.append(f"{file}: {program}: {dotted} = {path} is not mounted")
        if program != "ingest" and "LANYARD__DATABASE__URL" not in env:
            errors.append(f"{file}: {program}: no LANYARD__DATABASE__URL")
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        for dotted, port_name in LISTENERS[program]:
            listen = setting(config, dotted) or ""
            if ports.get(port_name) != int(listen.rsplit(":", 1)[-1] or 0):
                errors.append(f"{file}: {program}: port {port_name} {ports.get(port_name)} is "
                              f"not {dotted} {listen}")
            if not listen.startswith("0.0.0.0:"):
                errors.append(f"{file}: {program}: {dotted} {listen} is unreachable from the pod's "
                              "address")
        for probe in ("readinessProbe", "livenessProbe"):
            get = container.get(probe, {}).get("httpGet")
            if not get:
                errors.append(f"{file}: {program}: no {probe} over HTTP")
            elif get["port"] != "ops" or get["path"] != {"readinessProbe": "/readyz",
                                                          "livenessProbe": "/healthz"}[probe]:
                errors.append(f"{file}: {program}: {probe} is {get['path']} on {get['port']}")
    errors += freeradius_environment(objects)
    for program in sorted(set(FILES_READ) - seen):
        errors.append(f"no Deployment runs {program}")
    errors += selections(objects)
    return errors


def freeradius_environment(objects):
    """The FreeRADIUS container sets every variable deploy/freeradius/radiusd.conf reads."""
    wanted = set(re.findall(r"\$ENV\{(\w+)\}", RADIUSD_CONF.read_text()))
    errors = []
    found = False
    for file, _, spec in pod_specs(objects):
        for container in spec["containers"]:
            if (container.get("command") or [""])[0] != "freeradius":
                continue
            found = True
            names = {e["name"] for e in container.get("env", [])}
            for name in sorted(wanted - names):
                errors.append(f"{file}: {container['name']}: {RADIUSD_CONF} reads $ENV{{{name}}}, "
                              "which the container does not set")
    return errors if found else ["no container runs freeradius"]


def selections(objects):
    """Every Service and PodDisruptionBudget selects the pods of some workload."""
    pods = [(d["spec"]["template"]["metadata"]["labels"]) for _, d, _ in pod_specs(objects)]
    errors = []
    for file, doc in objects:
        if doc["kind"] == "Service":
            selector = doc["spec"].get("selector", {})
        elif doc["kind"] == "PodDisruptionBudget":
            selector = doc["spec"]["selector"].get("matchLabels", {})
        else:
            continue
        if not any(selector.items() <= labels.items() for labels in pods):
            errors.append(f"{file}: {name_of(doc)} selects no pods ({selector})")
    return errors


def self_test(objects, version):
    """A misspelt field in a Deployment and in the Cluster must fail validation."""
    errors = []
    cases = [
        ("Deployment", "lanyard-ingest", ["spec", "template", "spec", "containers", 0],
         "readinessProbe", "readinesProbe"),
        ("Cluster", "lanyard-db", ["spec", "postgresql"], "synchronous", "synchronus"),
    ]
    for kind, name, path, field, typo in cases:
        doc = copy.deepcopy(next(d for _, d in objects
                                 if d["kind"] == kind and d["metadata"]["name"] == name))
        node = doc
        for step in path:
            node = node[step]
        if field not in node:
            errors.append(f"self-test: {kind}/{name} has no {field} to misspell")
            continue
        node[typo] = node.pop(field)
        problems = validate(doc, version)
        if problems:
            print(f"self-test: {kind}/{name} with {field} misspelt {typo} fails as it must: "
                  f"{problems[0]}")
        else:
            errors.append(f"self-test: {kind}/{name} with {field} misspelt {typo} passed "
                          "validation: the check is broken")
    return errors


def main():
    version = sys.argv[1]
    namespace, objects, errors = render()
    example = [(EXAMPLE, doc) for doc in load_all(ROOT / EXAMPLE)]
    for _, doc in example:
        if doc["metadata"].get("namespace") != namespace:
            errors.append(f"{EXAMPLE}: {name_of(doc)} is not in namespace {namespace}")
    errors += same_as_kubectl(objects)
    errors += validate_all(objects + example, version)
    errors += wiring(objects, example)
    errors += self_test(objects, version)
    kinds = sorted({doc["kind"] for _, doc in objects})
    for error in errors:
        print(f"ERROR {error}")
    if errors:
        print(f"deploy/kubernetes: {len(errors)} problem(s)")
        return 1
    print(f"deploy/kubernetes: {len(objects)} objects ({', '.join(kinds)}) and "
          f"{len(example)} in {EXAMPLE} valid against Kubernetes {version} (strict) and "
          "CloudNativePG v1.30.0's Cluster schema; wiring checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
