package drift

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/client-go/openapi3"
)

// OpenAPISchemas resolves schemas from the API server's OpenAPI v3 document, one
// GroupVersion at a time and only when asked (Config Sync runs out of memory
// loading every schema at once). It covers custom resources: their list-map keys
// (x-kubernetes-list-map-keys) and list types come from the CRD's schema.
//
// It is a fetcher, not what a comparison reads: Resolve fetches what is missing
// (I/O, off the request path) and returns a fixed SchemaSet for one revision.
// What it fetched is kept for later revisions.
type OpenAPISchemas struct {
	root  openapi3.Root
	cache sync.Map // schema.GroupVersionKind → Type
	gvs   sync.Map // schema.GroupVersion → struct{} (fetched or failed)
}

// NewOpenAPISchemas returns a resolver reading from root (e.g.
// openapi3.NewRoot(discoveryClient.OpenAPIV3())).
func NewOpenAPISchemas(root openapi3.Root) *OpenAPISchemas { return &OpenAPISchemas{root: root} }

// Resolve fetches the schemas of gvks not fetched yet and returns those it has,
// as a set that never changes. Kinds whose GroupVersion is not served (yet) are
// left out; they are asked for again on the next call.
func (o *OpenAPISchemas) Resolve(gvks []schema.GroupVersionKind) SchemaSet {
	o.prefetch(gvks)
	set := SchemaSet{}
	for _, gvk := range gvks {
		if v, ok := o.cache.Load(gvk); ok {
			set[gvk] = v.(Type)
		}
	}
	return set
}

// prefetch loads the schemas of the given kinds' GroupVersions that are not cached
// yet. It does I/O. Failures leave kinds out.
func (o *OpenAPISchemas) prefetch(gvks []schema.GroupVersionKind) {
	byGV := map[schema.GroupVersion][]schema.GroupVersionKind{}
	for _, gvk := range gvks {
		if _, done := o.gvs.Load(gvk.GroupVersion()); !done {
			byGV[gvk.GroupVersion()] = append(byGV[gvk.GroupVersion()], gvk)
		}
	}
	for gv, kinds := range byGV {
		conv, err := o.converter(gv)
		if err != nil {
			continue // not served (yet): asked again on the next Resolve
		}
		o.gvs.Store(gv, struct{}{})
		for _, gvk := range kinds {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			if tv, err := conv.ObjectToTyped(u); err == nil {
				o.cache.Store(gvk, Type{schema: tv.Schema(), root: tv.TypeRef()})
			}
		}
	}
}

func (o *OpenAPISchemas) converter(gv schema.GroupVersion) (managedfields.TypeConverter, error) {
	doc, err := o.root.GVSpec(gv)
	if err != nil {
		return nil, err
	}
	if doc.Components == nil {
		return nil, fmt.Errorf("OpenAPI v3 of %s has no components", gv)
	}
	return managedfields.NewTypeConverter(doc.Components.Schemas, false)
}
