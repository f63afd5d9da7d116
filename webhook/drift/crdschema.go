package drift

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	openapispec "k8s.io/kube-openapi/pkg/validation/spec"
)

// NewCRDSchemas resolves the schemas of custom resources from
// CustomResourceDefinitions (decoded objects, as git declares them): their
// list-map keys and list types come from each served version's
// openAPIV3Schema, as the API server's OpenAPI document would give them. It is
// for where no API server is asked (`gitgate check`); versions whose schema
// cannot be read stay structural.
func NewCRDSchemas(crds []map[string]any) SchemaSet {
	m := SchemaSet{}
	for _, crd := range crds {
		for gvk, s := range versionSchemas(crd) {
			if t, err := typeOf(gvk, s); err == nil {
				m[gvk] = t
			}
		}
	}
	return m
}

// SchemaSet is a fixed set of resolved schemas: what one revision compares
// with, never changed once built (so a revision judges a kind the same way for
// its whole life).
type SchemaSet map[schema.GroupVersionKind]Type

// Type implements Schemas.
func (m SchemaSet) Type(gvk schema.GroupVersionKind) Type { return m[gvk] }

// versionSchemas reads each version's openAPIV3Schema of a CRD.
func versionSchemas(crd map[string]any) map[schema.GroupVersionKind]*openapispec.Schema {
	out := map[schema.GroupVersionKind]*openapispec.Schema{}
	s, _ := crd["spec"].(map[string]any)
	group, _ := s["group"].(string)
	names, _ := s["names"].(map[string]any)
	kind, _ := names["kind"].(string)
	versions, _ := s["versions"].([]any)
	for _, v := range versions {
		vm, _ := v.(map[string]any)
		name, _ := vm["name"].(string)
		validation, _ := vm["schema"].(map[string]any)
		raw, ok := validation["openAPIV3Schema"]
		if name == "" || kind == "" || !ok {
			continue
		}
		data, err := json.Marshal(raw)
		if err != nil {
			continue
		}
		var sch openapispec.Schema
		if json.Unmarshal(data, &sch) == nil {
			out[schema.GroupVersionKind{Group: group, Version: name, Kind: kind}] = &sch
		}
	}
	return out
}

// typeOf builds the structural Type of one kind from its schema.
func typeOf(gvk schema.GroupVersionKind, s *openapispec.Schema) (Type, error) {
	for name, typ := range map[string]string{"apiVersion": "string", "kind": "string", "metadata": "object"} {
		if _, ok := s.Properties[name]; !ok { // the API server adds them to every CRD's schema
			s.SetProperty(name, *new(openapispec.Schema).Typed(typ, ""))
		}
	}
	s.AddExtension("x-kubernetes-group-version-kind", []any{
		map[string]any{"group": gvk.Group, "version": gvk.Version, "kind": gvk.Kind},
	})
	conv, err := managedfields.NewTypeConverter(map[string]*openapispec.Schema{gvk.String(): s}, false)
	if err != nil {
		return Type{}, fmt.Errorf("schema of %s: %w", gvk, err)
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	tv, err := conv.ObjectToTyped(u)
	if err != nil {
		return Type{}, fmt.Errorf("schema of %s: %w", gvk, err)
	}
	return Type{schema: tv.Schema(), root: tv.TypeRef()}, nil
}
