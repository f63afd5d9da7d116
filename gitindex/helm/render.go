package helm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

// ErrNotInRepository is returned (wrapped) for a HelmRelease whose chart this
// commit does not hold: its source is not a GitRepository, or its chart folder
// has no Chart.yaml here (the GitRepository is another repository). The caller
// indexes the HelmRelease alone and says so.
var ErrNotInRepository = errors.New("chart not in this repository")

// Options configure rendering.
type Options struct {
	// Values reads the ConfigMaps and Secrets of valuesFrom entries. Nil: a
	// valuesFrom entry that is not optional fails the render.
	Values ValuesReader
	// Charts fetches the charts of HelmReleases whose source is a
	// HelmRepository. Nil: such charts are not rendered (ErrNotInRepository).
	Charts ChartSource
	// MaxBytes bounds the text one release renders; default 64 MiB.
	MaxBytes int
	// KubeVersion is .Capabilities.KubeVersion; default the Kubernetes
	// version of the client-go gitgate is built with (Helm's own default,
	// v1.20, would make charts choose long-removed APIs).
	KubeVersion string
}

// Input is one HelmRelease to render and what it may read.
type Input struct {
	// Files are the commit's files.
	Files Files
	// Source is where the HelmRelease is declared; Object the HelmRelease.
	Source Source
	Object map[string]any
	// DefaultNamespace is the namespace of a HelmRelease that declares none.
	DefaultNamespace string
	// Repositories maps the HelmRepositories the commit declares
	// (namespace/name) to their spec.url.
	Repositories map[string]string
}

// Source is a HelmRelease's document in git.
type Source struct {
	// File is its path, relative to the repository root; Line the 1-based line
	// its document starts at; Text the document.
	File string
	Line int
	Text []byte
}

// Object is one object a release renders.
type Object struct {
	// Object is the object as Helm applies it, with the metadata Helm and
	// helm-controller add. Namespaced objects that declare no namespace go to
	// Result.Namespace.
	Object map[string]any
	// File and Line are the template (or crds/ file) it came from and its
	// document's line there, or the HelmRelease's for a template the commit
	// does not hold as a file (a packaged subchart's).
	File string
	Line int
	// Locator finds the line that sets a field.
	Locator *Locator
	// Size is the length of its rendered text.
	Size int
}

// Result is what one HelmRelease renders.
type Result struct {
	Release *Release
	// Namespace is where the release's namespaced objects go when they declare none.
	Namespace string
	Objects   []Object
	// CRDs are the chart's crds/ objects that the CRD policies install; they get
	// none of Helm's metadata.
	CRDs []Object
}

type renderer struct {
	files Files
	src   Source
	rel   *Release
	opts  Options
}

// Render renders the chart of a HelmRelease as helm-controller would install it.
func Render(ctx context.Context, in Input, opts Options) (*Result, error) {
	rel, err := ParseRelease(in.Object, in.DefaultNamespace)
	if err != nil {
		return nil, err
	}
	if rel.PostRenderers {
		return nil, fmt.Errorf("spec.postRenderers are not supported: gitgate cannot tell what they change")
	}
	r := &renderer{files: in.Files, src: in.Source, rel: rel, opts: opts}
	switch rel.SourceKind {
	case "GitRepository":
		dir := rel.ChartPath()
		if _, err := in.Files.ReadFile(path.Join(dir, "Chart.yaml")); err != nil {
			return nil, fmt.Errorf("%s/Chart.yaml: %w", dir, ErrNotInRepository)
		}
		c, err := loadChart(in.Files, dir)
		if err != nil {
			return nil, err
		}
		return r.render(ctx, c, dir)
	case "HelmRepository":
		c, err := r.fetch(ctx, in.Repositories)
		if err != nil {
			return nil, err
		}
		return r.render(ctx, c, "")
	}
	return nil, fmt.Errorf("source %s %s: %w", rel.SourceKind, rel.SourceName, ErrNotInRepository)
}

// fetch fetches and loads the chart of a HelmRelease from a HelmRepository.
func (r *renderer) fetch(ctx context.Context, repositories map[string]string) (*chart.Chart, error) {
	name := r.rel.SourceNamespace + "/" + r.rel.SourceName
	u, ok := repositories[name]
	switch {
	case !ok:
		return nil, fmt.Errorf("HelmRepository %s is not declared in this commit: %w", name, ErrNotInRepository)
	case strings.HasPrefix(u, "oci://"):
		return nil, fmt.Errorf("HelmRepository %s is an OCI repository, not fetched: %w", name, ErrNotInRepository)
	case r.opts.Charts == nil:
		return nil, fmt.Errorf("HelmRepository %s: fetching charts is not configured: %w", name, ErrNotInRepository)
	}
	data, err := r.opts.Charts.Fetch(ctx, u, r.rel.Chart, r.rel.Version)
	if err != nil {
		return nil, fmt.Errorf("fetch chart %s: %w", r.rel.Chart, err)
	}
	c, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w", r.rel.Chart, err)
	}
	if err := checkDependencies(c); err != nil {
		return nil, fmt.Errorf("chart %s: %w", r.rel.Chart, err)
	}
	return c, nil
}

// render renders chart c, from the commit's folder dir ("" for a packaged chart).
func (r *renderer) render(ctx context.Context, c *chart.Chart, dir string) (*Result, error) {
	defaults, user, layers, err := r.values(ctx)
	if err != nil {
		return nil, err
	}
	chartValues := origin{file: path.Join(dir, "values.yaml"), line: 1, vals: c.Values}
	switch {
	case defaults != nil:
		c.Values, chartValues = defaults, origin{}
	case dir == "": // a packaged chart's defaults: the HelmRelease is where to change them
		chartValues.file, chartValues.line = r.src.File, r.src.Line
	default:
		chartValues.doc, _ = r.files.ReadFile(chartValues.file)
	}
	if err := chartutil.ProcessDependenciesWithMerge(c, user); err != nil {
		return nil, fmt.Errorf("chart %s dependencies: %w", dir, err)
	}
	caps, err := capabilities(r.opts.KubeVersion)
	if err != nil {
		return nil, err
	}
	options := chartutil.ReleaseOptions{Name: r.rel.ReleaseName, Namespace: r.rel.TargetNamespace, Revision: 1, IsInstall: true}
	vals, err := chartutil.ToRenderValues(c, user, options, caps)
	if err != nil {
		return nil, fmt.Errorf("chart %s values: %w", dir, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := engine.Engine{}.Render(c, vals) // no client: lookup returns empty, no DNS
	if err != nil {
		return nil, fmt.Errorf("render chart %s: %w", dir, err)
	}
	res := &Result{Release: r.rel, Namespace: r.rel.TargetNamespace}
	if res.Objects, err = r.objects(c, dir, out, append([]origin{chartValues}, layers...)); err != nil {
		return nil, err
	}
	if res.CRDs, err = r.crds(c, dir); err != nil {
		return nil, err
	}
	return res, nil
}
