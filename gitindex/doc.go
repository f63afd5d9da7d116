// Package gitindex turns one commit of a git repository into an immutable Snapshot:
// every Kubernetes object the manifests declare, keyed by GroupKind, namespace and
// name, with the file and line it came from; the Rego policy modules; and the
// repository's .gitgate.yaml configuration. Snapshot.Owners says who owns which
// fields of declared objects (an Ownership): derived from the owning objects git
// declares (HPA, KEDA, Flagger, Argo Rollouts, cert-manager's annotations) and
// from .gitgate.yaml's owners and presets.
//
// The Poller fetches commits with a source.Source (package gitindex/source: the
// git transport, credentials, commit signatures, push webhooks) and builds each
// new one beside its polling loop.
//
// Build is all-or-nothing: a snapshot with a YAML error, an object without kind or
// name, a duplicate object or a kustomization that does not render is rejected
// with an error naming every offending file:line, and the caller keeps serving the
// last good snapshot. A directory holding a kustomization.yaml is rendered with
// kustomize over an in-memory copy of the commit (no plugins, no remote bases, no
// network); the root .sourceignore excludes files. Two renderers reach further,
// off the request path: Helm charts from a declared HTTP chart repository are
// fetched (package helm), and values from ConfigMaps/Secrets (Flux's
// substituteFrom, a HelmRelease's valuesFrom) are read from the cluster. Its objects point at the file
// and document kustomize read them from (a base's too), or at the generator entry
// that made them: kustomize is asked for origin and transformer annotations,
// which are removed again unless the kustomization asks for them itself; when
// the origin leads nowhere, at the kustomization, line 1. Object.SourceOf points
// a field that a patch, images or replicas entry of the kustomizations that
// rendered the object set at that entry; both find fields in the object's text
// with gitindex/internal/yamlline. Given the previous snapshot, Build reuses
// the objects of files and kustomizations whose inputs did not change, and it
// shares equal strings and subtrees among objects, so a snapshot
// must never be modified. BuildOptions.Render replaces what a commit applies:
// a Renderer (gitindex/flux: what Flux's Kustomizations apply) lists kustomize
// builds with kustomization files of their own, a step that finishes each
// object, and the lines of its settings that SourceOf points fields at. The
// package knows nothing about admission or OPA.
//
// Nothing a commit holds can exhaust the process: Limits bound a revision's
// objects, bytes and estimated memory while it is read (a commit over one is
// rejected with a *LimitError inside its *BuildError), and the Poller builds
// beside its polling loop with a deadline, abandoning a build when a new HEAD
// arrives. Snapshot.Repo and the Poller's log go through source.Redact, which
// removes credentials from any text that may quote the repository URL.
package gitindex
