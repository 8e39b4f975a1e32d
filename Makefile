# The two commands that matter: `make run` (the whole system on 127.0.0.1:3000) and `make test`.
# Everything runs offline against 127.0.0.1: the AWS SDK gets a region, test credentials and no EC2 metadata.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        ?= .venv
PY          := $(VENV)/bin/python
MOTO_HOST   ?= 127.0.0.1
MOTO_PORT   ?= 5055
MOTO_URL    := http://$(MOTO_HOST):$(MOTO_PORT)
# A second moto answering one request at a time, for the concurrency tests' DynamoDB (scripts/moto_serial.py).
MOTO_SERIAL_PORT ?= 5056
MOTO_SERIAL_URL := http://$(MOTO_HOST):$(MOTO_SERIAL_PORT)
MOTO_DIR    := .moto
ARCH        ?= arm64
CARGO       ?= cargo

# No AWS account is needed anywhere: fixed region, test credentials, metadata service off.
export AWS_REGION ?= us-east-1
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_ACCESS_KEY_ID ?= testing
export AWS_SECRET_ACCESS_KEY ?= testing
export AWS_EC2_METADATA_DISABLED := true
export SAM_CLI_TELEMETRY := 0

.PHONY: help run run-aws-local test client-deps lint fmt venv venv-ci moto-start moto-stop build build-x86 build-ci \
        openapi fuzz fuzz-dynamodb cfn-lint sam-validate deploy bench sizes sizes-deploy fuzz-server profile-matrix clean

help:
	@echo "make run            the local server on 127.0.0.1:3000 (in-memory, demo organization printed)"
	@echo "make test           every test, the DynamoDB ones against moto on $(MOTO_URL)"
	@echo "make run-aws-local  the local server on DynamoDB and SQS, against moto"
	@echo "make lint           cargo fmt --check and clippy -D warnings"
	@echo "make fmt            cargo fmt --all"
	@echo "make fuzz           schemathesis against the OpenAPI document, in memory (FUZZ_MIN requests at least)"
	@echo "make fuzz-dynamodb  the same on DynamoDB through moto"
	@echo "make fuzz-server    builds the server both fuzz runs start"
	@echo "make openapi        rewrites openapi.json from the code"
	@echo "make build          every function with cargo-lambda into target/lambda/<fn>/bootstrap (ARCH=$(ARCH))"
	@echo "make build-x86      the same for x86_64"
	@echo "make build-ci       CI's build of every function (x86_64, no LTO)"
	@echo "make sizes          the zipped size of every built function (fails over 4 MB)"
	@echo "make sizes-deploy   the largest rebuilt in the deployment profile (fails over 3 MB)"
	@echo "make cfn-lint       cfn-lint on template.yaml"
	@echo "make sam-validate   sam validate --lint on template.yaml"
	@echo "make deploy         make build, then sam deploy --guided"
	@echo "make bench          figures: cold start, latency, round trips, load (release binaries)"
	@echo "make profile-matrix  what each release-profile setting buys (slow)"
	@echo "make moto-start     moto on $(MOTO_URL) and one request at a time on $(MOTO_SERIAL_URL)"
	@echo "make moto-stop      stops them"
	@echo "make venv venv-ci   the project-local virtualenv (.venv): test tools, and CI's too"
	@echo "make client-deps    the vendors' client libraries the tests drive (tests/clients)"
	@echo "make clean          cargo clean, and moto's files"

# The local server in the dev profile, which `make test` builds too: about 70 s from a fresh clone on 2 cores
# (the release profile's fat LTO took 150 s; the deployed binaries keep it: `make build`, `make bench`).
run:
	$(CARGO) run -p flows-shared --bin local-server

$(VENV)/.dev: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

$(VENV)/.ci: requirements-ci.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements-ci.txt
	touch $@ $(VENV)/.dev

venv: $(VENV)/.dev
venv-ci: $(VENV)/.ci

