package drift

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	svcGVK = schema.GroupVersionKind{Version: "v1", Kind: "Service"}
	cmGVK  = schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	stsGVK = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "StatefulSet"}
	podGVK = schema.GroupVersionKind{Version: "v1", Kind: "Pod"}
	crGVK  = schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}
)

const (
	gitSvc  = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n"
	liveSvc = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\nspec:\n  selector: {app: web}\n  type: ClusterIP\n  sessionAffinity: None\n  clusterIP: 10.0.0.7\n  clusterIPs: [10.0.0.7]\n  ipFamilies: [IPv4]\n  ipFamilyPolicy: SingleStack\n  internalTrafficPolicy: Cluster\n  ports: [{port: 80, targetPort: http, protocol: TCP}]\n"
	gitSts  = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: a}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: db:1
        env:
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: MEM, valueFrom: {resourceFieldRef: {containerName: db, resource: limits.memory}}}
        resources: {requests: {cpu: 0.25, memory: 1G}, limits: {cpu: "1", memory: 2e9}}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`
	liveSts = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: a, generation: 1}
spec:
  serviceName: db
  replicas: 1
  revisionHistoryLimit: 10
  podManagementPolicy: OrderedReady
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Retain}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0, maxUnavailable: 1}}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}, creationTimestamp: null}
    spec:
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
      containers:
      - name: db
        image: db:1
        imagePullPolicy: IfNotPresent
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
        env:
        - {name: POD_IP, valueFrom: {fieldRef: {apiVersion: v1, fieldPath: status.podIP}}}
        - {name: MEM, valueFrom: {resourceFieldRef: {containerName: db, resource: limits.memory, divisor: "0"}}}
        resources: {requests: {cpu: 250m, memory: 1G}, limits: {cpu: "1", memory: 2G}}
  volumeClaimTemplates:
  - apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data, creationTimestamp: null}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, volumeMode: Filesystem}
    status: {phase: Pending}
`
)

