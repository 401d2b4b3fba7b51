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

.PHONY: help up down test fmt lint deps

help:
	@echo "make up     start PostgreSQL, NATS, the services and the Optix simulator with a demo organization"
	@echo "make down   stop everything make up started"
	@echo "make test   rustfmt check, clippy (warnings denied), unit and integration tests"

deps:
	@scripts/infra.sh install

up: deps
	cargo build --workspace --bins
	scripts/dev.sh up "$(RUN)"

down:
	@scripts/dev.sh down "$(RUN)"

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

# Starts its own PostgreSQL and NATS on free ports and removes them afterwards.
test: deps lint
	scripts/test.sh
