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
	scaleKind  = "autoscaling/v1/Kind=Scale"
	kcm        = "system:kube-controller-manager"
)

// liveSettings is git's ConfigMap as the API server stores it.
var liveSettings = edit(gitConfigMap, "name: settings,", "name: settings, uid: x, resourceVersion: '3',")

// decision is one row of a decision table: a request, the handler's options,
// and the answer wanted.
type decision struct {
	name    string
	opts    Options
	req     reqOpts
	allowed bool
	want    []string // substrings of the message
}

// decide runs a decision table against the shared fixtures (handler_test.go).
func decide(t *testing.T, tests []decision) {
	t.Helper()
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

// updateDeployment is an UPDATE of git's Deployment by user, from old to obj.
func updateDeployment(user, old, obj string) reqOpts {
	return reqOpts{op: admissionv1.Update, user: user, kind: deployKind, ns: "staging", name: "nginx", old: old, obj: obj}
}

// updateSettings is an UPDATE of git's ConfigMap by user, from old to obj.
func updateSettings(user, old, obj string) reqOpts {
	return reqOpts{op: admissionv1.Update, user: user, kind: cmKind, ns: "staging", name: "settings", old: old, obj: obj}
}

// TestDecideIdentities: who is asking, by exact identity.
func TestDecideIdentities(t *testing.T) {
	scaled := edit(liveDeployment, "replicas: 3", "replicas: 9")
	decide(t, []decision{
		{name: "sync identity may do anything", req: updateDeployment("gitgate", liveDeployment, scaled), allowed: true},
		{name: "sync identity matched by exact username, not group",
			req: reqOpts{op: admissionv1.Update, user: "mallory", groups: []string{"gitgate"}, kind: deployKind, ns: "staging", name: "nginx",
				old: liveDeployment, obj: scaled},
			want: []string{"spec.replicas: git has 3, request has 9"}},
		{name: "controller writes undeclared revision", allowed: true,
			req: updateDeployment(kcm, liveDeployment, edit(liveDeployment, `revision: "1"`, `revision: "2"`))},
		{name: "controller changes declared replicas", want: []string{"spec.replicas"},
			req: updateDeployment("system:serviceaccount:kube-system:deployment-controller", liveDeployment, edit(liveDeployment, "replicas: 3", "replicas: 4"))},
		{name: "controller creates in governed namespace", allowed: true,
			req: reqOpts{op: admissionv1.Create, user: kcm, kind: cmKind, ns: "staging", name: "other", obj: edit(gitConfigMap, "settings", "other")}},
		{name: "a controller deletes only as its role allows", want: []string{"a controller deletes it only as the garbage collector"},
			req: reqOpts{op: admissionv1.Delete, user: kcm, kind: cmKind, ns: "staging", name: "settings", old: liveSettings}},
	})
}

// TestDecideUpdate: rule 1, "toward git or nothing", strict and merge.
func TestDecideUpdate(t *testing.T) {
	drifted := edit(liveDeployment, "replicas: 3", "replicas: 5")
	labelled := edit(liveDeployment, "labels: {app: nginx}", "labels: {app: nginx, team: x}")
	decide(t, []decision{
		{name: "no-op update", allowed: true,
			req: updateDeployment("alice", liveDeployment, edit(liveDeployment, `resourceVersion: "7"`, `resourceVersion: "8"`))},
		{name: "replicas drift", req: updateDeployment("alice", liveDeployment, drifted), want: []string{
			"UPDATE of Deployment.apps staging/nginx denied", "git: repo@0123456:k8s/app/deployment.yaml:8",
			"spec.replicas: git has 3, request has 5", "Change it in git at k8s/app/deployment.yaml:8"}},
		{name: "repair toward git", req: updateDeployment("alice", drifted, liveDeployment), allowed: true},
		{name: "unrelated update of a drifted object", allowed: true,
			req: updateDeployment("alice", drifted, edit(drifted, `resourceVersion: "7"`, `resourceVersion: "9"`))},
		{name: "undeclared label strict", req: updateDeployment("alice", liveDeployment, labelled),
			want: []string{"metadata.labels.team: not declared in git (strict mode)"}},
		{name: "undeclared label merge", opts: Options{Merge: true}, req: updateDeployment("alice", liveDeployment, labelled), allowed: true},
		{name: "removing a label someone else added is a repair", req: updateDeployment("alice", labelled, liveDeployment), allowed: true},
		{name: "namespace object: requests carry its name as namespace", want: []string{"metadata.labels.optout"},
			req: reqOpts{op: admissionv1.Update, user: "alice", kind: "v1/Kind=Namespace", ns: "staging", name: "staging",
				old: "apiVersion: v1\nkind: Namespace\nmetadata: {name: staging}\n",
				obj: "apiVersion: v1\nkind: Namespace\nmetadata: {name: staging, labels: {optout: 'true'}}\n"}},
	})
}

// TestDecideIdentityMetadata: rule 8, ownerReferences and finalizers, in every mode.
func TestDecideIdentityMetadata(t *testing.T) {
	const owner = "ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: u, controller: true}],"
	owned := edit(liveSettings, "uid: x,", "uid: x, "+owner)
	terminating := edit(liveSettings, "uid: x,", "uid: x, deletionTimestamp: '2026-01-01T00:00:00Z',")
	decide(t, []decision{
		{name: "terminating object is still judged for UPDATE", want: []string{"metadata.finalizers"},
			req: updateSettings("alice", edit(terminating, "uid: x,", "uid: x, finalizers: [example.com/hold],"), terminating)},
		{name: "a controller ownerReference on a human's object is no pass", want: []string{"not declared in git"},
			req: reqOpts{op: admissionv1.Create, user: "alice", kind: cmKind, ns: "staging", name: "other",
				obj: edit(gitConfigMap, "name: settings,", "name: other, "+owner)}},
		{name: "adding an owner git does not declare, merge mode", opts: Options{Merge: true}, want: []string{"metadata.ownerReferences"},
			req: updateSettings("alice", liveSettings, owned)},
		{name: "removing an owner git does not declare, strict mode", want: []string{"metadata.ownerReferences[uid=u]"},
			req: updateSettings("alice", owned, liveSettings)},
		{name: "removing an owner git does not declare, merge mode", opts: Options{Merge: true}, allowed: true,
			req: updateSettings("alice", owned, liveSettings)},
	})
}

// TestDecideSubresources: rule 2, a Scale's spec.replicas is the parent's.
func TestDecideSubresources(t *testing.T) {
	scale := func(old, obj string) reqOpts {
		return reqOpts{op: admissionv1.Update, user: "alice", kind: scaleKind, resource: "apps/deployments", sub: "scale",
			ns: "staging", name: "nginx", old: old, obj: obj}
	}
	decide(t, []decision{
		{name: "scale denied", req: scale(scaleObj("3"), scaleObj("7")), want: []string{"spec.replicas: git has 3, request has 7", "(subresource scale)"}},
		{name: "scale to absent means 0", req: scale(scaleObj("3"), scaleObj("")), want: []string{"request has 0"}},
		{name: "scale back to git", req: scale(scaleObj("5"), scaleObj("3")), allowed: true},
		{name: "scale that keeps git's replicas", req: scale(scaleObj("3"), scaleObj("3")), allowed: true},
	})
}

// TestDecideCreate: rules 3 and 4.
func TestDecideCreate(t *testing.T) {
	other := edit(gitConfigMap, "settings", "other")
	create := func(ns, name, obj string) reqOpts {
		return reqOpts{op: admissionv1.Create, user: "alice", kind: cmKind, ns: ns, name: name, obj: obj}
	}
	decide(t, []decision{
		{name: "create matching git", req: create("staging", "settings", gitConfigMap), allowed: true},
		{name: "create drifting from git", req: create("staging", "settings", edit(gitConfigMap, "blue", "red")),
			want: []string{`data.color: git has "blue", request has "red"`}},
		{name: "create with an extra", req: create("staging", "settings", edit(gitConfigMap, "color: blue", "color: blue, size: L")),
			want: []string{"data.size"}},
		{name: "create with an extra in merge mode", opts: Options{Merge: true}, allowed: true,
			req: create("staging", "settings", edit(gitConfigMap, "color: blue", "color: blue, size: L"))},
		{name: "create undeclared in governed namespace", req: create("staging", "other", other), want: []string{"create: not declared in git", "Add it to git"}},
		{name: "create undeclared with --unknown=allow", opts: Options{AllowUnknown: true}, req: create("staging", "other", other), allowed: true},
		{name: "create undeclared in ungoverned namespace", req: create("dev", "other", edit(gitConfigMap, "staging", "dev")), allowed: true},
		{name: "create of an unmanaged kind", allowed: true,
			req: reqOpts{op: admissionv1.Create, user: "alice", kind: "v1/Kind=Pod", ns: "staging", name: "p",
				obj: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: staging}\n"}},
	})
}

// TestDecideDelete: rule 5.
func TestDecideDelete(t *testing.T) {
	del := func(name, old string) reqOpts {
		return reqOpts{op: admissionv1.Delete, user: "alice", kind: cmKind, ns: "staging", name: name, old: old}
	}
	decide(t, []decision{
		{name: "delete denied", req: del("settings", liveSettings),
			want: []string{"delete: the object is declared in git", "remove it from git at k8s/app/configmap.yaml:1"}},
		{name: "deletecollection reads the name from oldObject", req: del("", liveSettings), want: []string{"staging/settings"}},
		{name: "delete of terminating object", allowed: true,
			req: del("settings", edit(liveSettings, "uid: x,", "uid: x, deletionTimestamp: '2026-01-01T00:00:00Z',"))},
		{name: "delete of a Namespace holding declared objects", want: []string{"delete"},
			req: reqOpts{op: admissionv1.Delete, user: "alice", kind: "v1/Kind=Namespace", ns: "staging", name: "staging",
				old: "apiVersion: v1\nkind: Namespace\nmetadata: {name: staging}\n"}},
	})
}

// TestDecideBookkeeping: rule 6, gitgate's own labels.
func TestDecideBookkeeping(t *testing.T) {
	decide(t, []decision{
		{name: "forged management label", want: []string{`metadata.labels["gitgate.dev/managed"]: only gitgate's sync identity`},
			req: reqOpts{op: admissionv1.Create, user: "alice", kind: "v1/Kind=Pod", ns: "dev", name: "p",
				obj: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: dev, labels: {gitgate.dev/managed: 'true'}}\n"}},
		{name: "controller copies a Service's management label onto its EndpointSlice", allowed: true,
			req: reqOpts{op: admissionv1.Create, user: kcm, kind: "discovery.k8s.io/v1/Kind=EndpointSlice", ns: "staging", name: "nginx-x7k2p",
				obj: "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: nginx-x7k2p\n  namespace: staging\n" +
					"  labels: {gitgate.dev/managed: 'true', kubernetes.io/service-name: nginx}\naddressType: IPv4\nendpoints: []\n"}},
		{name: "controller may not forge the label on what git declares", want: []string{`metadata.labels["gitgate.dev/managed"]`},
			req: updateSettings(kcm, liveSettings, edit(liveSettings, "name: settings,", "name: settings, labels: {gitgate.dev/managed: 'true'},"))},
	})
}

// TestDecideModesAndSecrets: modes, dry runs (rule 7) and Secret values.
func TestDecideModesAndSecrets(t *testing.T) {
	drifted := edit(liveDeployment, "replicas: 3", "replicas: 5")
	dryRun := updateDeployment("alice", liveDeployment, drifted)
	dryRun.dryRun = true
	secret := func(obj string) reqOpts {
		return reqOpts{op: admissionv1.Create, user: "alice", kind: secretKind, ns: "staging", name: "creds", obj: obj}
	}
	decide(t, []decision{
		{name: "warn mode allows", opts: Options{Mode: ModeWarn}, req: updateDeployment("alice", liveDeployment, drifted), allowed: true},
		{name: "audit mode allows", opts: Options{Mode: ModeAudit}, req: updateDeployment("alice", liveDeployment, drifted), allowed: true},
		{name: "a dry run gets the same answer", req: dryRun, want: []string{"spec.replicas: git has 3, request has 5"}},
		{name: "secret values are hidden", want: []string{"data.password: git has (hidden), request has (hidden)"},
			req: secret("apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: staging}\ndata: {password: c2VjcmV0}\n")},
		{name: "secret stringData in git equals data", allowed: true,
			req: secret("apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: staging}\ntype: Opaque\ndata: {password: aHVudGVyMg==}\n")},
	})
}
