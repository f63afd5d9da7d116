package flux

import (
	"context"
	"fmt"

	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	yaml "go.yaml.in/yaml/v3"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/kustomize/api/provider"
)

// finish does to one rendered object what kustomize-controller does after the
// build: Flux's variable substitution (with the values read at Plan), then the
// owner labels and commonMetadata.
func (p *postBuild) finish(ctx context.Context, obj map[string]any) (map[string]any, error) {
	if p.enabled {
		var err error
		if obj, err = p.substitute(ctx, obj); err != nil {
			return nil, err
		}
	}
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	setAll(meta, "labels", p.labels)
	setAll(meta, "annotations", p.annotations)
	return obj, nil
}

// substitute runs Flux's SubstituteVariables on obj; an object that disables
// substitution comes back as it was.
func (p *postBuild) substitute(ctx context.Context, obj map[string]any) (map[string]any, error) {
	res, err := provider.NewDefaultDepProvider().GetResourceFactory().FromMap(obj)
	if err != nil {
		return nil, fmt.Errorf("read rendered object: %w", err)
	}
	out, err := fluxkustomize.SubstituteVariables(ctx, nil, p.subst, res,
		fluxkustomize.SubstituteWithDryRun(true), // the values were read at Plan
		fluxkustomize.SubstituteWithStrict(p.strict), fluxkustomize.SubstituteWithAlways(p.always))
	if err != nil {
		return nil, fmt.Errorf("post build failed for '%s/%s': %w", res.GetGvk(), res.GetName(), err)
	}
	if out == nil {
		return obj, nil
	}
	data, err := out.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", out.CurId(), err)
	}
	var m map[string]any
	if err := utiljson.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("decode %s: %w", out.CurId(), err)
	}
	return m, nil
}

// setAll sets the entries of values in the string map meta[field].
func setAll(meta map[string]any, field string, values map[string]string) {
	if len(values) == 0 {
		return
	}
	m, _ := meta[field].(map[string]any)
	if m == nil {
		m = map[string]any{}
		meta[field] = m
	}
	for k, v := range values {
		m[k] = v
	}
}

// settingLines are the lines, in a Kustomization's document, of its
// postBuild.substituteFrom entries and postBuild.substitute keys, and of its
// namePrefix (else nameSuffix) and targetNamespace (0: none).
type settingLines struct {
	from            []int
	substitute      map[string]int
	name, namespace int
}

func readSettingLines(doc []byte) settingLines {
	out := settingLines{substitute: map[string]int{}}
	var root yaml.Node
	if yaml.Unmarshal(doc, &root) != nil || len(root.Content) == 0 {
		return out
	}
	spec := field(root.Content[0], "spec")
	out.name, out.namespace = keyLine(spec, "namePrefix"), keyLine(spec, "targetNamespace")
	if out.name == 0 {
		out.name = keyLine(spec, "nameSuffix")
	}
	pb := field(spec, "postBuild")
	if from := field(pb, "substituteFrom"); from != nil && from.Kind == yaml.SequenceNode {
		for _, item := range from.Content {
			out.from = append(out.from, item.Line)
		}
	}
	if sub := field(pb, "substitute"); sub != nil && sub.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(sub.Content); i += 2 {
			out.substitute[sub.Content[i].Value] = sub.Content[i].Line
		}
	}
	return out
}

// keyLine returns the line of a mapping node's field, or 0.
func keyLine(n *yaml.Node, name string) int {
	if n == nil || n.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i].Line
		}
	}
	return 0
}

// field returns the value of a mapping node's field, or nil.
func field(n *yaml.Node, name string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i+1]
		}
	}
	return nil
}
