// Package cluster starts gitgate's test control plane — a real etcd, kube-apiserver
// and kube-controller-manager built by test/tools — plus gitgate itself against a
// real git repository, and drives it with the real kubectl. The e2e suite, the
// benchmarks and `make demo` share it. It is test code: nothing outside test/
// imports it.
package cluster
