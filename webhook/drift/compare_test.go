package drift

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

var deployGVK = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}

func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := utiljson.Unmarshal(j, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

const gitDeploy = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: nginx, namespace: staging, labels: {app: nginx}}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports: [{containerPort: 80}]
        resources: {limits: {cpu: "0.5", memory: 128Mi}}
`

// live is git's object as the API server returns it: defaulted and with server noise.
const liveDeploy = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  namespace: staging
  labels: {app: nginx}
  uid: 123
  resourceVersion: "5"
  annotations: {deployment.kubernetes.io/revision: "1"}
spec:
  replicas: 3
  progressDeadlineSeconds: 600
  template:
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        imagePullPolicy: IfNotPresent
        ports: [{containerPort: 80, protocol: TCP}]
        resources: {limits: {cpu: 500m, memory: 128Mi}}
status: {replicas: 3}
`

func TestAgainst(t *testing.T) {
	c := New(NewBuiltinSchemas())
	tests := []struct {
		name  string
		patch func(m map[string]any)
		want  []string
	}{
		{"defaulted live object matches git", func(map[string]any) {}, nil},
		{"replicas drift", func(m map[string]any) { spec(m)["replicas"] = int64(5) }, []string{"spec.replicas"}},
		{"image drift", func(m map[string]any) { container(m)["image"] = "nginx:latest" }, []string{"spec.template.spec.containers[name=nginx].image"}},
		{"cpu by value", func(m map[string]any) { limits(m)["cpu"] = "0.5" }, nil},
		{"cpu drift", func(m map[string]any) { limits(m)["cpu"] = "1" }, []string{"spec.template.spec.containers[name=nginx].resources.limits.cpu"}},
		{"undeclared field ignored", func(m map[string]any) { spec(m)["paused"] = true }, nil},
		{"container removed", func(m map[string]any) {
			tmplSpec(m)["containers"] = []any{map[string]any{"name": "other", "image": "x"}}
		}, []string{
			"spec.template.spec.containers[name=nginx].image",
			"spec.template.spec.containers[name=nginx].name",
			"spec.template.spec.containers[name=nginx].ports[containerPort=80,protocol=TCP].containerPort",
			"spec.template.spec.containers[name=nginx].resources.limits.cpu",
			"spec.template.spec.containers[name=nginx].resources.limits.memory",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := obj(t, liveDeploy)
			tt.patch(live)
			var got []string
			for _, ch := range c.Against(deployGVK, live, obj(t, gitDeploy)) {
				got = append(got, ch.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Against paths (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	c := New(NewBuiltinSchemas())
	tests := []struct {
		name  string
		patch func(m map[string]any)
		want  []Change
	}{
		{"no-op", func(map[string]any) {}, nil},
		{"server noise only", func(m map[string]any) {
			meta(m)["resourceVersion"] = "6"
			meta(m)["annotations"].(map[string]any)["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
			m["status"] = map[string]any{"replicas": int64(1)}
		}, nil},
		{"scale up", func(m map[string]any) { spec(m)["replicas"] = int64(5) }, []Change{
			{Path: "spec.replicas", Declared: true, Git: int64(3), Old: int64(3), New: int64(5)},
		}},
		{"new label undeclared", func(m map[string]any) { meta(m)["labels"].(map[string]any)["team"] = "x" }, []Change{
			{Path: "metadata.labels.team", New: "x"},
		}},
		{"annotation with dots", func(m map[string]any) {
			meta(m)["annotations"].(map[string]any)["example.com/x"] = "y"
		}, []Change{{Path: `metadata.annotations["example.com/x"]`, New: "y"}}},
		{"reordered ports are no change", func(m map[string]any) {
			container(m)["ports"] = []any{map[string]any{"containerPort": int64(80), "protocol": "TCP"}}
		}, nil},
		{"new port", func(m map[string]any) {
			container(m)["ports"] = append(container(m)["ports"].([]any), map[string]any{"containerPort": int64(443), "protocol": "TCP"})
		}, []Change{
			{Path: "spec.template.spec.containers[name=nginx].ports[containerPort=443,protocol=TCP].containerPort", New: int64(443)},
			{Path: "spec.template.spec.containers[name=nginx].ports[containerPort=443,protocol=TCP].protocol", New: "TCP"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, new := obj(t, liveDeploy), obj(t, liveDeploy)
			tt.patch(new)
			got := c.Diff(deployGVK, old, new, obj(t, gitDeploy))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	quantity := node{named: quantityType}
	ios := node{named: intOrStringType}
	tests := []struct {
		n    node
		a, b any
		want bool
	}{
		{node{}, nil, "", true},
		{node{}, nil, map[string]any{}, true},
		{node{}, int64(3), float64(3), true},
		{node{}, int64(3), "3", false},
		{quantity, "0.5", "500m", true},
		{quantity, "1Gi", "1024Mi", true},
		{quantity, "1", "2", false},
		{ios, int64(80), "80", true},
		{ios, "25%", "25%", true},
		{node{}, []any{"a", "b"}, []any{"b", "a"}, false},
	}
	for _, tt := range tests {
		if got := equalAs(tt.n, tt.a, tt.b); got != tt.want {
			t.Errorf("equalAs(%q, %v, %v) = %v, want %v", tt.n.named, tt.a, tt.b, got, tt.want)
		}
	}
}

func meta(m map[string]any) map[string]any { return m["metadata"].(map[string]any) }
func spec(m map[string]any) map[string]any { return m["spec"].(map[string]any) }
func tmplSpec(m map[string]any) map[string]any {
	return spec(m)["template"].(map[string]any)["spec"].(map[string]any)
}
func container(m map[string]any) map[string]any {
	return tmplSpec(m)["containers"].([]any)[0].(map[string]any)
}
func limits(m map[string]any) map[string]any {
	return container(m)["resources"].(map[string]any)["limits"].(map[string]any)
}