# moto's servers on 127.0.0.1, started in the background and waited for; `moto-stop` ends them.
moto-start: $(VENV)/.dev
	@mkdir -p $(MOTO_DIR)
	@if [ -f $(MOTO_DIR)/pid ] && kill -0 $$(cat $(MOTO_DIR)/pid) 2>/dev/null; then exit 0; fi; \
	for port in $(MOTO_PORT) $(MOTO_SERIAL_PORT); do \
	  if $(PY) scripts/wait_for_port.py $(MOTO_HOST) $$port 0 >/dev/null 2>&1; then \
	    echo "port $$port of $(MOTO_HOST) is taken by a process this Makefile did not start: stop it first" >&2; exit 1; fi; \
	done; \
	$(VENV)/bin/moto_server -H $(MOTO_HOST) -p $(MOTO_PORT) > $(MOTO_DIR)/server.log 2>&1 & echo $$! > $(MOTO_DIR)/pid; \
	$(PY) scripts/moto_serial.py $(MOTO_HOST) $(MOTO_SERIAL_PORT) > $(MOTO_DIR)/serial.log 2>&1 & \
	  echo $$! > $(MOTO_DIR)/serial.pid; \
	$(PY) scripts/wait_for_port.py $(MOTO_HOST) $(MOTO_PORT) 30 || { cat $(MOTO_DIR)/server.log; exit 1; }; \
	$(PY) scripts/wait_for_port.py $(MOTO_HOST) $(MOTO_SERIAL_PORT) 30 || { cat $(MOTO_DIR)/serial.log; exit 1; }
	@echo "moto listening on $(MOTO_URL), and one request at a time on $(MOTO_SERIAL_URL)"

# Stops both servers and waits for them to go (then kills), so that a moto-start right after finds the ports free.
moto-stop:
	@for f in pid serial.pid; do \
	  if [ -f $(MOTO_DIR)/$$f ]; then pid=$$(cat $(MOTO_DIR)/$$f); kill $$pid 2>/dev/null || true; \
	    for i in $$(seq 100); do kill -0 $$pid 2>/dev/null || break; sleep 0.1; done; \
	    kill -9 $$pid 2>/dev/null || true; rm -f $(MOTO_DIR)/$$f; fi; \
	done

# Every test: unit, route table vs template, events, end-to-end on both backends. moto is started here and
# stopped however the tests end; FLOWS_TEST_DYNAMODB tells the tests where it is (they fail, never skip,
# without it).
# The vendors' client libraries the tests drive (tests/clients, pinned by its package-lock.json).
CLIENTS := tests/clients
$(CLIENTS)/node_modules/.installed: $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18 or later (apt-get install nodejs npm)" >&2; exit 1; }
	cd $(CLIENTS) && npm ci --no-audit --no-fund
	touch $@

client-deps: $(CLIENTS)/node_modules/.installed

test: $(VENV)/.dev $(CLIENTS)/node_modules/.installed
	@$(MAKE) --no-print-directory moto-start
	@set -o pipefail; status=0; \
	FLOWS_TEST_DYNAMODB=$(MOTO_URL) FLOWS_TEST_DYNAMODB_SERIAL=$(MOTO_SERIAL_URL) \
	  $(CARGO) test --workspace --all-targets --no-fail-fast || status=$$?; \
	$(MAKE) --no-print-directory moto-stop; exit $$status

# schemathesis against the local server, from the document it serves (scripts/fuzz.py): every check, zero failures,
# at least FUZZ_MIN requests. `make fuzz` on the memory backend, `make fuzz-dynamodb` on DynamoDB through moto.
# FUZZ_BUDGET examples are spread over the operations (schemathesis's coverage phase adds its boundary cases), so
# a run's time holds as routes are added.
FUZZ_MIN ?= 5000
FUZZ_BUDGET ?= 8500
FUZZ_DYNAMODB_MIN ?= 1000
FUZZ_DYNAMODB_BUDGET ?= 1700

# The server both fuzz runs start (CI builds it once, then runs the two beside the functions' build: make -o
# fuzz-server fuzz).
fuzz-server:
	$(CARGO) build -q -p flows --bin fuzz-server

fuzz: $(VENV)/.dev fuzz-server
	$(PY) scripts/fuzz.py --backend memory --min-requests $(FUZZ_MIN) --budget $(FUZZ_BUDGET)

