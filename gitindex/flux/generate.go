package flux

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// workDir is the commit's files laid out on disk, where Flux's generator reads
// the folder it generates a kustomization for.
type workDir struct{ root string }

// layOut writes the commit's files under a new temporary directory.
func (r *Renderer) layOut(ctx context.Context, files gitindex.TreeReader) (*workDir, error) {
	root, err := os.MkdirTemp(r.opts.TempDir, "gitgate-flux-")
	if err != nil {
		return nil, fmt.Errorf("lay out the commit: %w", err)
	}
	w := &workDir{root: root}
	for _, p := range files.Paths() {
		if err := ctx.Err(); err != nil {
			w.remove()
			return nil, fmt.Errorf("lay out the commit: %w", err)
		}
		data, err := files.ReadFile(p)
		if err == nil {
			err = w.write(p, data)
		}
		if err != nil {
			w.remove()
			return nil, fmt.Errorf("lay out the commit: %w", err)
		}
	}
	return w, nil
}

func (w *workDir) write(p string, data []byte) error {
	full := filepath.Join(w.root, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return err
	}
	return os.WriteFile(full, data, 0o600)
}

// remove deletes the directory; what it cannot remove is left to the system.
func (w *workDir) remove() { _ = os.RemoveAll(w.root) }

// generated is what Flux's generator made of a Kustomization.
type generated struct {
	dir, file string // the folder built and its kustomization file, relative to the root
	data      []byte
}

// generate runs Flux's generator for k: spec.path's kustomization file with
// the Kustomization's settings merged in, or a new one listing its manifests.
func (w *workDir) generate(k *kustomization) (generated, error) {
	specPath, _, _ := unstructured.NestedString(k.obj.Object, "spec", "path")
	dir := path.Clean(strings.TrimPrefix(specPath, "/"))
	if dir == ".." || strings.HasPrefix(dir, "../") {
		return generated{}, fmt.Errorf("%s: spec.path %q leaves the repository", k, specPath)
	}
	full := filepath.Join(w.root, filepath.FromSlash(dir))
	if info, err := os.Stat(full); err != nil || !info.IsDir() {
		return generated{}, fmt.Errorf("%s: spec.path %q: no such folder in the commit", k, specPath)
	}
	data, kfile, _, err := fluxkustomize.NewGenerator(w.root, k.obj).GenerateManifest(full)
	if err != nil {
		return generated{}, fmt.Errorf("%s: generate the kustomization: %w", k, err)
	}
	rel, err := filepath.Rel(full, kfile)
	if err != nil {
		return generated{}, fmt.Errorf("%s: generate the kustomization: %w", k, err)
	}
	return generated{dir: dir, file: filepath.ToSlash(rel), data: data}, nil
}
