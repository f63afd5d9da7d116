// Package flux renders a commit the way Flux's kustomize-controller applies it,
// for gitindex.BuildOptions.Render (gitgate's Flux mode).
//
// What the commit applies is decided by the kustomize.toolkit.fluxcd.io/v1
// Kustomization objects it holds whose spec.sourceRef is the GitRepository
// gitgate follows (Options.Source): each is one render of its spec.path.
// Flux's own generator (github.com/fluxcd/pkg/kustomize, the one
// kustomize-controller uses) merges targetNamespace, namePrefix, nameSuffix,
// patches, images and components into the path's kustomization.yaml, or writes
// one for a plain folder; gitindex builds it with kustomize over the commit;
// then, as kustomize-controller does, postBuild.substitute and substituteFrom
// replace ${var}s (with Flux's own substitution), the owner labels
// kustomize.toolkit.fluxcd.io/name and /namespace are set, and commonMetadata
// is merged in.
//
// substituteFrom's ConfigMaps and Secrets are read from the cluster through the
// caller's ValueReader when a revision is built, never on the request path; a
// missing optional one is skipped, as Flux skips it. Values are never logged.
//
// Provenance: an object points at the manifest document it came from; a field
// a Kustomization's patch or images entry set, at that entry; a field whose git
// text uses a ${var}, at the line of the Kustomization that gives the variable
// its value (its postBuild.substitute key, or its substituteFrom entry).
//
// Not rendered: remote bases and OCI or bucket sources, SOPS decryption
// (a Kustomization with spec.decryption is rejected), HelmReleases, and
// Kustomizations that exist only in the cluster.
package flux

// Group is the API group of Flux's Kustomization (kustomize-controller).
const Group = "kustomize.toolkit.fluxcd.io"
