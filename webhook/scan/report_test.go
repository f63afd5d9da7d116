package scan

import (
	"testing"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

func TestPolicyReports(t *testing.T) {
	rep := &Report{Commit: "abc", Findings: []Finding{
		{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "staging", Name: "a"}, Source: "k8s/a.yaml:1", Changes: []drift.Change{{Path: "data.x"}}},
		{Key: gitindex.Key{Group: "apps", Kind: "Deployment", Namespace: "staging", Name: "b"}, Source: "k8s/b.yaml:3", Missing: true},
		{Key: gitindex.Key{Kind: "Namespace", Name: "staging"}, Source: "k8s/ns.yaml:1", Changes: []drift.Change{{Path: "metadata.labels.x"}}},
	}}
	got := PolicyReports(rep, []string{"staging", "prod"})
	if len(got) != 3 {
		t.Fatalf("want reports for default, prod and staging, got %d", len(got))
	}
	byNS := map[string]int{}
	for _, r := range got {
		byNS[r.GetNamespace()] = len(r.Object["results"].([]any))
		if r.GetName() != ReportName || r.GroupVersionKind() != PolicyReportGVK {
			t.Errorf("unexpected report %s/%s %v", r.GetNamespace(), r.GetName(), r.GroupVersionKind())
		}
	}
	if byNS["staging"] != 2 || byNS["prod"] != 0 || byNS["default"] != 1 {
		t.Errorf("results per namespace = %v", byNS)
	}
}
