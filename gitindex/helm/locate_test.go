package helm

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSourceOf(t *testing.T) {
	src, obj := readRelease(t, nil)
	values := clusterValues{"ConfigMap/apps/web-values": {"extra.yaml": []byte("color: red\n")}, "Secret/apps/web-secret": {"tag": []byte("1.29")}}
	res, err := Render(t.Context(), Input{Files: dirFiles("testdata"), Source: src, Object: obj, DefaultNamespace: "default"}, Options{Values: values})
	if err != nil {
		t.Fatal(err)
	}
	settings, deploy := res.Objects[0].Locator, res.Objects[1].Locator
	type at struct {
		File string
		Line int
	}
	tests := []struct {
		name   string
		loc    *Locator
		fields []string
		value  any
		want   at
	}{
		{name: "spec.values of the HelmRelease", loc: deploy, fields: []string{"spec", "replicas"}, value: int64(3), want: at{"k8s/release.yaml", 26}},
		{name: "the valuesFrom entry that set it last", loc: deploy, fields: []string{"spec", "template", "spec", "containers", "image"}, value: "nginx:1.29", want: at{"k8s/release.yaml", 20}},
		{name: "a valuesFrom ConfigMap", loc: settings, fields: []string{"data", "color"}, value: "red", want: at{"k8s/release.yaml", 17}},
		{name: "a literal in the template", loc: settings, fields: []string{"data", "mode"}, value: "fixed", want: at{"charts/app/templates/configmap.yaml", 8}},
		{name: "a label among others by its parents", loc: deploy, fields: []string{"spec", "template", "metadata", "labels", "app"}, value: "shop-web-app", want: at{"charts/app/templates/deployment.yaml", 15}},
		{name: "the deepest part the template names", loc: deploy, fields: []string{"spec", "strategy", "type"}, value: "Recreate", want: at{"charts/app/templates/deployment.yaml", 7}},
		{name: "nothing the template names", loc: deploy, fields: []string{"status"}, want: at{"charts/app/templates/deployment.yaml", 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, line := tt.loc.SourceOf(tt.fields, tt.value)
			if diff := cmp.Diff(tt.want, at{file, line}); diff != "" {
				t.Errorf("SourceOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSourceOfChartDefault(t *testing.T) {
	src, obj := readRelease(t, func(o map[string]any) {
		spec := o["spec"].(map[string]any)
		delete(spec, "valuesFrom")
		delete(spec, "values")
	})
	res, err := Render(t.Context(), Input{Files: dirFiles("testdata"), Source: src, Object: obj, DefaultNamespace: "default"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	file, line := res.Objects[1].Locator.SourceOf([]string{"spec", "replicas"}, int64(1))
	if file != "charts/app/values.yaml" || line != 1 {
		t.Errorf("SourceOf = %s:%d, want charts/app/values.yaml:1", file, line)
	}
}

func TestSplitDocuments(t *testing.T) {
	got := splitDocuments([]byte("a: 1\n---\nb: 2\nc: 3\n--- \nd: 4\n"))
	want := []document{{line: 1, text: []byte("a: 1\n")}, {line: 3, text: []byte("b: 2\nc: 3\n")}, {line: 6, text: []byte("d: 4\n")}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(document{})); diff != "" {
		t.Errorf("splitDocuments (-want +got):\n%s", diff)
	}
}
