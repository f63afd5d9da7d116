package flux

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/types"
)

// Options configure a Renderer.
type Options struct {
	// Source is the GitRepository that gitgate follows: only Kustomizations whose
	// spec.sourceRef names it (its namespace defaulting to the Kustomization's)
	// are rendered. Default flux-system/flux-system, what `flux bootstrap` creates.
	Source types.NamespacedName
	// DefaultNamespace is the namespace of a Kustomization that declares none;
	// default "default" (gitgate's --default-namespace).
	DefaultNamespace string
	// Values reads the ConfigMaps and Secrets that postBuild.substituteFrom names.
	// Nil: a commit with a substituteFrom that is not optional is rejected, and
	// optional ones are skipped.
	Values ValueReader
	// Strict fails a render that uses a variable with no value and no default,
	// as kustomize-controller's StrictPostBuildSubstitutions feature gate does.
	// Default false: such a variable becomes "".
	Strict bool
	// TempDir is where the commit's files are laid out for Flux's generator,
	// which reads a folder on disk; default the system's.
	TempDir string
}

// Default fills in defaults.
func (o *Options) Default() {
	if o.Source.Name == "" {
		o.Source.Name = "flux-system"
	}
	if o.Source.Namespace == "" {
		o.Source.Namespace = "flux-system"
	}
	if o.DefaultNamespace == "" {
		o.DefaultNamespace = "default"
	}
}

// Validate checks the options once defaulted.
func (o *Options) Validate() error {
	if o.Source.Name == "" || o.Source.Namespace == "" {
		return fmt.Errorf("flux source %q: want namespace/name", o.Source)
	}
	return nil
}

// ValueReader reads the data of a ConfigMap or a Secret (kind) that a
// Kustomization's substituteFrom names, Secret values decoded. It is called
// while a revision is built, never on the request path.
type ValueReader interface {
	Values(ctx context.Context, kind, namespace, name string) (map[string]string, error)
}

// ErrNotFound is what a ValueReader's error wraps when the object does not exist.
var ErrNotFound = errors.New("not found")
