package drift

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	dsGVK      = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSet"}
	jobGVK     = schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}
	cronGVK    = schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "CronJob"}
	nsGVK      = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
	pvcGVK     = schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolumeClaim"}
	secretGVK  = schema.GroupVersionKind{Version: "v1", Kind: "Secret"}
	netpolGVK  = schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}
	rbGVK      = schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}
	crdGVK     = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}
	scGVK      = schema.GroupVersionKind{Group: "storage.k8s.io", Version: "v1", Kind: "StorageClass"}
	minimalPod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers: [{name: c, image: c:1}]\n"
)

// TestDesireDefaults has one row per default the desired state fills in (the
// API server's defaulting of built-in kinds, and the schema's defaults), read
// back at one path of the desired object.
func TestDesireDefaults(t *testing.T) {
	c := New(NewBuiltinSchemas())
	tests := []struct {
		name string
		gvk  schema.GroupVersionKind
		git  string
		at   []string // map keys and list indexes
		want any
	}{
		{name: "Deployment revision history", gvk: deployGVK, git: gitDeploy, at: []string{"spec", "revisionHistoryLimit"}, want: int64(10)},
		{name: "Deployment declared replicas kept", gvk: deployGVK, git: gitDeploy, at: []string{"spec", "replicas"}, want: int64(3)},
		{name: "Deployment rolling update", gvk: deployGVK, git: gitDeploy, at: []string{"spec", "strategy", "rollingUpdate", "maxSurge"}, want: "25%"},
		{name: "Deployment Recreate has no rollingUpdate", gvk: deployGVK, git: edit(gitDeploy, "replicas: 3", "replicas: 3\n  strategy: {type: Recreate}"),
			at: []string{"spec", "strategy", "rollingUpdate"}, want: nil},
		{name: "container pull policy for a tag", gvk: deployGVK, git: gitDeploy,
			at: []string{"spec", "template", "spec", "containers", "0", "imagePullPolicy"}, want: "IfNotPresent"},
		{name: "container port protocol", gvk: deployGVK, git: gitDeploy,
			at: []string{"spec", "template", "spec", "containers", "0", "ports", "0", "protocol"}, want: "TCP"},
		{name: "hostNetwork: hostPort is the containerPort", gvk: deployGVK, git: edit(gitDeploy, "    spec:\n", "    spec:\n      hostNetwork: true\n"),
			at: []string{"spec", "template", "spec", "containers", "0", "ports", "0", "hostPort"}, want: int64(80)},
		{name: "pod spec scheduler", gvk: deployGVK, git: gitDeploy, at: []string{"spec", "template", "spec", "schedulerName"}, want: "default-scheduler"},
		{name: "StatefulSet claim template kind", gvk: stsGVK, git: gitSts, at: []string{"spec", "volumeClaimTemplates", "0", "kind"}, want: "PersistentVolumeClaim"},
		{name: "StatefulSet claim template status is the server's", gvk: stsGVK, git: gitSts, at: []string{"spec", "volumeClaimTemplates", "0", "status"}, want: Any},
		{name: "StatefulSet retention policy", gvk: stsGVK, git: gitSts, at: []string{"spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"}, want: "Retain"},
		{name: "env fieldRef apiVersion", gvk: stsGVK, git: gitSts,
			at: []string{"spec", "template", "spec", "containers", "0", "env", "0", "valueFrom", "fieldRef", "apiVersion"}, want: "v1"},
		{name: "env resourceFieldRef divisor", gvk: stsGVK, git: gitSts,
			at: []string{"spec", "template", "spec", "containers", "0", "env", "1", "valueFrom", "resourceFieldRef", "divisor"}, want: "0"},
		{name: "DaemonSet maxSurge", gvk: dsGVK, git: "spec: {template: {spec: {containers: [{name: c, image: c:1}]}}}\n",
			at: []string{"spec", "updateStrategy", "rollingUpdate", "maxSurge"}, want: int64(0)},
		{name: "Job completions when neither is set", gvk: jobGVK, git: "spec: {template: {spec: {containers: [{name: c, image: c}]}}}\n",
			at: []string{"spec", "completions"}, want: int64(1)},
		{name: "Job completions stay unset with parallelism", gvk: jobGVK, git: "spec: {parallelism: 3}\n", at: []string{"spec", "completions"}, want: nil},
		{name: "Job selector is the server's", gvk: jobGVK, git: "spec: {}\n", at: []string{"spec", "selector"}, want: Any},
		{name: "Job manual selector is git's", gvk: jobGVK, git: "spec: {manualSelector: true}\n", at: []string{"spec", "selector"}, want: nil},
		{name: "Job without pod failure policy", gvk: jobGVK, git: "spec: {}\n", at: []string{"spec", "podReplacementPolicy"}, want: "TerminatingOrFailed"},
		{name: "Job with pod failure policy", gvk: jobGVK, git: "spec: {podFailurePolicy: {rules: []}}\n", at: []string{"spec", "podReplacementPolicy"}, want: nil},
		{name: "Job generated pod label", gvk: jobGVK, git: "spec: {}\n", at: []string{"spec", "template", "metadata", "labels", "job-name"}, want: Any},
		{name: "CronJob history", gvk: cronGVK, git: "spec: {schedule: '* * * * *'}\n", at: []string{"spec", "successfulJobsHistoryLimit"}, want: int64(3)},
		{name: "CronJob pod template", gvk: cronGVK, git: "spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: c}]}}}}}\n",
			at: []string{"spec", "jobTemplate", "spec", "template", "spec", "containers", "0", "imagePullPolicy"}, want: "Always"},
		{name: "Service type", gvk: svcGVK, git: gitSvc, at: []string{"spec", "type"}, want: "ClusterIP"},
		{name: "Service clusterIP is the server's", gvk: svcGVK, git: gitSvc, at: []string{"spec", "clusterIP"}, want: Any},
		{name: "Service targetPort is the port", gvk: svcGVK, git: "spec: {ports: [{port: 80}]}\n", at: []string{"spec", "ports", "0", "targetPort"}, want: int64(80)},
		{name: "Service NodePort nodePort is the server's", gvk: svcGVK, git: "spec: {type: NodePort, ports: [{port: 80}]}\n",
			at: []string{"spec", "ports", "0", "nodePort"}, want: Any},
		{name: "Service ClusterIP has no nodePort", gvk: svcGVK, git: "spec: {ports: [{port: 80}]}\n", at: []string{"spec", "ports", "0", "nodePort"}, want: nil},
		{name: "Service ExternalName allocates no clusterIP", gvk: svcGVK, git: "spec: {type: ExternalName, externalName: x.example.com}\n",
			at: []string{"spec", "clusterIP"}, want: nil},
		{name: "Service LoadBalancer Local health check port", gvk: svcGVK, git: "spec: {type: LoadBalancer, externalTrafficPolicy: Local}\n",
			at: []string{"spec", "healthCheckNodePort"}, want: Any},
		{name: "Service ClientIP affinity timeout", gvk: svcGVK, git: "spec: {sessionAffinity: ClientIP}\n",
			at: []string{"spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"}, want: int64(10800)},
		{name: "PVC storage class by admission", gvk: pvcGVK, git: "spec: {}\n", at: []string{"spec", "storageClassName"}, want: Any},
		{name: "Secret type", gvk: secretGVK, git: "metadata: {name: s}\n", at: []string{"type"}, want: "Opaque"},
		{name: "Namespace name label", gvk: nsGVK, git: "metadata: {name: shop}\n", at: []string{"metadata", "labels", "kubernetes.io/metadata.name"}, want: "shop"},
		{name: "Namespace finalizer", gvk: nsGVK, git: "metadata: {name: shop}\n", at: []string{"spec", "finalizers"}, want: []any{"kubernetes"}},
		{name: "NetworkPolicy ingress only", gvk: netpolGVK, git: "spec: {podSelector: {}}\n", at: []string{"spec", "policyTypes"}, want: []any{"Ingress"}},
		{name: "NetworkPolicy with egress rules", gvk: netpolGVK, git: "spec: {egress: [{ports: [{port: 53}]}]}\n", at: []string{"spec", "policyTypes"}, want: []any{"Ingress", "Egress"}},
		{name: "NetworkPolicy port protocol", gvk: netpolGVK, git: "spec: {egress: [{ports: [{port: 53}]}]}\n",
			at: []string{"spec", "egress", "0", "ports", "0", "protocol"}, want: "TCP"},
		{name: "RoleBinding user subject apiGroup", gvk: rbGVK, git: "subjects: [{kind: User, name: alice}]\n",
			at: []string{"subjects", "0", "apiGroup"}, want: "rbac.authorization.k8s.io"},
		{name: "RoleBinding service account has no apiGroup", gvk: rbGVK, git: "subjects: [{kind: ServiceAccount, name: sa}]\n",
			at: []string{"subjects", "0", "apiGroup"}, want: nil},
		{name: "CRD list kind", gvk: crdGVK, git: "spec: {names: {kind: Widget}}\n", at: []string{"spec", "names", "listKind"}, want: "WidgetList"},
		{name: "StorageClass binding mode", gvk: scGVK, git: "provisioner: x\n", at: []string{"volumeBindingMode"}, want: "Immediate"},
		{name: "Pod service account depends on admission", gvk: podGVK, git: minimalPod, at: []string{"spec", "serviceAccountName"}, want: OneOf("default", nil)},
		{name: "Pod node is the scheduler's", gvk: podGVK, git: minimalPod, at: []string{"spec", "nodeName"}, want: Any},
		{name: "probe defaults", gvk: podGVK, git: edit(minimalPod, "image: c:1", "image: c:1, readinessProbe: {httpGet: {port: 80}}"),
			at: []string{"spec", "containers", "0", "readinessProbe", "httpGet", "scheme"}, want: "HTTP"},
		{name: "configMap volume mode", gvk: podGVK, git: minimalPod + "  volumes: [{name: v, configMap: {name: x}}]\n",
			at: []string{"spec", "volumes", "0", "configMap", "defaultMode"}, want: int64(420)},
		{name: "schema default: container port protocol of a Pod", gvk: podGVK, git: edit(minimalPod, "image: c:1", "image: c:1, ports: [{containerPort: 8080}]"),
			at: []string{"spec", "containers", "0", "ports", "0", "protocol"}, want: "TCP"},
		{name: "a kind without defaults is git's object", gvk: cmGVK, git: "data: {a: b}\n", at: []string{"data"}, want: map[string]any{"a": "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			git := obj(t, tt.git)
			before := DeepCopyMap(git)
			d := c.Desire(tt.gvk, git)
			if diff := cmp.Diff(tt.want, at(d.Object, tt.at...), cmp.Comparer(func(a, b anything) bool { return true })); diff != "" {
				t.Errorf("desired %v (-want +got):\n%s", tt.at, diff)
			}
			if diff := cmp.Diff(before, git); diff != "" {
				t.Errorf("Desire changed git's object (-before +after):\n%s", diff)
			}
		})
	}
}

func TestPullPolicy(t *testing.T) {
	tests := []struct {
		image string
		want  string
	}{
		{image: "nginx", want: "Always"},
		{image: "nginx:latest", want: "Always"},
		{image: "nginx:1.25", want: "IfNotPresent"},
		{image: "registry:5000/team/nginx", want: "Always"},
		{image: "registry:5000/team/nginx:1.25", want: "IfNotPresent"},
		{image: "nginx@sha256:0123", want: "IfNotPresent"},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			if got := pullPolicy(tt.image); got != tt.want {
				t.Errorf("pullPolicy(%q) = %q, want %q", tt.image, got, tt.want)
			}
		})
	}
}

// at reads a value of a decoded object: map keys, and list indexes as numbers.
func at(v any, keys ...string) any {
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
