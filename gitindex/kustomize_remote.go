package gitindex

import (
	"fmt"
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
)

// remoteReference returns an error naming the first reference of a kustomization
// that would make kustomize reach the network (a git clone of a remote base, an
// HTTP GET of a file) or run Helm: a snapshot is built from the commit alone.
func remoteReference(kustomization []byte) error {
	var k types.Kustomization
	if err := k.Unmarshal(kustomization); err != nil {
		return nil // kustomize reports it, with more context
	}
	k.FixKustomization()
	if len(k.HelmCharts) > 0 || len(k.HelmChartInflationGenerator) > 0 || k.HelmGlobals != nil {
		return fmt.Errorf("helm charts are not supported in a kustomization (kustomize runs the helm binary): name the chart in a Flux HelmRelease, or render it into the repository")
	}
	for _, list := range [][]string{k.Resources, k.Bases, k.Components, k.Generators, k.Transformers, k.Validators} {
		for _, r := range list {
			if looksLikeRepo(r) {
				return fmt.Errorf("remote resource %q is not supported: vendor it into the repository", r)
			}
		}
	}
	for _, f := range referencedFiles(&k) {
		if strings.Contains(f, "://") && !strings.Contains(f, "\n") { // not an inline patch
			return fmt.Errorf("remote file %q is not supported: vendor it into the repository", f)
		}
	}
	return nil
}

// referencedFiles lists the file paths of a kustomization that kustomize loads
// with an HTTP GET when they are URLs.
func referencedFiles(k *types.Kustomization) []string {
	files := append(append([]string{k.OpenAPI["path"]}, k.Crds...), k.Configurations...)
	for _, p := range k.PatchesStrategicMerge {
		files = append(files, string(p))
	}
	for _, p := range append(append([]types.Patch(nil), k.Patches...), k.PatchesJson6902...) {
		files = append(files, p.Path)
	}
	for _, r := range k.Replacements {
		files = append(files, r.Path)
	}
	var sources []types.KvPairSources
	for _, g := range k.ConfigMapGenerator {
		sources = append(sources, g.KvPairSources)
	}
	for _, g := range k.SecretGenerator {
		sources = append(sources, g.KvPairSources)
	}
	for _, s := range sources {
		files = append(append(append(files, s.FileSources...), s.EnvSources...), s.EnvSource)
	}
	return files
}

// repoUser matches the user@ of an scp-style git URL, as kustomize parses it.
var repoUser = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// looksLikeRepo reports whether kustomize would take a resource for a git
// repository to clone (it tries that before the local file system).
func looksLikeRepo(ref string) bool {
	r := strings.ToLower(strings.TrimSpace(ref))
	r = strings.TrimPrefix(r, "git::")
	return strings.Contains(r, "://") || repoUser.MatchString(r) ||
		strings.HasPrefix(r, "github.com/") || strings.HasPrefix(r, "github.com:")
}
