# Lanyard: `make up` runs the whole system locally with a seeded demo; `make test` is what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

RUN     := $(CURDIR)/.run
CONFIG  := $(RUN)/lanyard.toml
BIN     := $(CURDIR)/target/debug
SERVICES := optix-sim ingest provision portal

ifeq ($(CI),true)
export CARGO_TERM_COLOR := never
endif

.PHONY: help up down test bench fmt lint deps check-observability

help:
	@echo "make up     start PostgreSQL, NATS, the services, the Optix simulator with a demo organization"
	@echo "            and Prometheus (PROMETHEUS=0 to leave it out)"
	@echo "make down   stop everything make up started"
	@echo "make test   rustfmt check, clippy (warnings denied), alert rules and dashboard checks,"
	@echo "            unit and integration tests, and the benchmarks' smoke run"
	@echo "make bench  release build, then every benchmark beside its ceiling (about 15 minutes):"
	@echo "            prints the table and writes bench/results/<timestamp>.json"
	@echo "            (BENCH_ARGS=\"--only ingest,replay\" for some of them)"

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

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

# promtool checks of deploy/prometheus, its alert unit tests, the Grafana dashboard and the
# metric names both use.
check-observability:
	scripts/check-observability.sh

# Starts its own PostgreSQL and NATS on free ports and removes them afterwards.
test: deps lint check-observability
	scripts/test.sh

# Starts its own PostgreSQL and NATS on free ports (like `make test`) and a release build.
BENCH_ARGS ?=
bench: deps
	scripts/bench.sh $(BENCH_ARGS)
