//go:build tools

// Package tools pins the test control plane: kube-apiserver, kube-controller-manager,
// kubectl (k8s.io/kubernetes) and etcd (go.etcd.io/etcd/server/v3). Nothing imports it;
// test/tools/build.sh builds the binaries from this module graph.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
