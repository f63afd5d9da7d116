package manifests

import (
	"testing"

	"helm.sh/helm/v3/pkg/action"
)

// `helm lint --strict chart/gitgate` passes: no error and no warning, with the
// default values and with every optional part switched on.
func TestChartLintStrict(t *testing.T) {
	for _, c := range []struct {
		name   string
		values map[string]any
	}{
		{name: "defaults"},
		{name: "everything on", values: map[string]any{
			"certificates":   map[string]any{"mode": "cert-manager"},
			"prometheusRule": map[string]any{"enabled": true},
			"serviceMonitor": map[string]any{"enabled": true, "prometheusServiceAccount": map[string]any{"name": "prometheus", "namespace": "monitoring"}},
			"repo":           map[string]any{"credentials": map[string]any{"secretName": "git", "usernameKey": "username"}},
		}},
		{name: "flux applies", values: map[string]any{
			"applier":   map[string]any{"enabled": false},
			"syncUsers": []any{"system:serviceaccount:flux-system:kustomize-controller"},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lint := action.NewLint()
			lint.Strict = true
			lint.Namespace = "gitgate-system"
			res := lint.Run([]string{chartDir}, c.values)
			for _, m := range res.Messages {
				t.Logf("lint: %s", m)
			}
			if len(res.Errors) > 0 || action.HasWarningsOrErrors(res) {
				t.Errorf("helm lint --strict: %v", res.Errors)
			}
			if res.TotalChartsLinted != 1 {
				t.Errorf("charts linted: %d, want 1", res.TotalChartsLinted)
			}
		})
	}
}
