package webhook

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

func TestReasonLines(t *testing.T) {
	in := &input{req: &admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{Operation: admissionv1.Update}},
		key: gitindex.Key{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web"}}
	long := strings.Repeat("x", 70)
	managed := `metadata.labels["gitgate.dev/managed"]`
	cases := []struct {
		name       string
		forbidden  []drift.Change
		violations []drift.Change
		want       []string
	}{
		{name: "declared label removed",
			violations: []drift.Change{{Path: "metadata.labels.app", Declared: true, Git: "web", Old: "web"}},
			want:       []string{`metadata.labels.app: git has "web", request removes it`}},
		{name: "undeclared field removed",
			violations: []drift.Change{{Path: "metadata.labels.team", Old: "red"}},
			want:       []string{"metadata.labels.team: not declared in git (strict mode), request removes it"}},
		{name: "gitgate's own label removed: once, as removed",
			forbidden:  []drift.Change{{Path: managed, Old: "true"}},
			violations: []drift.Change{{Path: managed, Declared: true, Git: "true", Old: "true"}},
			want:       []string{managed + ": removed; only gitgate's sync identity may change gitgate.dev/ labels and annotations"}},
		{name: "list compared whole: the differing item and field",
			violations: []drift.Change{{Path: "spec.rules", Declared: true,
				Git: []any{map[string]any{"host": "a", "http": map[string]any{"paths": []any{map[string]any{"path": "/", "pathType": "Prefix"}}}}},
				New: []any{map[string]any{"host": "a", "http": map[string]any{"paths": []any{map[string]any{"path": "/", "pathType": "Exact"}}}}}}},
			want: []string{`spec.rules: differs at spec.rules[0].http.paths[0].pathType: git has "Prefix", request has "Exact"`}},
		{name: "named items",
			violations: []drift.Change{{Path: "spec.versions", Declared: true,
				Git: []any{map[string]any{"name": "v1", "served": true}}, New: []any{map[string]any{"name": "v1", "served": false}}}},
			want: []string{"spec.versions: differs at spec.versions[name=v1].served: git has true, request has false"}},
		{name: "an item only git has",
			violations: []drift.Change{{Path: "rules", Declared: true, Git: []any{"a", "b"}, New: []any{"a"}}},
			want:       []string{`rules: differs at rules[1]: git has "b", request has (absent)`}},
		{name: "long strings shown where they differ",
			violations: []drift.Change{{Path: "data.script", Declared: true, Git: long + "-git", New: long + "-new"}},
			want:       []string{`data.script: git has ..."` + long[:14] + `-git", request has ..."` + long[:14] + `-new"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := reasonLines(in, &verdict{forbidden: tc.forbidden, violations: tc.violations}, false)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAdviceNamesPolicyPath(t *testing.T) {
	in := &input{req: &admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{Operation: admissionv1.Create}},
		key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "x"}}
	cases := []struct{ policyPath, want string }{
		{policyPath: "rego/exceptions", want: "Add it to git (namespace shop is managed by repo), or add an exception under rego/exceptions/."},
		{policyPath: "", want: "Add it to git (namespace shop is managed by repo), or add an exception under policies/."},
	}
	for _, tc := range cases {
		rev := &Revision{Snapshot: &gitindex.Snapshot{Repo: "repo", PolicyPath: tc.policyPath}}
		if got := advice(rev, in, &verdict{notInGit: true}, ""); got != tc.want {
			t.Errorf("advice with policy path %q = %q, want %q", tc.policyPath, got, tc.want)
		}
	}
}
