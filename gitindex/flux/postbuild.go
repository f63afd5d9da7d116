package flux

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ownerGroup is the group of kustomize-controller's owner labels.
const ownerGroup = Group

// postBuild is what kustomize-controller does to each object a Kustomization
// renders: variable substitution, owner labels, commonMetadata.
type postBuild struct {
	k           *kustomization
	enabled     bool                      // spec.postBuild is set
	always      bool                      // substituteStrategy: Always
	strict      bool                      // Options.Strict
	subst       unstructured.Unstructured // k, with every value as postBuild.substitute
	lines       map[string]int            // variable → the line of k.path that sets it
	labels      map[string]string         // owner labels and commonMetadata's
	annotations map[string]string         // commonMetadata's
}

// postBuild reads k's postBuild, with the values of its substituteFrom.
func (r *Renderer) postBuild(ctx context.Context, k *kustomization) (*postBuild, error) {
	p := &postBuild{k: k, strict: r.opts.Strict, lines: map[string]int{}}
	p.labels, _, _ = unstructured.NestedStringMap(k.obj.Object, "spec", "commonMetadata", "labels")
	p.annotations, _, _ = unstructured.NestedStringMap(k.obj.Object, "spec", "commonMetadata", "annotations")
	owner := map[string]string{ownerGroup + "/name": k.obj.GetName(), ownerGroup + "/namespace": k.obj.GetNamespace()}
	p.labels = merged(owner, p.labels) // commonMetadata is set after the owner labels
	pb, found, _ := unstructured.NestedMap(k.obj.Object, "spec", "postBuild")
	if !found {
		return p, nil
	}
	p.enabled, p.always = true, pb["substituteStrategy"] == "Always"
	at := readSettingLines(k.doc)
	vars := map[string]any{}
	refs, _, _ := unstructured.NestedSlice(pb, "substituteFrom")
	for i, ref := range refs {
		values, err := r.values(ctx, k, ref)
		if err != nil {
			return nil, err
		}
		for name, v := range values {
			vars[name] = strings.ReplaceAll(v, "\n", "")
			if i < len(at.from) {
				p.lines[name] = k.line - 1 + at.from[i]
			}
		}
	}
	inline, _, _ := unstructured.NestedStringMap(pb, "substitute")
	for name, v := range inline {
		vars[name] = strings.ReplaceAll(v, "\n", "")
		if line, ok := at.substitute[name]; ok {
			p.lines[name] = k.line - 1 + line
		}
	}
	p.subst = *k.obj.DeepCopy()
	_ = unstructured.SetNestedMap(p.subst.Object, vars, "spec", "postBuild", "substitute")
	unstructured.RemoveNestedField(p.subst.Object, "spec", "postBuild", "substituteFrom")
	return p, nil
}

// values reads one substituteFrom source; a missing optional one gives none.
func (r *Renderer) values(ctx context.Context, k *kustomization, ref any) (map[string]string, error) {
	m, _ := ref.(map[string]any)
	kind, _ := m["kind"].(string)
	name, _ := m["name"].(string)
	optional, _ := m["optional"].(bool)
	if kind != "ConfigMap" && kind != "Secret" {
		return nil, nil // Flux's API allows no other kind; kustomize-controller ignores one
	}
	var err error
	var values map[string]string
	if r.opts.Values == nil {
		err = fmt.Errorf("substituteFrom %s/%s: %w (gitgate reads no cluster here)", kind, name, ErrNotFound)
	} else {
		values, err = r.opts.Values.Values(ctx, kind, k.obj.GetNamespace(), name)
	}
	switch {
	case err == nil:
		logr.FromContextOrDiscard(ctx).V(1).Info("substituteFrom read", "kind", kind, "namespace", k.obj.GetNamespace(), "name", name, "keys", len(values))
		return values, nil
	case optional && errors.Is(err, ErrNotFound):
		logr.FromContextOrDiscard(ctx).V(1).Info("optional substituteFrom missing, skipped", "kind", kind, "namespace", k.obj.GetNamespace(), "name", name)
		return nil, nil
	}
	return nil, fmt.Errorf("substitute from '%s/%s': %w", kind, name, err)
}

// merged returns a copy of a with b's entries set over it (nil when both are empty).
func merged(a, b map[string]string) map[string]string {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
