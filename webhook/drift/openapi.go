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
// Type never fetches: the request path does no I/O. A kind not fetched yet resolves
// to the zero Type (structural comparison) and Prefetch, called when a new snapshot
// loads, fills the cache in the background.
type OpenAPISchemas struct {
	root  openapi3.Root
	cache sync.Map // schema.GroupVersionKind → Type
	gvs   sync.Map // schema.GroupVersion → struct{} (fetched or failed)
}

// NewOpenAPISchemas returns a resolver reading from root (e.g.
// openapi3.NewRoot(discoveryClient.OpenAPIV3())).
func NewOpenAPISchemas(root openapi3.Root) *OpenAPISchemas { return &OpenAPISchemas{root: root} }

// Type implements Schemas from the cache only.
func (o *OpenAPISchemas) Type(gvk schema.GroupVersionKind) Type {
	if v, ok := o.cache.Load(gvk); ok {
		return v.(Type)
	}
	return Type{}
}

// Prefetch loads the schemas of the given kinds' GroupVersions that are not cached
// yet. It does I/O: call it off the request path. Failures leave kinds structural.
func (o *OpenAPISchemas) Prefetch(gvks []schema.GroupVersionKind) {
	byGV := map[schema.GroupVersion][]schema.GroupVersionKind{}
	for _, gvk := range gvks {
		if _, done := o.gvs.Load(gvk.GroupVersion()); !done {
			byGV[gvk.GroupVersion()] = append(byGV[gvk.GroupVersion()], gvk)
		}
	}
	for gv, kinds := range byGV {
		conv, err := o.converter(gv)
		if err != nil {
			continue // not served (yet): retried on the next Prefetch
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
