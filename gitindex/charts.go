package gitindex

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/gitgate-dev/gitgate/gitindex/helm"
	"github.com/gitgate-dev/gitgate/gitindex/internal/yamlline"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// chartFile names the file that makes a folder a Helm chart.
const chartFile = source.ChartFile

// chartDirs returns the folders of the commit holding a Chart.yaml: their
// files are a chart's, never manifests.
func (t *fileTree) chartDirs() []string {
	var out []string
	for _, f := range t.sorted {
		if path.Base(f.Path) == chartFile {
			out = append(out, path.Dir(f.Path))
		}
	}
	return out
}

// ReadFile implements helm.Files over the commit.
func (t *fileTree) ReadFile(name string) ([]byte, error) {
	f, ok := t.byPath[name]
	if !ok {
		return nil, fmt.Errorf("%s: not in the commit", name)
	}
	return t.data(f)
}

// Under implements helm.Files over the commit.
func (t *fileTree) Under(dir string) []string {
	var out []string
	for _, f := range t.sorted {
		if source.UnderDir(f.Path, dir) && f.Path != dir {
			out = append(out, f.Path)
		}
	}
	return out
}

// releaseSource is a HelmRelease among a unit's objects, decoded or reused.
type releaseSource struct {
	obj map[string]any
	src helm.Source
}

// renderCharts renders the chart of every HelmRelease the units declare whose
// chart the commit holds, each into a unit of its own. A chart that does not
// render rejects the commit; one from elsewhere is only a warning.
func (b *builder) renderCharts(units []*unit) []*unit {
	var out []*unit
	repositories := helmRepositories(units, b.opts.DefaultNamespace)
	for _, u := range units {
		for _, hr := range helmReleases(u) {
			if b.stopped() {
				return out
			}
			if r := b.renderChart(hr, repositories); r != nil {
				out = append(out, r)
			}
		}
	}
	return out
}

// helmRepositories maps the Flux HelmRepositories the units declare
// (namespace/name) to their URL.
func helmRepositories(units []*unit, defaultNamespace string) map[string]string {
	out := map[string]string{}
	note := func(obj map[string]any) {
		apiVersion, _ := obj["apiVersion"].(string)
		if obj["kind"] != "HelmRepository" || !strings.HasPrefix(apiVersion, "source.toolkit.fluxcd.io/") {
			return
		}
		meta, _ := obj["metadata"].(map[string]any)
		spec, _ := obj["spec"].(map[string]any)
		name, _ := meta["name"].(string)
		ns, _ := meta["namespace"].(string)
		url, _ := spec["url"].(string)
		if spec["type"] == "oci" && !strings.HasPrefix(url, "oci://") {
			url = "oci://" + url
		}
		out[cmp.Or(ns, defaultNamespace)+"/"+name] = url
	}
	for _, u := range units {
		for _, d := range u.decoded {
			note(d.obj)
		}
		for _, o := range u.reused {
			note(o.Object)
		}
	}
	return out
}

func helmReleases(u *unit) []releaseSource {
	var out []releaseSource
	for _, d := range u.decoded {
		if helm.IsHelmRelease(d.obj) {
			var text []byte
			if d.src != nil && !d.origin {
				text, _ = d.src.slice(d.span[0], d.span[1])
			}
			out = append(out, releaseSource{obj: d.obj, src: helm.Source{File: d.path, Line: d.line, Text: text}})
		}
	}
	for _, o := range u.reused {
		if helm.IsHelmRelease(o.Object) {
			text := o.document()
			if o.origin {
				text = nil
			}
			out = append(out, releaseSource{obj: o.Object, src: helm.Source{File: o.Path, Line: o.Line, Text: text}})
		}
	}
	return out
}

// renderChart renders one HelmRelease into a unit of its own (nil when it
// renders nothing), or records why it cannot.
func (b *builder) renderChart(hr releaseSource, repositories map[string]string) *unit {
	if u := b.reuseChart(hr); u != nil {
		u.chart = &chartSource{hr: hr, repositories: repositories}
		return u
	}
	return b.renderFresh(hr, repositories)
}

