# gitgate — see README.md.
SHELL := /bin/bash
GO ?= go
UNIT_PKGS = ./cmd/... ./gitindex/... ./policy/... ./webhook/... ./certs/... ./manifests/...

.PHONY: all build tools test unit e2e lint demo bench fuzz readme clean

all: build

build:
	$(GO) build -o bin/gitgate ./cmd/gitgate

# The pinned test control plane (etcd, kube-apiserver, kube-controller-manager,
# kubectl), built from Go modules by test/tools, and Flux's kustomize-controller,
# built by test/fluxtools; both cached in ~/.cache/gitgate.
tools:
	test/tools/build.sh
	test/fluxtools/build.sh

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

# Unit tests need no control plane; the few that use one (gitindex/apply) skip
# without test/bin, so `make unit` alone runs on a fresh clone in seconds.
unit:
	$(GO) test -race -count=1 $(UNIT_PKGS)

e2e: tools
	$(GO) test -count=1 -timeout 30m -v ./test/e2e/

# Everything CI runs: lint, unit tests with -race, e2e on the real control plane.
test: lint tools unit e2e

demo: tools
	$(GO) run ./test/demo

# Benchmarks, each against a baseline from the same run, with the goals in README.md ("Benchmarks"):
# writes test/bench/results/RESULTS.md and latency.svg (a few minutes on 2 cores).
bench: tools
	GO=$(GO) $(GO) run ./test/bench

# Regenerate README.md's flag tables from the commands' flags; TestREADMEFlags
# (part of `make unit`) fails while they are stale.
readme:
	$(GO) test -count=1 ./cmd/gitgate -run TestREADMEFlags -update

clean:
	rm -rf bin test/bin _out*
