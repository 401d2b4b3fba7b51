# Lanyard: `make up` runs the whole system locally with a seeded demo; `make test` is what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

RUN     := $(CURDIR)/.run
CONFIG  := $(RUN)/lanyard.toml
BIN     := $(CURDIR)/target/debug
SERVICES := optix-sim ingest provision portal radius

ifeq ($(CI),true)
export CARGO_TERM_COLOR := never
endif

.PHONY: help up down test bench bench-statements bench-instructions chaos soak fmt lint deps check-observability check-kubernetes fuzz event-schemas

help:
	@echo "make up     start PostgreSQL, NATS, the services, the Optix simulator with a demo organization"
	@echo "            and Prometheus (PROMETHEUS=0 to leave it out)"
	@echo "make down   stop everything make up started"
	@echo "make test   rustfmt check, clippy (warnings denied, no function over 80 lines), module circles,"
	@echo "            alert rules and dashboard checks, Kubernetes manifests and Containerfile checks,"
	@echo "            unit and integration tests, the benchmarks' smoke run and the chaos suite's short form"
	@echo "make bench  release build, then every benchmark beside its ceiling (about 10 minutes after the build):"
	@echo "            prints the table and writes bench/results/<timestamp>.json"
	@echo "            (BENCH_ARGS=\"--only ingest,replay\" for some of them)"
	@echo "make bench-statements  make bench (BENCH_ARGS, e.g. \"--only provision\") against a"
	@echo "            PostgreSQL with pg_stat_statements; prints the statements that took it longest"
	@echo "make bench-instructions  instructions a webhook costs ingest's workers against a server"
	@echo "            that only publishes (callgrind, about a minute): steadier than the rates"
	@echo "make chaos  release build, then each fault under a steady webhook load (300/s for 60 s each,"
	@echo "            about 30 minutes): kill -9 of ingest, provision, the relay, NATS; SIGSTOP of NATS;"
	@echo "            PostgreSQL restart and crash; Optix 5xx. Prints the chaos table and writes"
	@echo "            chaos/results/<timestamp>.json (CHAOS_ARGS=\"nats-stop optix-5xx\" for some)"
	@echo "make soak   release build, then SOAK_MINUTES (default 30) of steady load (20 webhooks/s) on the"
	@echo "            chaos suite's stack, no fault; every service's memory and open descriptors sampled:"
	@echo "            prints first/last/peak per service, fails on a loss or on growth"
	@echo "make event-schemas  write proto/events/<version>/*.schema.json again from the types the"
	@echo "            relay publishes (a test in make test fails while they differ)"
	@echo "make fuzz   each fuzz target in turn for FUZZ_SECONDS (default 600) or FUZZ_RUNS executions;"
	@echo "            FUZZ_TARGETS=\"webhook command\" for some of them; not part of make test"

deps:
	@scripts/infra.sh install

# PROMETHEUS=0 leaves Prometheus out of `make up`.
PROMETHEUS ?= 1

up: deps
	cargo build --workspace --bins
	PROMETHEUS=$(PROMETHEUS) scripts/dev.sh up "$(RUN)"

down:
	@scripts/dev.sh down "$(RUN)"

fmt:
	cargo fmt --all
	rustfmt --edition 2024 fuzz/fuzz_targets/*.rs fuzz/examples/*.rs

# The events' wire contract: JSON Schemas generated from the published types (review the diff).
event-schemas:
	cargo run --locked --quiet -p provision --example event_schemas -- $(CURDIR)

lint:
	cargo fmt --all -- --check
	# The fuzz workspace is a workspace of its own, outside `--all`.
	rustfmt --check --edition 2024 fuzz/fuzz_targets/*.rs fuzz/examples/*.rs
	cargo clippy --workspace --all-targets --locked -- -D warnings
	# No function over 80 lines (clippy.toml) in the libraries and binaries; tests may be longer.
	cargo clippy --workspace --lib --bins --locked -- -D warnings -D clippy::too_many_lines
	# No module imports a module that imports it.
	scripts/check-structure.py

# promtool checks of deploy/prometheus, its alert unit tests, the Grafana dashboard and the
# metric names both use.
check-observability:
	scripts/check-observability.sh

# deploy/kubernetes validated (kubernetes-validate, strict, at a pinned Kubernetes version; the
# CloudNativePG Cluster against its vendored CRD schema) and its wiring checked; hadolint on the
# Containerfile. No cluster, no container engine.
check-kubernetes:
	scripts/check-kubernetes.sh

# Starts its own PostgreSQL and NATS on free ports and removes them afterwards.
test: deps lint check-observability check-kubernetes
	scripts/test.sh

# Starts its own PostgreSQL and NATS on free ports (like `make test`) and a release build.
BENCH_ARGS ?=
bench: deps
	scripts/bench.sh $(BENCH_ARGS)

bench-statements: deps
	LANYARD_PG_STATEMENTS=1 scripts/bench.sh $(BENCH_ARGS)

# Instructions a webhook costs ingest's workers against the parts server's (callgrind; installs
# valgrind if missing): steadier than the rates for small savings.
bench-instructions: deps
	scripts/ingest-instructions.sh

# Starts its own PostgreSQL (fsync on) and NATS; nothing it leaves behind but the results.
CHAOS_ARGS ?=
chaos: deps
	scripts/chaos.sh $(CHAOS_ARGS)

SOAK_MINUTES ?= 30
soak: deps
	scripts/chaos.sh --soak $(SOAK_MINUTES)

FUZZ_SECONDS ?= 600
# FUZZ_RUNS=10000000 runs each target for that many executions instead of FUZZ_SECONDS.
FUZZ_RUNS ?=
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS))
FUZZ_TARGETS ?= webhook signature command portal handshake
# FUZZ_SANITIZER=none for long runs: the targets are safe Rust, and AddressSanitizer makes each
# execution two to three times slower.
FUZZ_SANITIZER ?= address
# Extra libFuzzer flags, e.g. FUZZ_ARGS=-max_len=65536 (ingest's body limit).
FUZZ_ARGS ?=

# fuzz/ is its own workspace; cargo fuzz needs nightly flags, allowed on stable by
# RUSTC_BOOTSTRAP=1. Targets run one after the other (they would fight over the cores).
# New inputs go to fuzz/corpus/TARGET; fuzz/seeds/webhook is remade from proto/optix/webhooks;
# fuzz/fixed-seeds/TARGET holds hand-written seeds (command messages, portal inputs).
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cargo run --quiet --locked --manifest-path fuzz/Cargo.toml --example seeds -- \
		proto/optix/webhooks fuzz/seeds/webhook
	for target in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$target fuzz/seeds/$$target; \
		fixed=; if [ -d fuzz/fixed-seeds/$$target ]; then fixed=fuzz/fixed-seeds/$$target; fi; \
		dict=; if [ -f fuzz/$$target.dict ]; then dict=-dict=fuzz/$$target.dict; fi; \
		RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer $(FUZZ_SANITIZER) $$target fuzz/corpus/$$target fuzz/seeds/$$target $$fixed -- \
			$(FUZZ_LIMIT) -print_final_stats=1 $$dict $(FUZZ_ARGS); \
	done