fuzz-dynamodb: $(VENV)/.dev fuzz-server
	@$(MAKE) --no-print-directory moto-start
	@status=0; FLOWS_TEST_DYNAMODB=$(MOTO_URL) $(PY) scripts/fuzz.py --backend dynamodb \
	  --min-requests $(FUZZ_DYNAMODB_MIN) --budget $(FUZZ_DYNAMODB_BUDGET) || status=$$?; \
	$(MAKE) --no-print-directory moto-stop; exit $$status

run-aws-local: moto-start
	FLOWS_BACKEND=dynamodb FLOWS_CREATE_RESOURCES=1 AWS_ENDPOINT_URL=$(MOTO_URL) \
	  $(CARGO) run -p flows-shared --bin local-server

# Rewrites openapi.json from the code (a test fails when it is out of date).
openapi:
	UPDATE_OPENAPI=1 $(CARGO) test -p flows --test e2e -- openapi::the_committed_document_is_the_generated_one

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Lambda builds: cargo-lambda (from PyPI) with zig (ziglang, from PyPI) as the linker.
build: $(VENV)/.ci
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH cargo-lambda lambda build --release --$(subst _,-,$(ARCH)) --bins -p flows-functions

build-x86:
	$(MAKE) build ARCH=x86-64

# CI's build of every function (x86_64, cargo-lambda): the release profile without LTO and with 16 codegen units, so
# that each function costs a link of about a second instead of a fat-LTO link of about 18 s (README, "CI"). Its
# binaries are larger than the deployed ones, so `make sizes` on them is a conservative check of the 4 MB budget.
build-ci: $(VENV)/.ci
	CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 PATH=$(CURDIR)/$(VENV)/bin:$$PATH \
	  cargo-lambda lambda build --release --x86-64 --bins -p flows-functions

# Zipped size of every built function; fails over 4 MB (CI's guard on its no-LTO build).
sizes:
	python3 scripts/function_sizes.py target/lambda

# What Lambda loads: the DEPLOY_CHECK largest functions of the last build, rebuilt in the deployment profile (fat
# LTO, about 18 s a link on 2 cores), each under DEPLOY_LIMIT zipped. CI runs it after `make build-ci`.
DEPLOY_CHECK ?= 3
DEPLOY_LIMIT ?= 3000000
sizes-deploy: $(VENV)/.ci
	@set -e; fns=$$(python3 scripts/function_sizes.py target/lambda --largest $(DEPLOY_CHECK)); \
	echo "deployment profile: $$fns"; \
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH cargo-lambda lambda build --release --x86-64 -p flows-functions \
	  $$(for f in $${fns//,/ }; do printf -- '--bin %s ' $$f; done); \
	python3 scripts/function_sizes.py target/lambda --only $$fns --limit $(DEPLOY_LIMIT)

cfn-lint: $(VENV)/.ci
	$(VENV)/bin/cfn-lint template.yaml

sam-validate: $(VENV)/.ci
	$(VENV)/bin/sam validate --lint --region us-east-1 --template-file template.yaml

deploy: build
	$(VENV)/bin/sam deploy --guided

# Figures, not assertions: cold start and per-invoke latency of real release binaries through a Lambda Runtime
# API emulator (against a hello-world lambda_http binary built here too), sizes, peak RSS, DynamoDB round trips.
# The in-memory runs use flows-assign built with the in-memory store (`--features memory`), kept in
# target/release/memory; every other figure comes from the functions as a deployment builds them (built on their
# own: built beside the bench, they would take the features its dependencies ask for).
bench: $(VENV)/.dev
	$(CARGO) build --release -p flows-functions --features memory --bin flows-assign
	mkdir -p target/release/memory && cp target/release/flows-assign target/release/memory/flows-assign
	$(CARGO) build --release -p flows-functions --bins
	$(CARGO) build --release -p flows-bench --bins
	@$(MAKE) --no-print-directory moto-start
	@status=0; FLOWS_TEST_DYNAMODB=$(MOTO_URL) ./target/release/bench || status=$$?; \
	$(MAKE) --no-print-directory moto-stop; exit $$status

# What each release-profile setting buys in size and build time (one full build per variant; slow).
profile-matrix:
	scripts/profile_matrix.sh

clean: moto-stop
	$(CARGO) clean
	rm -rf $(MOTO_DIR)
