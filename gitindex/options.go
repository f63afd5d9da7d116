package gitindex

import (
	"github.com/gitgate-dev/gitgate/gitindex/helm"
)

// BuildOptions says which files of a commit are manifests and how to read them.
type BuildOptions struct {
	// Repo names the repository in messages.
	Repo string
	// Paths are the folders holding manifests, relative to the repository root;
	// default ["."] (the whole repository). A folder below them holding a
	// kustomization.yaml, kustomization.yml or Kustomization is rendered with
	// kustomize instead of read file by file.
	Paths []string
	// PolicyPath is the folder holding the Rego policies; default "policies".
	// Its files are never read as manifests.
	PolicyPath string
	// DefaultNamespace is given to namespaced objects that declare none; default "default".
	DefaultNamespace string
	// Scope tells which kinds are namespaced; default BuiltinScope plus the CRDs
	// in the commit.
	Scope Scope
	// Previous is an earlier snapshot (normally of the previous commit), or nil.
	// Build takes its objects for files whose hash did not change and for
	// kustomizations none of whose inputs changed, instead of decoding or rendering
	// them again. Both snapshots then share those *Object values; neither changes them.
	Previous *Snapshot
	// Render, if set, decides what the commit applies instead of Paths: see
	// Renderer. Default nil: the kustomizations and manifests under Paths.
	Render Renderer
	// Limits bound the revision's objects, bytes and estimated memory, checked
	// while it is read: a commit over one is rejected with a *BuildError that
	// unwraps to a *LimitError. Zero: no bound. What charts render counts too.
	Limits Limits
	// Helm configures rendering the charts of the commit's HelmReleases (see
	// package helm); the zero value renders them with no values from the
	// cluster (a valuesFrom entry that is not optional then rejects the commit).
	Helm helm.Options
}

// Default fills in defaults.
func (o *BuildOptions) Default() {
	if len(o.Paths) == 0 {
		o.Paths = []string{"."}
	}
	if o.PolicyPath == "" {
		o.PolicyPath = "policies"
	}
	if o.DefaultNamespace == "" {
		o.DefaultNamespace = "default"
	}
}