// chartSource is what a chart's unit was rendered from, to render it again
// (revalidate: a CRD changed its kind's scope).
type chartSource struct {
	hr           releaseSource
	repositories map[string]string
}

// renderFresh renders a HelmRelease's chart, never reusing its objects.
func (b *builder) renderFresh(hr releaseSource, repositories map[string]string) *unit {
	res, err := helm.Render(b.ctx, helm.Input{Files: b.tree, Source: hr.src, Object: hr.obj,
		DefaultNamespace: b.opts.DefaultNamespace, Repositories: repositories}, b.opts.Helm)
	name, _ := hr.obj["metadata"].(map[string]any)["name"].(string)
	switch {
	case errors.Is(err, helm.ErrNotInRepository):
		b.snap.Warnings = append(b.snap.Warnings, fmt.Sprintf("%s:%d: HelmRelease %s: %v: its objects are not governed", hr.src.File, hr.src.Line, name, err))
		return nil
	case err != nil:
		b.problem(hr.src.File, hr.src.Line, "HelmRelease %s: %v", name, err)
		return nil
	}
	u := &unit{path: chartUnitPath(hr.src, res.Release), hash: b.chartInputs(hr, res.Release),
		chart: &chartSource{hr: hr, repositories: repositories}}
	for _, o := range append(res.CRDs, res.Objects...) {
		cost := docCost(o.Size)
		if !b.budget.charge(1, cost) {
			return nil
		}
		u.cost += cost
		u.decoded = append(u.decoded, decodedObject{path: o.File, line: o.Line, obj: o.Object,
			locator: o.Locator, release: res.Release.String(), namespace: res.Namespace})
	}
	return u
}

// fieldNames returns the field names of a drift path's segments, list items
// left out.
func fieldNames(segs []string) []string {
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		if !yamlline.IsItem(s) {
			out = append(out, yamlline.FieldName(s))
		}
	}
	return out
}

// chartUnitPath names a HelmRelease's unit in the snapshot's records.
func chartUnitPath(src helm.Source, rel *helm.Release) string {
	return src.File + "#HelmRelease/" + rel.String()
}

// reuseChart takes a HelmRelease's objects from the previous snapshot if
// nothing it renders from changed (see chartInputs).
func (b *builder) reuseChart(hr releaseSource) *unit {
	if b.opts.Previous == nil {
		return nil
	}
	rel, err := helm.ParseRelease(hr.obj, b.opts.DefaultNamespace)
	if err != nil {
		return nil
	}
	path := chartUnitPath(hr.src, rel)
	rec := b.opts.Previous.units[path]
	key := b.chartInputs(hr, rel)
	if rec == nil || key == "" || rec.hash != key {
		return nil
	}
	b.budget.charge(len(rec.objects), rec.cost)
	return &unit{path: path, hash: key, reused: rec.objects, warnings: rec.warnings, cost: rec.cost}
}

// chartInputs digests everything a HelmRelease of a chart in git renders
// from: the HelmRelease as decoded, and the path and blob hash of every file
// of its chart folder and of its valuesFiles. It is "" (render every time)
// for a chart from elsewhere or with valuesFrom (the cluster's values may
// have changed).
func (b *builder) chartInputs(hr releaseSource, rel *helm.Release) string {
	if rel.SourceKind != "GitRepository" || len(rel.ValuesFrom) > 0 {
		return ""
	}
	h := sha256.New()
	release, err := json.Marshal(hr.obj)
	if err != nil {
		return ""
	}
	h.Write(release)
	files := b.tree.Under(rel.ChartPath())
	for _, v := range rel.ValuesFiles {
		files = append(files, strings.TrimPrefix(path.Clean("/"+v), "/"))
	}
	for _, p := range files {
		fmt.Fprintf(h, "\x00%s\x00%s", p, b.tree.state(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}
