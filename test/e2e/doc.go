// Package e2e runs gitgate against a real kube-apiserver, etcd and
// kube-controller-manager (built by test/tools), a real git repository and the real
// kubectl, as two users: a human admin and the sync identity.
package e2e
