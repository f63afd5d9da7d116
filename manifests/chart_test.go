package manifests

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// helmLabels are the labels the chart adds to every object's metadata. They
// exist only in a Helm release (its chart, release and the managing tool), so
// the kustomize base cannot carry them.
var helmLabels = []string{"helm.sh/chart", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "app.kubernetes.io/version"}

// withoutHelmLabels returns the objects with helmLabels removed from each
// object's own metadata (not from selectors or pod templates, which the chart
// leaves as the base has them), and an emptied labels map removed.
func withoutHelmLabels(in objects) objects {
	out := objects{}
	for k, o := range in {
		md, _ := o["metadata"].(map[string]any)
		if labels, ok := md["labels"].(map[string]any); ok {
			for _, l := range helmLabels {
				delete(labels, l)
			}
			if len(labels) == 0 {
				delete(md, "labels")
			}
		}
		out[k] = o
	}
	return out
}

// withoutBlankLinesInCEL returns the objects with every empty line removed from
// the webhooks' matchConditions expressions. kustomize re-serialises a folded
// block scalar (expression: >-) whose lines are more indented than its first
// with an extra line break after the first line; the YAML file itself, and the
// chart, have none. CEL ignores line breaks, so the API server compiles the same
// expression either way.
func withoutBlankLinesInCEL(in objects) objects {
	for _, o := range in {
		webhooks, _ := o["webhooks"].([]any)
		for _, w := range webhooks {
			conds, _ := w.(map[string]any)["matchConditions"].([]any)
			for _, c := range conds {
				c := c.(map[string]any)
				expr, _ := c["expression"].(string)
				for strings.Contains(expr, "\n\n") {
					expr = strings.ReplaceAll(expr, "\n\n", "\n")
				}
				c["expression"] = expr
			}
		}
	}
	return in
}

// The chart with its default values, released as gitgate into gitgate-system
// (README's helm install), installs exactly the objects `kubectl apply -k
// manifests/` installs, field by field. Two differences are normalised, no more:
//   - the base's Namespace is not in the chart: Helm creates the release
//     namespace (--create-namespace) and keeps its release record there before
//     anything renders, so a chart cannot own its own namespace;
//   - helmLabels on the chart's objects (see there);
//   - blank lines in CEL expressions (see withoutBlankLinesInCEL).
func TestChartDefaultsEqualKustomizeBase(t *testing.T) {
	base := renderKustomize(t, ".")
	ns := base["Namespace//gitgate-system"]
	if ns == nil {
		t.Fatalf("the base has no Namespace gitgate-system; its objects: %v", slices.Sorted(maps.Keys(base)))
	}
	delete(base, "Namespace//gitgate-system")
	chart, err := renderChart(t, "gitgate", "gitgate-system", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(withoutBlankLinesInCEL(base), withoutBlankLinesInCEL(withoutHelmLabels(chart))); diff != "" {
		t.Errorf("chart (+) differs from kustomize base (-):\n%s", diff)
	}
	if len(chart) < 20 {
		t.Errorf("only %d objects rendered: %v", len(chart), slices.Sorted(maps.Keys(chart)))
	}
}

// With prometheusRule.enabled the chart adds the alerts of
// manifests/monitoring/prometheusrule.yaml, unchanged.
func TestChartPrometheusRuleEqualsMonitoring(t *testing.T) {
	want := readObjects(t, "monitoring/prometheusrule.yaml")
	chart, err := renderChart(t, "gitgate", "gitgate-system", map[string]any{"prometheusRule": map[string]any{"enabled": true}})
	if err != nil {
		t.Fatal(err)
	}
	got := objects{}
	for k, o := range withoutHelmLabels(chart) {
		if o["kind"] == "PrometheusRule" {
			got[k] = o
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chart's PrometheusRule (+) differs from monitoring/prometheusrule.yaml (-):\n%s", diff)
	}
}