// TestAgainstRules has one row per normalization rule of the whole-object
// comparison (without managedFields every difference counts; with them, what
// nobody set is the server's).
func TestAgainstRules(t *testing.T) {
	c := New(NewBuiltinSchemas())
	tests := []struct {
		name      string
		gvk       schema.GroupVersionKind
		git, live string
		want      []string
	}{
		{name: "defaults: a Service as stored (allocated IPs are the server's)", gvk: svcGVK, git: gitSvc, live: liveSvc},
		{name: "defaults: StatefulSet volumeClaimTemplates, fieldRef apiVersion, divisor; quantities in every notation", gvk: stsGVK, git: gitSts, live: liveSts},
		{name: "extras: Service recreated as NodePort with externalIPs", gvk: svcGVK, git: gitSvc,
			live: edit(liveSvc, "type: ClusterIP", "type: NodePort\n  externalIPs: [1.2.3.4]\n  externalTrafficPolicy: Cluster"),
			want: []string{"spec.externalIPs", "spec.externalTrafficPolicy", "spec.type"}},
		{name: "int-or-string: targetPort 8080 = \"8080\"", gvk: svcGVK, git: edit(gitSvc, "targetPort: http", "targetPort: 8080"),
			live: edit(liveSvc, "targetPort: http", `targetPort: "8080"`)},
		{name: "int-or-string: defaulted targetPort is the port", gvk: svcGVK, git: edit(gitSvc, ", targetPort: http", ""),
			live: edit(liveSvc, "targetPort: http", "targetPort: 80")},
		{name: "associative list: extra port item", gvk: svcGVK, git: gitSvc,
			live: edit(liveSvc, "ports: [", "ports: [{port: 22, protocol: TCP, targetPort: 22}, "), want: []string{"spec.ports[port=22,protocol=TCP]"}},
		{name: "atomic map: fieldRef compared whole", gvk: stsGVK, git: gitSts,
			live: edit(liveSts, "fieldPath: status.podIP", "fieldPath: status.hostIP"),
			want: []string{"spec.template.spec.containers[name=db].env[name=POD_IP].valueFrom.fieldRef"}},
		{name: "quantities: a different value", gvk: stsGVK, git: gitSts, live: edit(liveSts, "cpu: 250m", "cpu: 300m"),
			want: []string{"spec.template.spec.containers[name=db].resources.requests.cpu"}},
		{name: "absent vs empty: map entry absent is not \"\"", gvk: cmGVK,
			git:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {FEATURE_X: \"\", Y: y}\n",
			live: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {Y: y}\n", want: []string{"data.FEATURE_X"}},
		{name: "absent vs empty: extra empty label is drift", gvk: cmGVK,
			git:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n",
			live: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a, labels: {x: \"\"}}\n", want: []string{"metadata.labels.x"}},
		{name: "absent vs empty: empty struct field equals absent", gvk: stsGVK, git: gitSts, live: edit(liveSts, "securityContext: {}", "securityContext: {}\n      hostname: \"\"")},
		{name: "set list: finalizers compared as a set", gvk: cmGVK,
			git:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a, finalizers: [a/x, b/y]}\n",
			live: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a, finalizers: [b/y, a/x]}\n"},
		{name: "extras: Pod recreated with hostPID and a hostPath volume", gvk: podGVK,
			git:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers: [{name: c, image: c:1}]\n",
			live: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: a\n  managedFields: [{manager: kubectl-create, operation: Update, fieldsV1: {f:spec: {f:hostPID: {}, f:volumes: {}}}}]\nspec:\n  hostPID: true\n  volumes: [{name: root, hostPath: {path: /}}]\n  containers: [{name: c, image: c:1}]\n",
			want: []string{"spec.hostPID", "spec.volumes"}},
		{name: "no schema: maps field by field, extras still seen", gvk: crGVK,
			git:  "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}\n",
			live: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1, color: red}\n", want: []string{"spec.color"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Desire(tt.gvk, obj(t, tt.git))
			var got []string
			for _, ch := range c.Against(obj(t, tt.live), d) {
				got = append(got, ch.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Against paths (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiffRules has one row per rule of the UPDATE test "toward git or nothing":
// want lists the changes that are not repairs.
func TestDiffRules(t *testing.T) {
	c := New(NewBuiltinSchemas())
	withFoo := edit(liveSts, "- {name: MEM", "- {name: FOO, value: bar}\n        - {name: MEM")
	tests := []struct {
		name          string
		gvk           schema.GroupVersionKind
		git, old, new string
		want          []string
	}{
		{name: "quantity repair by value: 0.5 in git, 500m in the request", gvk: stsGVK, git: edit(gitSts, "cpu: 0.25", "cpu: 0.5"),
			old: liveSts, new: edit(liveSts, "cpu: 250m", "cpu: 500m")},
		{name: "list item re-added with a server-defaulted key field", gvk: svcGVK, git: gitSvc,
			old: edit(liveSvc, "ports: [{port: 80, targetPort: http, protocol: TCP}]", "ports: []"), new: liveSvc},
		{name: "fieldRef re-added with the server's apiVersion", gvk: stsGVK, git: gitSts,
			old: edit(liveSts, "fieldPath: status.podIP", "fieldPath: status.hostIP"), new: liveSts},
		{name: "removing an item someone else added (kubectl set env FOO-)", gvk: stsGVK, git: gitSts, old: withFoo, new: liveSts},
		{name: "adding an item git does not declare", gvk: stsGVK, git: gitSts, old: liveSts, new: withFoo, want: []string{
			"spec.template.spec.containers[name=db].env[name=FOO].name", "spec.template.spec.containers[name=db].env[name=FOO].value"}},
		{name: "dropping bookkeeping: management label and controller annotation", gvk: cmGVK,
			git: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n",
			old: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a, labels: {gitgate.dev/managed: 'true'}, annotations: {x/revision: '1'}}\n",
			new: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n"},
		{name: "removing a map entry whose git value is \"\"", gvk: cmGVK,
			git: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {FEATURE_X: \"\"}\n",
			old: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {FEATURE_X: \"\"}\n",
			new: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {}\n", want: []string{"data.FEATURE_X"}},
		{name: "removing an undeclared finalizer is judged", gvk: cmGVK,
			git: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n",
			old: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a, finalizers: [x/y]}\n",
			new: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n", want: []string{"metadata.finalizers"}},
		{name: "changing a server default", gvk: stsGVK, git: gitSts, old: liveSts,
			new: edit(liveSts, "imagePullPolicy: IfNotPresent", "imagePullPolicy: Always"), want: []string{"spec.template.spec.containers[name=db].imagePullPolicy"}},
		{name: "server-assigned clusterIP", gvk: svcGVK, git: gitSvc, old: liveSvc, new: edit(liveSvc, "clusterIPs: [10.0.0.7]", "clusterIPs: [10.0.0.7, fd00::7]")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Desire(tt.gvk, obj(t, tt.git))
			var got []string
			for _, ch := range c.Diff(obj(t, tt.old), obj(t, tt.new), d) {
				if !ch.TowardGit() {
					got = append(got, ch.Path)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("non-repair changes (-want +got):\n%s", diff)
			}
		})
	}
}

// edit replaces each old with its new in s, failing loudly when old is missing.
func edit(s string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			panic("edit: " + pairs[i] + " not found")
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}
