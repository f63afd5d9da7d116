package gitindex

import (
	"strings"
	"testing"

	"github.com/gitgate-dev/gitgate/gitindex/helm"
)

func TestBuildReusesCharts(t *testing.T) {
	values := fakeValues{"ConfigMap/apps/web-values": {"values.yaml": []byte("color: red\n")}}
	noValuesFrom := func(files []File) []File {
		out := append([]File(nil), files...)
		for i, f := range out {
			if f.Path == "k8s/release.yaml" {
				text := strings.Replace(string(f.Data), "  valuesFrom:\n    - kind: ConfigMap\n      name: web-values\n", "", 1)
				out[i] = File{Path: f.Path, Data: []byte(text)}
			}
		}
		return out
	}
	tests := []struct {
		name      string
		first     []File
		next      []File
		wantReuse bool
	}{
		{name: "nothing it renders from changed", first: noValuesFrom(chartCommit("charts/app")),
			next: noValuesFrom(chartCommit("charts/app", "k8s/other.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n")), wantReuse: true},
		{name: "a template changed", first: noValuesFrom(chartCommit("charts/app")),
			next: noValuesFrom(chartCommit("charts/app", "charts/app/templates/_helpers.tpl", "{{/* changed */}}\n"))},
		{name: "a file added to the chart", first: noValuesFrom(chartCommit("charts/app")),
			next: noValuesFrom(chartCommit("charts/app", "charts/app/files/extra.txt", "x\n"))},
		{name: "values from the cluster", first: chartCommit("charts/app"), next: chartCommit("charts/app")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := BuildOptions{Paths: []string{"k8s"}, Helm: helm.Options{Values: values}}
			first, err := Build("abc1234", tt.first, opts)
			if err != nil {
				t.Fatal(err)
			}
			opts.Previous = first
			next, err := Build("def5678", tt.next, opts)
			if err != nil {
				t.Fatal(err)
			}
			key := Key{Group: "apps", Kind: "Deployment", Namespace: "apps", Name: "web-app"}
			a, _ := first.Lookup(key)
			b, ok := next.Lookup(key)
			if !ok {
				t.Fatal("the rendered Deployment is missing from the next snapshot")
			}
			if reused := a == b; reused != tt.wantReuse {
				t.Errorf("reused = %v, want %v", reused, tt.wantReuse)
			}
		})
	}
}
