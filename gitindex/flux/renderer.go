package flux

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// Renderer renders what the commit's Flux Kustomizations apply; it is a
// gitindex.Renderer. It keeps no state between commits and is safe for
// concurrent use.
type Renderer struct {
	opts Options
}

var _ gitindex.Renderer = (*Renderer)(nil)

// New returns a Renderer with the options defaulted and validated.
func New(opts Options) (*Renderer, error) {
	opts.Default()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Renderer{opts: opts}, nil
}

// Plan implements gitindex.Renderer: one Rendering per Kustomization of the
// source, with the kustomization Flux's generator makes for it, the variables
// its postBuild gives (read now, from the cluster for substituteFrom), and a
// Finish step that substitutes them and sets Flux's labels and commonMetadata.
func (r *Renderer) Plan(ctx context.Context, files gitindex.TreeReader) ([]gitindex.Rendering, error) {
	ks, err := r.find(files)
	if err != nil || len(ks) == 0 {
		return nil, err
	}
	w, err := r.layOut(ctx, files)
	if err != nil {
		return nil, err
	}
	defer w.remove()
	out := make([]gitindex.Rendering, 0, len(ks))
	for _, k := range ks {
		rendering, err := r.plan(ctx, w, k)
		if err != nil {
			return nil, err
		}
		out = append(out, rendering)
	}
	logr.FromContextOrDiscard(ctx).V(1).Info("flux kustomizations planned", "kustomizations", len(out))
	return out, nil
}

// plan makes the Rendering of one Kustomization.
func (r *Renderer) plan(ctx context.Context, w *workDir, k *kustomization) (gitindex.Rendering, error) {
	gen, err := w.generate(k)
	if err != nil {
		return gitindex.Rendering{}, err
	}
	post, err := r.postBuild(ctx, k)
	if err != nil {
		return gitindex.Rendering{}, fmt.Errorf("%s: %w", k, err)
	}
	at := readSettingLines(k.doc)
	return gitindex.Rendering{
		Path: k.path, Line: k.line, Dir: gen.dir, KustomizationFile: gen.file, Kustomization: gen.data,
		Settings: k.doc, SettingsAt: []string{"spec"}, Vars: post.lines,
		NameLine: lineIn(k, at.name), NamespaceLine: lineIn(k, at.namespace),
		Finish: post.finish,
	}, nil
}

// lineIn turns a line of k's document into a line of its file (0 stays 0).
func lineIn(k *kustomization, docLine int) int {
	if docLine == 0 {
		return 0
	}
	return k.line - 1 + docLine
}
