// Package gitindex turns one commit of a git repository into an immutable Snapshot:
// every Kubernetes object the manifests declare, keyed by GroupKind, namespace and
// name, with the file and line it came from; the Rego policy modules; and the
// repository's .gitgate.yaml configuration.
//
// A Source owns the go-git repository (clone, fetch, resolve a ref) and is used from
// one goroutine only, the Poller's. Build is all-or-nothing: a snapshot with a YAML
// error, an object without kind or name, or a duplicate object is rejected with an
// error naming every offending file:line, and the caller keeps serving the last good
// snapshot. The package knows nothing about admission or OPA.
package gitindex
