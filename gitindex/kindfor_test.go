package gitindex

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

const irregularCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: wdgts.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: wdgts, singular: widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`

// KindFor answers from the commit's CRDs only: an irregular plural is found by
// its real name, never by the guessed one, and built-in resources are left to
// discovery.
func TestKindForUsesCRDPluralsOnly(t *testing.T) {
	snap, err := Build("c1", []File{
		{Path: "crd.yaml", Data: []byte(irregularCRD)},
		{Path: "w.yaml", Data: []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: apps}\n")},
		{Path: "d.yaml", Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: apps}\n")},
	}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		resource schema.GroupResource
		wantKind string
		wantOK   bool
	}{
		{name: "irregular plural from the CRD", resource: schema.GroupResource{Group: "example.com", Resource: "wdgts"}, wantKind: "Widget", wantOK: true},
		{name: "guessed plural is not a resource", resource: schema.GroupResource{Group: "example.com", Resource: "widgets"}},
		{name: "built-in kinds are discovery's", resource: schema.GroupResource{Group: "apps", Resource: "deployments"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, ok := snap.KindFor(tt.resource)
			if kind != tt.wantKind || ok != tt.wantOK {
				t.Errorf("KindFor(%v) = %q, %v; want %q, %v", tt.resource, kind, ok, tt.wantKind, tt.wantOK)
			}
		})
	}
}
