package webhook

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	clienttesting "k8s.io/client-go/testing"
)

func TestDiscoveryKinds(t *testing.T) {
	disc := &fakediscovery.FakeDiscovery{Fake: &clienttesting.Fake{Resources: []*metav1.APIResourceList{{
		GroupVersion: "plural.example.com/v1",
		APIResources: []metav1.APIResource{{Name: "wdgts", Kind: "Widget"}, {Name: "wdgts/scale", Kind: "Scale"}},
	}}}}
	k := NewDiscoveryKinds(disc)
	wdgts := schema.GroupResource{Group: "plural.example.com", Resource: "wdgts"}
	if kind, ok := k.KindFor(wdgts); ok {
		t.Fatalf("before a refresh: %q", kind)
	}
	select {
	case <-k.miss:
	default:
		t.Fatal("a miss did not ask for a refresh")
	}
	if err := k.Refresh(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		resource schema.GroupResource
		wantKind string
		wantOK   bool
	}{
		{name: "served resource", resource: wdgts, wantKind: "Widget", wantOK: true},
		{name: "guessed plural is no resource", resource: schema.GroupResource{Group: "plural.example.com", Resource: "widgets"}},
		{name: "subresources are not resources", resource: schema.GroupResource{Group: "plural.example.com", Resource: "wdgts/scale"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, ok := k.KindFor(tt.resource)
			if kind != tt.wantKind || ok != tt.wantOK {
				t.Errorf("KindFor(%v) = %q, %v; want %q, %v", tt.resource, kind, ok, tt.wantKind, tt.wantOK)
			}
		})
	}
}
