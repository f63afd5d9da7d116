// Package kube keeps the audit log's keys and anchors in the cluster: the digest and
// signing keys in one Secret, created with fresh random keys if absent (like the
// serving certificate), and each pod's newest signed checkpoint in one ConfigMap,
// one data key per log id, outside the pods that write the logs.
package kube
