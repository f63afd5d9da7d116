package main

import (
	"fmt"
	"path"
	"strings"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/flux"
)

// renderFlags say how a commit becomes objects: kustomize over --path (the
// default), or what the commit's Flux Kustomizations apply.
type renderFlags struct {
	render, fluxSource string
}

func (r *renderFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&r.render, "render", "kustomize", "how git becomes objects: kustomize (manifests and kustomizations under --path) or flux (what the commit's Flux Kustomizations of --flux-source apply, rendered as kustomize-controller does)")
	fs.StringVar(&r.fluxSource, "flux-source", "flux-system/flux-system", "with --render=flux: namespace/name of the GitRepository gitgate follows; Kustomizations whose sourceRef names it are rendered")
}

// renderer returns the Renderer --render names (nil: kustomize over --path);
// values reads substituteFrom's ConfigMaps and Secrets (nil: none can be read).
func (r *repoFlags) renderer(values flux.ValueReader) (gitindex.Renderer, error) {
	switch r.render {
	case "", "kustomize":
		return nil, nil
	case "flux":
	default:
		return nil, fmt.Errorf("--render=%q: want kustomize or flux", r.render)
	}
	if len(r.paths) != 1 || path.Clean(r.paths[0]) != "." {
		return nil, fmt.Errorf("--render=flux reads the whole repository (its Kustomizations name the paths): drop --path")
	}
	ns, name, ok := strings.Cut(r.fluxSource, "/")
	if !ok || ns == "" || name == "" {
		return nil, fmt.Errorf("--flux-source=%q: want namespace/name", r.fluxSource)
	}
	renderer, err := flux.New(flux.Options{Source: types.NamespacedName{Namespace: ns, Name: name},
		DefaultNamespace: r.defaultNamespace, Values: values})
	if err != nil {
		return nil, fmt.Errorf("--render=flux: %w", err)
	}
	return renderer, nil
}
