package gitindex

import (
	"fmt"
	"strings"
	"testing"
)

// kustomizeBenchFiles makes an overlay (namespace, namePrefix, a patch) over
// n/objectsPerFile bases of one manifest file each, like benchRepo's files.
func kustomizeBenchFiles(n int) []File {
	var files []File
	var bases []string
	for f := range n / objectsPerFile {
		dir := fmt.Sprintf("k8s/bases/app-%05d", f)
		bases = append(bases, "../../bases/"+fmt.Sprintf("app-%05d", f))
		files = append(files,
			File{Path: dir + "/kustomization.yaml", Data: []byte("resources: [apps.yaml]\n")},
			File{Path: dir + "/apps.yaml", Data: []byte(benchFile(f, 0))})
	}
	overlay := "namespace: prod\nnamePrefix: prod-\nresources:\n- " + strings.Join(bases, "\n- ") +
		"\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - {op: replace, path: /spec/replicas, value: 5}\n"
	return append(files, File{Path: "k8s/overlays/prod/kustomization.yaml", Data: []byte(overlay)})
}

// BenchmarkBuildKustomize measures a cold build of a rendered overlay and the
// heap its snapshot holds per object.
func BenchmarkBuildKustomize(b *testing.B) {
	for _, n := range []int{1_000} { // kustomize takes seconds already
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			files := kustomizeBenchFiles(n)
			b.Run("cold-build", func(b *testing.B) {
				defer reportCPU(b)()
				for range b.N {
					snap, err := Build("c", files, BuildOptions{Paths: []string{"k8s"}})
					if err != nil || snap.Len() != n {
						b.Fatalf("Build: %v, %d objects", err, snap.Len())
					}
				}
			})
			b.Run("heap", func(b *testing.B) { benchHeap(b, files, n) })
		})
	}
}
