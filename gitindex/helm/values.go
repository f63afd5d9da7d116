package helm

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"
)

// ValuesReader reads the data of a ConfigMap or Secret (decoded) that a
// HelmRelease's valuesFrom names. It is called while a revision is built, never
// on the request path; it must only read.
type ValuesReader interface {
	ReadValues(ctx context.Context, kind, namespace, name string) (map[string][]byte, error)
}

// ErrNotFound is what a ValuesReader returns (wrapped) for an object or key that
// does not exist: an optional valuesFrom entry is then skipped.
var ErrNotFound = errors.New("not found")

// origin is where a values entry came from, in the order helm-controller merges
// them (a later one wins).
type origin struct {
	file  string   // the file to change: the HelmRelease's, a values file
	line  int      // its document's first line (for a HelmRelease)
	doc   []byte   // the YAML to find keys in (nil: no keys, point at line)
	under []string // the keys of the values within doc (spec.values)
	entry bool     // the values are not in doc: under is the entry that read them (valuesFrom)
	vals  map[string]any
}

// values composes the release's values as helm-controller and source-controller
// do: the valuesFiles merged in order (in place of the chart's values.yaml:
// defaults, nil when there are none), then valuesFrom (in order), then
// spec.values (user). layers are all of them, in that order.
func (r *renderer) values(ctx context.Context) (defaults, user map[string]any, layers []origin, err error) {
	for _, f := range r.rel.ValuesFiles {
		p := strings.TrimPrefix(path.Clean("/"+f), "/")
		data, err := r.files.ReadFile(p)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("values file %s: %w", f, err)
		}
		vals, err := chartutil.ReadValues(data)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("values file %s: %w", f, err)
		}
		layers = append(layers, origin{file: p, line: 1, doc: data, vals: vals})
		defaults = chartutil.MergeTables(deepCopy(vals), defaults)
	}
	files := len(layers)
	for _, ref := range r.rel.ValuesFrom {
		vals, err := r.valuesFrom(ctx, ref)
		if err != nil {
			return nil, nil, nil, err
		}
		if vals != nil {
			entry := []string{"spec", "valuesFrom", fmt.Sprint(ref.Index)}
			layers = append(layers, origin{file: r.src.File, line: r.src.Line, doc: r.src.Text, under: entry, entry: true, vals: vals})
		}
	}
	if r.rel.Values != nil {
		layers = append(layers, origin{file: r.src.File, line: r.src.Line, doc: r.src.Text, under: []string{"spec", "values"}, vals: r.rel.Values})
	}
	user = map[string]any{}
	for _, l := range layers[files:] {
		user = chartutil.MergeTables(deepCopy(l.vals), user)
	}
	return defaults, user, layers, nil
}

// valuesFrom reads one valuesFrom entry; nil for a missing optional one.
func (r *renderer) valuesFrom(ctx context.Context, ref ValuesReference) (map[string]any, error) {
	what := fmt.Sprintf("spec.valuesFrom[%d] %s %s/%s", ref.Index, ref.Kind, r.rel.Namespace, ref.Name)
	if r.opts.Values == nil {
		if ref.Optional {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: reading values from the cluster is not configured", what)
	}
	data, err := r.opts.Values.ReadValues(ctx, ref.Kind, r.rel.Namespace, ref.Name)
	if err == nil && data[ref.ValuesKey] == nil {
		err = fmt.Errorf("key %s: %w", ref.ValuesKey, ErrNotFound)
	}
	switch {
	case err != nil && ref.Optional && errors.Is(err, ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	value := data[ref.ValuesKey]
	if ref.TargetPath != "" {
		vals := map[string]any{}
		if err := strvals.ParseIntoString(ref.TargetPath+"="+string(value), vals); err != nil {
			return nil, fmt.Errorf("%s: targetPath %s: %w", what, ref.TargetPath, err)
		}
		return vals, nil
	}
	var vals map[string]any
	if err := yaml.Unmarshal(value, &vals); err != nil {
		return nil, fmt.Errorf("%s: key %s: %w", what, ref.ValuesKey, err)
	}
	return vals, nil
}

// deepCopy copies a JSON-like map, so that merging never changes git's values.
func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return deepCopy(x)
	case []any:
		l := make([]any, len(x))
		for i := range x {
			l[i] = copyValue(x[i])
		}
		return l
	}
	return v
}
