package flux

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// benchFleet is one Kustomization applying n ConfigMaps that use a variable.
func benchFleet(n int) []gitindex.File {
	files := []gitindex.File{{Path: "clusters/staging/apps.yaml", Data: []byte("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n" +
		"metadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./k8s/app\n  sourceRef: {kind: GitRepository, name: flux-system}\n" +
		"  targetNamespace: staging\n  namePrefix: staging-\n  postBuild: {substitute: {cluster_name: staging-eu}}\n")}}
	var resources strings.Builder
	for i := range n {
		name := fmt.Sprintf("cm-%d.yaml", i)
		resources.WriteString("  - " + name + "\n")
		files = append(files, gitindex.File{Path: "k8s/app/" + name, Data: fmt.Appendf(nil,
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%d}\ndata:\n  cluster: ${cluster_name}\n  index: \"%d\"\n", i, i)})
	}
	return append(files, gitindex.File{Path: "k8s/app/kustomization.yaml", Data: []byte("resources:\n" + resources.String())})
}

// BenchmarkBuild compares a Flux-mode build of a fleet with plain kustomize's
// of the same folder (no prefix, namespace or substitution there).
func BenchmarkBuild(b *testing.B) {
	files := benchFleet(1000)
	r, err := New(Options{TempDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		opts gitindex.BuildOptions
	}{
		{"kustomize", gitindex.BuildOptions{Paths: []string{"k8s/app"}}},
		{"flux", gitindex.BuildOptions{Render: r}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				s, err := gitindex.Build("c1", files, mode.opts)
				if err != nil || s.Len() != 1000 {
					b.Fatalf("%v, %d objects", err, s.Len())
				}
			}
		})
	}
}
