package helm

import (
	"cmp"
	"fmt"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/releaseutil"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// objects decodes the rendered manifests that the release keeps (no hooks, no
// notes, no partials, no empty documents), each once, in template order, and
// adds Helm's metadata to them.
func (r *renderer) objects(c *chart.Chart, dir string, out map[string]string, layers []origin) ([]Object, error) {
	size := 0
	var names []string
	for name, text := range out {
		size += len(text)
		base := path.Base(name)
		if !strings.HasSuffix(name, "NOTES.txt") && !strings.HasPrefix(base, "_") && strings.TrimSpace(text) != "" {
			names = append(names, name)
		}
	}
	if limit := cmp.Or(max(r.opts.MaxBytes, 0), 64<<20); size > limit {
		return nil, fmt.Errorf("chart %s renders %d bytes, more than the %d allowed", dir, size, limit)
	}
	sort.Strings(names)
	var objs []Object
	for _, name := range names {
		file := strings.TrimPrefix(name, c.Name()+"/")
		seen := map[string]int{} // kind → documents of that kind so far
		docs := releaseutil.SplitManifests(out[name])
		keys := make([]string, 0, len(docs))
		for k := range docs {
			keys = append(keys, k)
		}
		sort.Sort(releaseutil.BySplitManifestsOrder(keys))
		for _, k := range keys {
			obj, err := decode([]byte(docs[k]))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if obj == nil || isHook(obj) {
				continue
			}
			r.addMetadata(obj)
			kind, _ := obj["kind"].(string)
			o := r.object(obj, c, dir, file, kind, seen[kind], layers)
			seen[kind]++
			o.Size = len(docs[k])
			objs = append(objs, o)
		}
	}
	return objs, nil
}

// isHook reports whether a rendered object is a Helm hook: Helm runs it at a
// point of the release and keeps no record of it as the release's.
func isHook(obj map[string]any) bool {
	meta, _ := obj["metadata"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	_, hook := annotations["helm.sh/hook"]
	return hook
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
