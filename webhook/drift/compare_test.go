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

// liveDeploy is git's object as the API server stores it after the applier's
// server-side apply: defaulted, with server noise and the controller's annotation.
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
  managedFields:
  - manager: gitgate
    operation: Apply
    fieldsV1: {"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}
  - manager: kube-controller-manager
    operation: Update
    fieldsV1: {"f:metadata": {"f:annotations": {".": {}, "f:deployment.kubernetes.io/revision": {}}}}
spec:
  replicas: 3
  progressDeadlineSeconds: 600
  revisionHistoryLimit: 10
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
  template:
    spec:
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
      containers:
      - name: nginx
        image: nginx:1.14.2
        imagePullPolicy: IfNotPresent
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
        ports: [{containerPort: 80, protocol: TCP}]
        resources: {limits: {cpu: 500m, memory: 128Mi}}
status: {replicas: 3}
`

func TestAgainst(t *testing.T) {
	c := New(NewBuiltinSchemas())
	d := c.Desire(deployGVK, obj(t, gitDeploy))
	tests := []struct {
		name     string
		patch    func(m map[string]any)
		entitled []string
		want     []string
	}{
		{name: "defaulted live object matches git", entitled: ClusterManagers},
		{name: "controller annotation is the webhook's drift", want: []string{`metadata.annotations["deployment.kubernetes.io/revision"]`}},
		{name: "replicas drift", entitled: ClusterManagers, patch: func(m map[string]any) { spec(m)["replicas"] = int64(5) }, want: []string{"spec.replicas"}},
		{name: "image drift", entitled: ClusterManagers, patch: func(m map[string]any) { container(m)["image"] = "nginx:latest" },
			want: []string{"spec.template.spec.containers[name=nginx].image"}},
		{name: "cpu by value", entitled: ClusterManagers, patch: func(m map[string]any) { limits(m)["cpu"] = "0.5" }},
		{name: "cpu drift", entitled: ClusterManagers, patch: func(m map[string]any) { limits(m)["cpu"] = "1" },
			want: []string{"spec.template.spec.containers[name=nginx].resources.limits.cpu"}},
		{name: "extra field set by nobody is a server default", entitled: ClusterManagers, patch: func(m map[string]any) { spec(m)["minReadySeconds"] = int64(0) }},
		{name: "extra without managedFields is drift", entitled: ClusterManagers, patch: func(m map[string]any) {
			delete(meta(m), "managedFields")
			tmplSpec(m)["hostNetwork"] = true
		}, want: []string{`metadata.annotations["deployment.kubernetes.io/revision"]`, "spec.template.spec.hostNetwork"}},
		{name: "extra owned by a human is drift", entitled: ClusterManagers, patch: func(m map[string]any) {
			tmplSpec(m)["hostNetwork"] = true
			own(m, "kubectl-edit", `{"f:spec": {"f:template": {"f:spec": {"f:hostNetwork": {}}}}}`)
		}, want: []string{"spec.template.spec.hostNetwork"}},
		{name: "extra env item owned by kubectl set", entitled: ClusterManagers, patch: func(m map[string]any) {
			container(m)["env"] = []any{map[string]any{"name": "FOO", "value": "bar"}}
			own(m, "kubectl-set", `{"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {"f:env": {".": {}, "k:{\"name\":\"FOO\"}": {".": {}, "f:name": {}, "f:value": {}}}}}}}}}`)
		}, want: []string{"spec.template.spec.containers[name=nginx].env"}},
		{name: "extra container is one change", entitled: ClusterManagers, patch: func(m map[string]any) {
			tmplSpec(m)["containers"] = append(tmplSpec(m)["containers"].([]any), map[string]any{"name": "sidecar", "image": "evil", "securityContext": map[string]any{"privileged": true}})
			own(m, "kubectl-edit", `{"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"sidecar\"}": {".": {}, "f:image": {}}}}}}}`)
		}, want: []string{"spec.template.spec.containers[name=sidecar]"}},
		{name: "declared container removed", entitled: ClusterManagers, patch: func(m map[string]any) {
			tmplSpec(m)["containers"] = []any{}
		}, want: []string{
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
			if tt.patch != nil {
				tt.patch(live)
			}
			var got []string
			for _, ch := range c.Against(live, d, tt.entitled...) {
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
	d := c.Desire(deployGVK, obj(t, gitDeploy))
	tests := []struct {
		name  string
		patch func(m map[string]any)
		want  []Change
	}{
		{name: "no-op"},
		{name: "server noise only", patch: func(m map[string]any) {
			meta(m)["resourceVersion"] = "6"
			meta(m)["annotations"].(map[string]any)["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
			m["status"] = map[string]any{"replicas": int64(1)}
		}},
		{name: "scale up", patch: func(m map[string]any) { spec(m)["replicas"] = int64(5) }, want: []Change{
			{Path: "spec.replicas", Declared: true, Git: int64(3), Old: int64(3), New: int64(5)},
		}},
		{name: "new label undeclared", patch: func(m map[string]any) { meta(m)["labels"].(map[string]any)["team"] = "x" }, want: []Change{
			{Path: "metadata.labels.team", New: "x"},
		}},
		{name: "annotation with dots", patch: func(m map[string]any) {
			meta(m)["annotations"].(map[string]any)["example.com/x"] = "y"
		}, want: []Change{{Path: `metadata.annotations["example.com/x"]`, New: "y"}}},
		{name: "reordered ports are no change", patch: func(m map[string]any) {
			container(m)["ports"] = []any{map[string]any{"containerPort": int64(80), "protocol": "TCP"}}
		}},
		{name: "new port", patch: func(m map[string]any) {
			container(m)["ports"] = append(container(m)["ports"].([]any), map[string]any{"containerPort": int64(443), "protocol": "TCP"})
		}, want: []Change{
			{Path: "spec.template.spec.containers[name=nginx].ports[containerPort=443,protocol=TCP].containerPort", New: int64(443)},
			{Path: "spec.template.spec.containers[name=nginx].ports[containerPort=443,protocol=TCP].protocol", New: "TCP"},
		}},
		{name: "removing the controller's annotation is a repair", patch: func(m map[string]any) { delete(meta(m), "annotations") }, want: []Change{
			{Path: `metadata.annotations["deployment.kubernetes.io/revision"]`, Old: "1", Repair: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, new := obj(t, liveDeploy), obj(t, liveDeploy)
			if tt.patch != nil {
				tt.patch(new)
			}
			got := c.Diff(old, new, d)
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
		name string
		n    node
		a, b any
		want bool
	}{
		{name: "absent equals empty string", a: nil, b: "", want: true},
		{name: "absent equals empty map", a: nil, b: map[string]any{}, want: true},
		{name: "numbers by value", a: int64(3), b: float64(3), want: true},
		{name: "number is not a string", a: int64(3), b: "3"},
		{name: "quantity 0.5 = 500m", n: quantity, a: "0.5", b: "500m", want: true},
		{name: "quantity 1Gi = 1024Mi", n: quantity, a: "1Gi", b: "1024Mi", want: true},
		{name: "quantity number = string", n: quantity, a: int64(1), b: "1000m", want: true},
		{name: "quantity differs", n: quantity, a: "1", b: "2"},
		{name: "int-or-string 80 = \"80\"", n: ios, a: int64(80), b: "80", want: true},
		{name: "int-or-string percent", n: ios, a: "25%", b: "25%", want: true},
		{name: "atomic list order matters", a: []any{"a", "b"}, b: []any{"b", "a"}},
		{name: "Any matches a value", a: Any, b: "10.0.0.1", want: true},
		{name: "OneOf matches absent", a: OneOf("default", nil), b: nil, want: true},
		{name: "OneOf matches an alternative", a: OneOf("default", nil), b: "default", want: true},
		{name: "OneOf differs from the others", a: OneOf("default", nil), b: "cluster-admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := equalAs(tt.n, tt.a, tt.b); got != tt.want {
				t.Errorf("equalAs(%q, %v, %v) = %v, want %v", tt.n.named, tt.a, tt.b, got, tt.want)
			}
		})
	}
}

// own adds a managedFields entry for manager with the given fieldsV1 JSON.
func own(m map[string]any, manager, fields string) {
	var f map[string]any
	if err := utiljson.Unmarshal([]byte(fields), &f); err != nil {
		panic(err)
	}
	mf, _ := meta(m)["managedFields"].([]any)
	meta(m)["managedFields"] = append(mf, map[string]any{"manager": manager, "operation": "Update", "fieldsV1": f})
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
