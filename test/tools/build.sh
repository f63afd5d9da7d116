#!/usr/bin/env bash
# build.sh builds the pinned test control plane (etcd, kube-apiserver,
# kube-controller-manager, kubectl) from this module graph into $BIN_DIR
# (default: test/bin, git-ignored). The binaries are cached outside the checkout,
# keyed by this module's go.sum, so fresh clones (CI) reuse an earlier build and
# a version bump rebuilds. The first build takes ~15-20 minutes on 2 cores.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin_dir="${BIN_DIR:-$here/../bin}"
k8s_version="v1.37.2"
key="$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)"
cache_dir="${GITGATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitgate/tools}/$key"
tools=(etcd kube-apiserver kube-controller-manager kubectl)

have_all() {
	local dir="$1" t
	for t in "${tools[@]}"; do [[ -x "$dir/$t" ]] || return 1; done
}

mkdir -p "$bin_dir"
if have_all "$bin_dir" && [[ "$(cat "$bin_dir/.key" 2>/dev/null)" == "$key" ]]; then
	exit 0
fi
if ! have_all "$cache_dir"; then
	echo "building test control plane $k8s_version into $cache_dir (first time: ~15-20 min)" >&2
	mkdir -p "$cache_dir.tmp"
	ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version"
	ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37"
	cd "$here"
	go build -trimpath -ldflags "$ldflags" -o "$cache_dir.tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
	go build -trimpath -ldflags "$ldflags" -o "$cache_dir.tmp/kubectl" k8s.io/kubernetes/cmd/kubectl
	go build -trimpath -ldflags "$ldflags" -o "$cache_dir.tmp/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager
	go build -trimpath -ldflags "-s -w" -o "$cache_dir.tmp/etcd" go.etcd.io/etcd/server/v3
	rm -rf "$cache_dir"
	mv "$cache_dir.tmp" "$cache_dir"
fi
for t in "${tools[@]}"; do cp -f "$cache_dir/$t" "$bin_dir/$t"; done
echo "$key" > "$bin_dir/.key"
