package gitindex

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const multiDoc = `# leading comment
apiVersion: v1
kind: Namespace
metadata:
  name: staging
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
spec:
  replicas: 3
---
# only a comment
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a, namespace: other}
`

func TestBuild(t *testing.T) {
	snap, err := Build("abc1234def", []File{
		{Path: "k8s/all.yaml", Data: []byte(multiDoc)},
		{Path: "k8s/secret.json", Data: []byte(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"stringData":{"k":"v"}}`)},
		{Path: "k8s/values.yaml", Data: []byte("replicaCount: 2\n")},
		{Path: "policies/a.rego", Data: []byte("package gitgate\n")},
		{Path: "docs/x.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ignored}\n")},
		{Path: ConfigFile, Data: []byte("namespaces:\n  staging: {mode: warn}\n")},
	}, BuildOptions{Paths: []string{"k8s"}, DefaultNamespace: "apps"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range snap.Objects() {
		got = append(got, o.Key.String()+" @ "+o.Source())
	}
	want := []string{
		"Namespace staging @ k8s/all.yaml:2",
		"Deployment.apps apps/nginx @ k8s/all.yaml:7",
		"ConfigMap other/a @ k8s/all.yaml:19", // the item's own line
		"Secret apps/s @ k8s/secret.json:1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	sec, _ := snap.Lookup(Key{Kind: "Secret", Namespace: "apps", Name: "s"})
	if diff := cmp.Diff(map[string]any{"k": "dg=="}, sec.Object["data"]); diff != "" || sec.Object["stringData"] != nil {
		t.Errorf("stringData not folded into data: %v", sec.Object)
	}
	if !snap.Governs("staging") || !snap.Governs("apps") || snap.Governs("kube-system") {
		t.Error("Governs wrong")
	}
	if kind, ok := snap.KindFor(schema.GroupResource{Group: "apps", Resource: "deployments"}); ok {
		t.Errorf("KindFor(deployments) = %q, want not found (no CRD names it; discovery does)", kind)
	}
	if snap.Config.ModeFor("staging") != "warn" || len(snap.Policies) != 1 || len(snap.Warnings) != 1 {
		t.Errorf("config %v, policies %v, warnings %v", snap.Config, snap.Policies, snap.Warnings)
	}
}

func TestBuildRejects(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"broken YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n", []string{"k8s/x.yaml:1: invalid YAML"}},
		{"missing kind", "apiVersion: v1\nmetadata: {name: a}\n", []string{"k8s/x.yaml:1: missing kind"}},
		{"missing name", "apiVersion: v1\nkind: ConfigMap\n", []string{"without metadata.name"}},
		{"duplicate", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
			[]string{"k8s/x.yaml:5: duplicate ConfigMap default/a (also declared at k8s/x.yaml:1)"}},
		{"namespace on cluster-scoped kind", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, namespace: b}\n", []string{"cluster-scoped"}},
		{"every problem is named", "apiVersion: v1\nmetadata: {name: a}\n---\nkind: X\n", []string{"k8s/x.yaml:1: missing kind", "k8s/x.yaml:4: missing apiVersion"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build("c0ffee", []File{{Path: "k8s/x.yaml", Data: []byte(tt.data)}}, BuildOptions{})
			var be *BuildError
			if !errors.As(err, &be) {
				t.Fatalf("want *BuildError, got %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestBuildCRDScope(t *testing.T) {
	crd := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {kind: Widget, plural: widgets}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
`
	snap, err := Build("c", []File{{Path: "crd.yaml", Data: []byte(crd)}}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.Lookup(Key{Group: "example.com", Kind: "Widget", Name: "w"}); !ok {
		t.Error("cluster-scoped custom resource not indexed without namespace")
	}
}

func FuzzBuild(f *testing.F) {
	f.Add([]byte(multiDoc))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [1, {kind: X}]\n"))
	f.Add([]byte("{\"apiVersion\": 1, \"kind\": []}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		snap, err := Build("c", []File{{Path: "x.yaml", Data: data}}, BuildOptions{})
		if err == nil && snap == nil {
			t.Fatal("nil snapshot without error")
		}
		if err != nil {
			return
		}
		for _, o := range snap.Objects() {
			o.LineOf("metadata.name")
		}
		again, err := Build("d", []File{{Path: "x.yaml", Data: data}}, BuildOptions{Previous: snap})
		if err != nil || again.Len() != snap.Len() {
			t.Fatalf("rebuild with the previous snapshot: %v, %d objects, want %d", err, again.Len(), snap.Len())
		}
	})
}

func TestLineOf(t *testing.T) {
	doc := `# header
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    example.com/x: "1"
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: sidecar
        image: busybox
      - name: web
        image: nginx:1.21
        ports:
        - containerPort: 80
`
	snap, err := Build("c", []File{{Path: "d.yaml", Data: []byte(doc)}}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o, _ := snap.Lookup(Key{Group: "apps", Kind: "Deployment", Namespace: "default", Name: "web"})
	for path, want := range map[string]int{
		"":              3,
		"spec.replicas": 10,
		"spec.template.spec.containers[name=web].image":                                              17,
		"spec.template.spec.containers[name=web].ports[containerPort=80,protocol=TCP].containerPort": 19,
		`metadata.annotations["example.com/x"]`:                                                      8,
		"spec.paused":                                                                                9,
	} {
		if got := o.LineOf(path); got != want {
			t.Errorf("LineOf(%q) = %d, want %d", path, got, want)
		}
	}
}
