package webhook

import (
	"context"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// Manifests beside the shared fixtures: an HPA on nginx (2..5), a Deployment no
// HPA scales, a ConfigMap whose owner git declares (with its uid), a Job with a
// TTL, and a ConfigMap in a namespace git does not declare.
var roleFiles = map[string]string{
	"k8s/app/hpa.yaml": `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: nginx, namespace: staging}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nginx}, minReplicas: 2, maxReplicas: 5}
`,
	"k8s/app/worker.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker, namespace: staging}\nspec: {replicas: 1}\n",
	"k8s/app/owned.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: owned, namespace: staging, ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: settings, uid: u-settings}]}
`,
	"k8s/app/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once, namespace: staging}\nspec: {ttlSecondsAfterFinished: 60}\n",
	"k8s/held/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept, namespace: held}\n",
}

const (
	gcUser   = "system:serviceaccount:kube-system:generic-garbage-collector"
	nsUser   = "system:serviceaccount:kube-system:namespace-controller"
	hpaUser  = "system:serviceaccount:kube-system:horizontal-pod-autoscaler"
	ttlUser  = "system:serviceaccount:kube-system:ttl-after-finished-controller"
	depUser  = "system:serviceaccount:kube-system:deployment-controller"
	kcmUser  = "system:kube-controller-manager"
	rogue    = "system:serviceaccount:kube-system:rogue"
	ghostRef = "ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: ghost, uid: u-ghost}]"
	liveCM   = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: staging, uid: x}\ndata: {color: blue}\n"
	liveOwn  = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned, namespace: staging, uid: y, ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: settings, uid: u-settings}]}\n"
	liveJob  = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once, namespace: staging}\nspec: {ttlSecondsAfterFinished: 60}\nstatus: {conditions: [{type: Complete, status: 'True'}]}\n"
	nsHeld   = "apiVersion: v1\nkind: Namespace\nmetadata: {name: held}\n"
	nsEmpty  = "apiVersion: v1\nkind: Namespace\nmetadata: {name: scratch}\n"
)

type terminatingNamespaces map[string]bool

func (t terminatingNamespaces) Terminating(_ context.Context, ns string) bool { return t[ns] }

func TestControllerRoles(t *testing.T) {
	del := func(user, kind, ns, name, old string, groups ...string) reqOpts {
		return reqOpts{op: admissionv1.Delete, user: user, groups: groups, kind: kind, ns: ns, name: name, old: old}
	}
	upd := func(user, old, obj string) reqOpts {
		return reqOpts{op: admissionv1.Update, user: user, kind: cmKind, ns: "staging", name: "settings", old: old, obj: obj}
	}
	scale := func(user, name, from, to string) reqOpts {
		r := reqOpts{op: admissionv1.Update, user: user, kind: "autoscaling/v1/Kind=Scale", resource: "apps/deployments", sub: "scale", ns: "staging", name: name,
			old: scaleObj(from), obj: scaleObj(to)}
		r.old, r.obj = strings.Replace(r.old, "nginx", name, 1), strings.Replace(r.obj, "nginx", name, 1)
		return r
	}
	terminating := terminatingNamespaces{"staging": true}
	tests := []struct {
		name    string
		opts    Options
		req     reqOpts
		allowed bool
		want    []string
	}{
		// The garbage collector, through owners git declares only.
		{name: "GC: a declared object without owners", req: del(gcUser, cmKind, "staging", "settings", liveCM),
			want: []string{"a controller deletes it only as the garbage collector"}},
		{name: "GC: an owner git does not declare (deletion by proxy)", req: del(gcUser, cmKind, "staging", "settings", edit(liveCM, "uid: x", "uid: x, "+ghostRef)),
			want: []string{"it carries owner ConfigMap ghost (uid u-ghost), which git does not declare"}},
		{name: "GC: every owner declared in git", req: del(gcUser, cmKind, "staging", "owned", liveOwn), allowed: true},
		{name: "GC: the declared owner plus one git does not declare", req: del(gcUser, cmKind, "staging", "owned",
			strings.Replace(liveOwn, "uid: u-settings}", "uid: u-settings}, {apiVersion: v1, kind: ConfigMap, name: ghost, uid: u-ghost}", 1)), want: []string{"owner ConfigMap ghost"}},
		{name: "GC: the declared owner's name with another uid", req: del(gcUser, cmKind, "staging", "owned", strings.Replace(liveOwn, "u-settings", "u-other", 1)),
			want: []string{"owner ConfigMap settings (uid u-other)"}},
		{name: "kube-controller-manager has the GC's role", req: del(kcmUser, cmKind, "staging", "owned", liveOwn), allowed: true},
		{name: "another controller has not", req: del(depUser, cmKind, "staging", "owned", liveOwn), want: []string{"a controller deletes it only as"}},
		{name: "a kubelet has not", req: del("system:node:n1", cmKind, "staging", "owned", liveOwn, "system:nodes"), want: []string{"a controller deletes it only as"}},
		// The namespace controller, in a terminating namespace only.
		{name: "namespace controller, namespace terminating", opts: Options{Namespaces: terminating}, req: del(nsUser, cmKind, "staging", "settings", liveCM), allowed: true},
		{name: "namespace controller, namespace live", opts: Options{Namespaces: terminatingNamespaces{}}, req: del(nsUser, cmKind, "staging", "settings", liveCM),
			want: []string{"the namespace controller (in a terminating namespace)"}},
		{name: "namespace controller, no namespace states", req: del(nsUser, cmKind, "staging", "settings", liveCM)},
		{name: "GC in a terminating namespace is still the GC", opts: Options{Namespaces: terminating}, req: del(gcUser, cmKind, "staging", "settings", liveCM)},
		{name: "kube-controller-manager tears namespaces down", opts: Options{Namespaces: terminating}, req: del(kcmUser, cmKind, "staging", "settings", liveCM), allowed: true},
		// The TTL controller, for a finished Job whose TTL git declares.
		{name: "TTL controller, finished Job", req: del(ttlUser, "batch/v1/Kind=Job", "staging", "once", liveJob), allowed: true},
		{name: "TTL controller, running Job", req: del(ttlUser, "batch/v1/Kind=Job", "staging", "once", strings.Replace(liveJob, "Complete", "Suspended", 1))},
		// Humans, however named.
		{name: "a fresh kube-system ServiceAccount is a human", req: del(rogue, cmKind, "staging", "settings", liveCM), want: []string{"delete: the object is declared in git"}},
		{name: "group system:nodes alone is a human", req: del("mallory", cmKind, "staging", "owned", liveOwn, "system:nodes"), want: []string{"delete: the object is declared in git"}},
		// ownerReferences and finalizers: judged in merge mode and for controllers.
		{name: "merge mode: a human adds an owner", opts: Options{Merge: true}, req: upd("alice", liveCM, edit(liveCM, "uid: x", "uid: x, "+ghostRef)),
			want: []string{"metadata.ownerReferences: adds owner ConfigMap ghost (uid u-ghost), which git does not declare"}},
		{name: "strict mode: a human adds an owner", req: upd("alice", liveCM, edit(liveCM, "uid: x", "uid: x, "+ghostRef)), want: []string{"metadata.ownerReferences"}},
		{name: "a controller adds an owner", req: upd(depUser, liveCM, edit(liveCM, "uid: x", "uid: x, "+ghostRef)), want: []string{"adds owner ConfigMap ghost"}},
		{name: "merge mode: removing an owner git does not declare is a repair", opts: Options{Merge: true}, req: upd("alice", edit(liveCM, "uid: x", "uid: x, "+ghostRef), liveCM), allowed: true},
		{name: "merge mode: removing the owner git declares", opts: Options{Merge: true}, req: reqOpts{op: admissionv1.Update, user: "alice", kind: cmKind, ns: "staging", name: "owned",
			old: liveOwn, obj: strings.Replace(liveOwn, ", ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: settings, uid: u-settings}]", "", 1)},
			want: []string{"removes owner ConfigMap settings"}},
		{name: "merge mode: a human adds a finalizer", opts: Options{Merge: true}, req: upd("alice", liveCM, edit(liveCM, "uid: x", "uid: x, finalizers: [example.com/hold]")),
			want: []string{"metadata.finalizers: adds example.com/hold"}},
		{name: "merge mode: an undeclared label is still fine", opts: Options{Merge: true}, req: upd("alice", liveCM, edit(liveCM, "uid: x", "uid: x, labels: {team: a}")), allowed: true},
		{name: "a controller adds the cluster's own finalizer", req: upd(gcUser, liveCM, edit(liveCM, "uid: x", "uid: x, finalizers: [foregroundDeletion]")), allowed: true},
		{name: "a controller adds another finalizer", req: upd(depUser, liveCM, edit(liveCM, "uid: x", "uid: x, finalizers: [example.com/hold]")), want: []string{"adds example.com/hold"}},
		// spec.replicas of an HPA's target belongs to the HPA controller, within git's range.
		{name: "HPA controller within min..max", req: scale(hpaUser, "nginx", "3", "5"), allowed: true},
		{name: "HPA controller as kube-controller-manager", req: scale(kcmUser, "nginx", "3", "2"), allowed: true},
		{name: "HPA controller beyond max", req: scale(hpaUser, "nginx", "3", "6"), want: []string{"spec.replicas: owned by HorizontalPodAutoscaler.autoscaling staging/nginx (git: k8s/app/hpa.yaml:1)", "within 2..5; request has 6"}},
		{name: "HPA controller below min", req: scale(hpaUser, "nginx", "3", "1"), want: []string{"within 2..5"}},
		{name: "HPA controller on a Deployment no HPA in git scales", req: scale(hpaUser, "worker", "1", "2"), want: []string{"spec.replicas: git has 1, request has 2"}},
		{name: "another controller on an HPA's target", req: scale(depUser, "nginx", "3", "4"), want: []string{"only the HPA controller moves it"}},
		{name: "a human within the range", req: scale("alice", "nginx", "3", "4"), want: []string{"only the HPA controller moves it"}},
		{name: "a human back to git's value", req: scale("alice", "nginx", "4", "3"), want: []string{"only the HPA controller moves it"}},
		{name: "a human through the Deployment", req: reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 4")}, want: []string{"spec.replicas: owned by HorizontalPodAutoscaler.autoscaling staging/nginx"}},
		{name: "a human's unrelated update of an autoscaled Deployment", req: reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: edit(liveDeployment, "replicas: 3", "replicas: 4"), obj: edit(liveDeployment, "replicas: 3", "replicas: 4", `resourceVersion: "7"`, `resourceVersion: "8"`)}, allowed: true},
		// A Namespace holding declared objects: the same answer as deleting them.
		{name: "a human deletes a namespace holding declared objects", req: del("alice", "v1/Kind=Namespace", "held", "held", nsHeld),
			want: []string{"delete: namespace held holds 1 objects git declares (ConfigMap held/kept at k8s/held/cm.yaml:1, ...)", "remove what it holds from git"}},
		{name: "a controller too", req: del(kcmUser, "v1/Kind=Namespace", "held", "held", nsHeld), want: []string{"namespace held holds 1"}},
		{name: "already terminating", req: del("alice", "v1/Kind=Namespace", "held", "held", edit(nsHeld, "name: held", "name: held, deletionTimestamp: '2026-01-01T00:00:00Z'")), allowed: true},
		{name: "a namespace holding nothing git declares", req: del("alice", "v1/Kind=Namespace", "scratch", "scratch", nsEmpty), allowed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, fa := newTestHandler(t, tt.opts, roleFiles)
			resp := h.Handle(t.Context(), request(t, tt.req))
			assertDecision(t, resp, tt.allowed, tt.want)
			if !tt.allowed && (len(fa.records) != 1 || fa.records[0].Decision != DecisionDenied) {
				t.Errorf("a denial must be audited once; records: %+v", fa.records)
			}
		})
	}
}
