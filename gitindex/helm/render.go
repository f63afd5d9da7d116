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
	"helm.sh/helm/v3/pkg/releaseutil"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
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
	caps := chartutil.DefaultCapabilities.Copy()
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
	if res.Objects, err = r.objects(c, dir, out, caps, append([]origin{chartValues}, layers...)); err != nil {
		return nil, err
	}
	if res.CRDs, err = r.crds(c, dir); err != nil {
		return nil, err
	}
	return res, nil
}

// objects decodes the rendered manifests that the release keeps (no hooks, no
// notes, no partials) and adds Helm's metadata to them.
func (r *renderer) objects(c *chart.Chart, dir string, out map[string]string, caps *chartutil.Capabilities, layers []origin) ([]Object, error) {
	size := 0
	for name, text := range out {
		size += len(text)
		if strings.HasSuffix(name, "NOTES.txt") { // as Helm's install: notes are no manifest
			delete(out, name)
		}
	}
	if max := cmpOrInt(r.opts.MaxBytes, 64<<20); size > max {
		return nil, fmt.Errorf("chart %s renders %d bytes, more than the %d allowed", dir, size, max)
	}
	_, manifests, err := releaseutil.SortManifests(out, caps.APIVersions, releaseutil.InstallOrder)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", dir, err)
	}
	var objs []Object
	seen := map[string]int{} // template + kind → documents of that kind so far
	for _, m := range manifests {
		obj, err := decode([]byte(m.Content))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Name, err)
		}
		if obj == nil {
			continue
		}
		r.addMetadata(obj)
		file := strings.TrimPrefix(m.Name, c.Name()+"/")
		kind, _ := obj["kind"].(string)
		nth := seen[file+"\x00"+kind]
		seen[file+"\x00"+kind]++
		o := r.object(obj, c, dir, file, kind, nth, layers)
		o.Size = len(m.Content)
		objs = append(objs, o)
	}
	return objs, nil
}

// object places a rendered object in its template (rel, in chart c), if the
// commit holds it in dir; else at the HelmRelease, reading the packaged
// template to find the values that set a field.
func (r *renderer) object(obj map[string]any, c *chart.Chart, dir, rel, kind string, nth int, layers []origin) Object {
	loc := &Locator{File: r.src.File, Line: r.src.Line, layers: layers}
	if dir == "" {
		loc.template, loc.packaged = packagedTemplate(c, rel), true
	} else if text, err := r.files.ReadFile(path.Join(dir, rel)); err == nil {
		loc.File, loc.Line, loc.template = path.Join(dir, rel), kindLine(text, kind, nth), text
	}
	return Object{Object: obj, File: loc.File, Line: loc.Line, Locator: loc}
}

// packagedTemplate returns the text of a packaged chart's template (nil for
// a subchart's).
func packagedTemplate(c *chart.Chart, rel string) []byte {
	for _, t := range c.Templates {
		if t.Name == rel {
			return t.Data
		}
	}
	return nil
}

// crds returns the chart's crds/ objects, unless both CRD policies skip them.
func (r *renderer) crds(c *chart.Chart, dir string) ([]Object, error) {
	if r.rel.InstallCRDs == CRDSkip && r.rel.UpgradeCRDs == CRDSkip {
		return nil, nil
	}
	var objs []Object
	for _, crd := range c.CRDObjects() {
		file := path.Join(dir, strings.TrimPrefix(crd.Filename, c.Name()+"/"))
		for _, doc := range splitDocuments(crd.File.Data) {
			obj, err := decode(doc.text)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", file, doc.line, err)
			}
			if obj == nil {
				continue
			}
			loc := &Locator{File: file, Line: doc.line, template: crd.File.Data}
			if dir == "" { // a packaged chart's: the HelmRelease is what git holds
				loc = &Locator{File: r.src.File, Line: r.src.Line}
			}
			objs = append(objs, Object{Object: obj, File: loc.File, Line: loc.Line, Locator: loc, Size: len(doc.text)})
		}
	}
	return objs, nil
}

// addMetadata adds what Helm's install and helm-controller's post-renderer add
// to every object of a release.
func (r *renderer) addMetadata(obj map[string]any) {
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	labels := stringMap(meta, "labels")
	for k, v := range r.rel.CommonLabels {
		labels[k] = v
	}
	labels[Group+"/name"], labels[Group+"/namespace"] = r.rel.Name, r.rel.Namespace
	labels["app.kubernetes.io/managed-by"] = "Helm"
	annotations := stringMap(meta, "annotations")
	for k, v := range r.rel.CommonAnnotations {
		annotations[k] = v
	}
	annotations["meta.helm.sh/release-name"], annotations["meta.helm.sh/release-namespace"] = r.rel.ReleaseName, r.rel.TargetNamespace
}

func stringMap(meta map[string]any, key string) map[string]any {
	m, _ := meta[key].(map[string]any)
	if m == nil {
		m = map[string]any{}
		meta[key] = m
	}
	return m
}

// decode decodes one rendered document as the API server would read its JSON
// (integers as int64); nil for an empty one.
func decode(doc []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	var m map[string]any
	if err := utiljson.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("not a YAML mapping: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

func cmpOrInt(a, b int) int {
	if a > 0 {
		return a
	}
	return b
}
