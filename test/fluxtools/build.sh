#!/usr/bin/env bash
# build.sh builds Flux's kustomize-controller from this module graph into
# $BIN_DIR (default: test/bin, git-ignored) for the Flux e2e tests. Like
# test/tools/build.sh, the binary is cached outside the checkout, keyed by this
# module's go.mod and go.sum, so fresh clones (CI) reuse an earlier build and a
# version bump rebuilds. The first build is about 11 minutes of CPU time (see
# README.md, "gitgate with Flux").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin_dir="${BIN_DIR:-$here/../bin}"
key="$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)"
cache_dir="${GITGATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitgate/tools}/flux-$key"
tool=kustomize-controller

mkdir -p "$bin_dir"
if [[ -x "$bin_dir/$tool" && "$(cat "$bin_dir/.flux-key" 2>/dev/null)" == "$key" ]]; then
	exit 0
fi
if [[ ! -x "$cache_dir/$tool" ]]; then
	echo "building Flux $tool into $cache_dir (first time: ~11 min of CPU time)" >&2
	mkdir -p "$cache_dir.tmp"
	cd "$here"
	go build -trimpath -ldflags "-s -w" -o "$cache_dir.tmp/$tool" github.com/fluxcd/kustomize-controller
	rm -rf "$cache_dir"
	mv "$cache_dir.tmp" "$cache_dir"
fi
cp -f "$cache_dir/$tool" "$bin_dir/$tool"
echo "$key" > "$bin_dir/.flux-key"
