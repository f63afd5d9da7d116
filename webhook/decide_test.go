package webhook

import (
	"fmt"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

const (
	deployKind = "apps/v1/Kind=Deployment"
	cmKind     = "v1/Kind=ConfigMap"
	secretKind = "v1/Kind=Secret"
)

func TestDecisions(t *testing.T) {
	liveCM := edit(gitConfigMap, "name: settings,", "name: settings, uid: x, resourceVersion: '3',")
	tests := []struct {
		name    string
		opts    Options
		req     reqOpts
		allowed bool
		want    []string // substrings of the message
	}{
		{"sync identity may do anything", Options{}, reqOpts{op: admissionv1.Update, user: "gitgate", kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 9")}, true, nil},
		{"sync identity matched by exact username, not group", Options{}, reqOpts{op: admissionv1.Update, user: "mallory", groups: []string{"gitgate"}, kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 9")}, false, []string{"spec.replicas: git has 3, request has 9"}},
		{"no-op update", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, `resourceVersion: "7"`, `resourceVersion: "8"`)}, true, nil},
		{"replicas drift", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 5")}, false,
			[]string{"UPDATE of Deployment.apps staging/nginx denied", "git: repo@0123456:k8s/app/deployment.yaml:8", "spec.replicas: git has 3, request has 5", "Change it in git at k8s/app/deployment.yaml:8"}},
		{"repair toward git", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: edit(liveDeployment, "replicas: 3", "replicas: 5"), obj: liveDeployment}, true, nil},
		{"unrelated update of a drifted object", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: edit(liveDeployment, "replicas: 3", "replicas: 5"), obj: edit(liveDeployment, "replicas: 3", "replicas: 5", `resourceVersion: "7"`, `resourceVersion: "9"`)}, true, nil},
		{"undeclared label strict", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, "labels: {app: nginx}", "labels: {app: nginx, team: x}")}, false,
			[]string{"metadata.labels.team: not declared in git (strict mode)"}},
		{"undeclared label merge", Options{Merge: true}, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, "labels: {app: nginx}", "labels: {app: nginx, team: x}")}, true, nil},
		{"controller writes undeclared revision", Options{}, reqOpts{op: admissionv1.Update, user: "system:kube-controller-manager", kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, `revision: "1"`, `revision: "2"`)}, true, nil},
		{"controller changes declared replicas", Options{}, reqOpts{op: admissionv1.Update, user: "system:serviceaccount:kube-system:deployment-controller", kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 4")}, false, []string{"spec.replicas"}},
		{"scale denied", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: "autoscaling/v1/Kind=Scale", resource: "apps/deployments", sub: "scale", ns: "staging", name: "nginx",
			old: scaleObj("3"), obj: scaleObj("7")}, false, []string{"spec.replicas: git has 3, request has 7", "(subresource scale)"}},
		{"scale to absent means 0", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: "autoscaling/v1/Kind=Scale", resource: "apps/deployments", sub: "scale", ns: "staging", name: "nginx",
			old: scaleObj("3"), obj: scaleObj("")}, false, []string{"request has 0"}},
		{"scale back to git", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: "autoscaling/v1/Kind=Scale", resource: "apps/deployments", sub: "scale", ns: "staging", name: "nginx",
			old: scaleObj("5"), obj: scaleObj("3")}, true, nil},
		{"delete denied", Options{}, reqOpts{op: admissionv1.Delete, user: "alice", kind: cmKind, ns: "staging", name: "settings", old: liveCM}, false,
			[]string{"delete: the object is declared in git", "remove it from git at k8s/app/configmap.yaml:1"}},
		{"deletecollection reads the name from oldObject", Options{}, reqOpts{op: admissionv1.Delete, user: "alice", kind: cmKind, ns: "staging", old: liveCM}, false,
			[]string{"staging/settings"}},
		{"delete of terminating object", Options{}, reqOpts{op: admissionv1.Delete, user: "alice", kind: cmKind, ns: "staging", name: "settings",
			old: edit(liveCM, "uid: x,", "uid: x, deletionTimestamp: '2026-01-01T00:00:00Z',")}, true, nil},
		{"a controller deletes only as its role allows", Options{}, reqOpts{op: admissionv1.Delete, user: "system:kube-controller-manager", kind: cmKind, ns: "staging", name: "settings", old: liveCM}, false,
			[]string{"a controller deletes it only as the garbage collector"}},
		{"terminating object is still judged for UPDATE", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: cmKind, ns: "staging", name: "settings",
			old: edit(liveCM, "uid: x,", "uid: x, deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: [example.com/hold],"),
			obj: edit(liveCM, "uid: x,", "uid: x, deletionTimestamp: '2026-01-01T00:00:00Z',")}, false, []string{"metadata.finalizers"}},
		{"a controller ownerReference on a human's object is no pass", Options{}, reqOpts{op: admissionv1.Create, user: "alice", kind: cmKind, ns: "staging", name: "other",
			obj: edit(gitConfigMap, "name: settings,", "name: other, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: u, controller: true}],")}, false, []string{"not declared in git"}},
		{"namespace object: requests carry its name as namespace", Options{}, reqOpts{op: admissionv1.Update, user: "alice", kind: "v1/Kind=Namespace", ns: "staging", name: "staging",
			old: "apiVersion: v1\nkind: Namespace\nmetadata: {name: staging}\n", obj: "apiVersion: v1\nkind: Namespace\nmetadata: {name: staging, labels: {optout: 'true'}}\n"}, false, []string{"metadata.labels.optout"}},
		{"create matching git", Options{}, reqOpts{op: admissionv1.Create, user: "alice", kind: cmKind, ns: "staging", name: "settings", obj: gitConfigMap}, true, nil},
		{"create drifting from git", Options{}, reqOpts{op: admissionv1.Create, user: "alice", kind: cmKind, ns: "staging", name: "settings", obj: edit(gitConfigMap, "blue", "red")}, false,
			[]string{`data.color: git has "blue", request has "red"`}},
		{"create undeclared in governed namespace", Options{}, reqOpts{op: admissionv1.Create, user: "alice", kind: cmKind, ns: "staging", name: "other", obj: edit(gitConfigMap, "settings", "other")}, false,
			[]string{"create: not declared in git", "Add it to git"}},
		{"create undeclared with --unknown=allow", Options{AllowUnknown: true}, reqOpts{op: admissionv1.Create, user: "alice", kind: cmKind, ns: "staging", name: "other", obj: edit(gitConfigMap, "settings", "other")}, true, nil},
		{"create undeclared in ungoverned namespace", Options{}, reqOpts{op: admissionv1.Create, user: "alice", kind: cmKind, ns: "dev", name: "other", obj: edit(gitConfigMap, "staging", "dev")}, true, nil},
		{"create of an unmanaged kind", Options{}, reqOpts{op: admissionv1.Create, user: "alice", kind: "v1/Kind=Pod", ns: "staging", name: "p", obj: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: staging}\n"}, true, nil},
		{"controller creates in governed namespace", Options{}, reqOpts{op: admissionv1.Create, user: "system:kube-controller-manager", kind: cmKind, ns: "staging", name: "other", obj: edit(gitConfigMap, "settings", "other")}, true, nil},
		{"forged management label", Options{}, reqOpts{op: admissionv1.Create, user: "alice", kind: "v1/Kind=Pod", ns: "dev", name: "p",
			obj: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: dev, labels: {gitgate.dev/managed: 'true'}}\n"}, false, []string{`metadata.labels["gitgate.dev/managed"]: only gitgate's sync identity`}},
		{"controller copies a Service's management label onto its EndpointSlice", Options{}, reqOpts{op: admissionv1.Create, user: "system:kube-controller-manager", kind: "discovery.k8s.io/v1/Kind=EndpointSlice", ns: "staging", name: "nginx-x7k2p",
			obj: "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: nginx-x7k2p, namespace: staging, labels: {gitgate.dev/managed: 'true', kubernetes.io/service-name: nginx}}\naddressType: IPv4\nendpoints: []\n"}, true, nil},
		{"controller may not forge the label on what git declares", Options{}, reqOpts{op: admissionv1.Update, user: "system:kube-controller-manager", kind: cmKind, ns: "staging", name: "settings",
			old: liveCM, obj: edit(liveCM, "name: settings,", "name: settings, labels: {gitgate.dev/managed: 'true'},")}, false, []string{`metadata.labels["gitgate.dev/managed"]`}},
		{"warn mode allows", Options{Mode: ModeWarn}, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 5")}, true, nil},
		{"secret values are hidden", Options{}, reqOpts{op: admissionv1.Create, user: "alice", kind: secretKind, ns: "staging", name: "creds",
			obj: "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: staging}\ndata: {password: c2VjcmV0}\n"}, false, []string{"data.password: git has (hidden), request has (hidden)"}},
		{"secret stringData in git equals data", Options{}, reqOpts{op: admissionv1.Create, user: "alice", kind: secretKind, ns: "staging", name: "creds",
			obj: "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: staging}\ntype: Opaque\ndata: {password: aHVudGVyMg==}\n"}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newTestHandler(t, tt.opts, nil)
			resp := h.Handle(t.Context(), request(t, tt.req))
			assertDecision(t, resp, tt.allowed, tt.want)
			if msg := fmt.Sprint(resp.Result); strings.Contains(msg, "hunter2") || strings.Contains(msg, "c2VjcmV0") {
				t.Errorf("message leaks a secret value:\n%s", msg)
			}
		})
	}
}
