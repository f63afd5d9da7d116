package drift

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex"
)

func TestUnowned(t *testing.T) {
	hpa := gitindex.Ownership{Paths: []string{"spec.replicas"}, Bounded: true, Min: 2, Max: 5}
	ca := gitindex.Ownership{Paths: []string{"webhooks[*].clientConfig.caBundle"}}
	tests := []struct {
		name    string
		owners  []gitindex.Ownership
		changes []Change
		want    []string // paths left
	}{
		{name: "no owners: every change", changes: []Change{{Path: "spec.replicas", New: int64(4)}}, want: []string{"spec.replicas"}},
		{name: "within the range: the owner's", owners: []gitindex.Ownership{hpa}, changes: []Change{{Path: "spec.replicas", New: int64(4)}}},
		{name: "outside the range: drift", owners: []gitindex.Ownership{hpa}, changes: []Change{{Path: "spec.replicas", New: int64(9)}}, want: []string{"spec.replicas"}},
		{name: "another path: drift", owners: []gitindex.Ownership{hpa}, changes: []Change{{Path: "spec.paused", New: true}}, want: []string{"spec.paused"}},
		{name: "every webhook's caBundle, not its service", owners: []gitindex.Ownership{ca}, changes: []Change{
			{Path: "webhooks[name=a.example.com].clientConfig.caBundle", New: "Zm9v"},
			{Path: "webhooks[name=b.example.com].clientConfig.caBundle", New: "YmFy"},
			{Path: "webhooks[name=a.example.com].clientConfig.service.path", New: "/x"},
		}, want: []string{"webhooks[name=a.example.com].clientConfig.service.path"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range Unowned(tt.changes, tt.owners) {
				got = append(got, c.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("paths left (-want +got):\n%s", diff)
			}
		})
	}
}

// A webhook rule's scope is defaulted to "*" inside the atomic rules list: a
// live webhook configuration as the API server stores git's is no drift.
func TestWebhookRuleScopeDefault(t *testing.T) {
	git := "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: hooks}\n" +
		"webhooks: [{name: a.example.com, rules: [{apiGroups: [x], apiVersions: [v1], resources: [y], operations: [CREATE]}]}]\n"
	tests := []struct {
		name  string
		scope string
		want  []string
	}{
		{name: "the default scope", scope: "'*'"},
		{name: "another scope", scope: "Namespaced", want: []string{"webhooks[name=a.example.com].rules"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var desired, live map[string]any
			if err := yaml.Unmarshal([]byte(git), &desired); err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal([]byte(strings.Replace(git, "operations: [CREATE]", "operations: [CREATE], scope: "+tt.scope, 1)), &live); err != nil {
				t.Fatal(err)
			}
			c := New(NewBuiltinSchemas())
			gvk := schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "ValidatingWebhookConfiguration"}
			var got []string
			for _, ch := range c.Against(live, c.Desire(gvk, desired)) {
				got = append(got, ch.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("drift (-want +got):\n%s", diff)
			}
		})
	}
}
