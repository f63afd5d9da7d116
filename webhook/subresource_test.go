package webhook

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex"
)

const gitPod = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: staging}
spec:
  containers:
  - name: web
    image: nginx:1.21
    resources: {limits: {cpu: 200m}}
`

const gitHPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: nginx, namespace: staging}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nginx}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`

const gitWidget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: staging}\nspec: {replicas: 2}\n"

// fakeKinds is a Kinds answering from a map (discovery, in production).
type fakeKinds map[schema.GroupResource]string

func (f fakeKinds) KindFor(gr schema.GroupResource) (string, bool) {
	k, ok := f[gr]
	return k, ok
}

func newSubresourceHandler(t *testing.T, opts Options) *Handler {
	t.Helper()
	files := []gitindex.File{
		{Path: "k8s/deployment.yaml", Data: []byte(gitDeployment)},
		{Path: "k8s/pod.yaml", Data: []byte(gitPod)},
		{Path: "k8s/hpa.yaml", Data: []byte(gitHPA)},
		{Path: "k8s/widget.yaml", Data: []byte(gitWidget)},
		{Path: "k8s/staging.yaml", Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: staging}\n")},
	}
	snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", files, gitindex.BuildOptions{Repo: "repo"})
	if err != nil {
		t.Fatal(err)
	}
	opts.SyncUsers, opts.Revisions = []string{"gitgate"}, serving(t, snap)
	h, err := NewHandler(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

const (
	livePod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: staging, uid: p1}\nspec:\n  containers:\n  - name: web\n    image: nginx:1.21\n    resources: {limits: {cpu: 200m}}\n"
	liveNS  = "apiVersion: v1\nkind: Namespace\nmetadata: {name: staging, labels: {kubernetes.io/metadata.name: staging}}\nspec: {finalizers: [kubernetes]}\n"
	podKind = "v1/Kind=Pod"
)

func TestSubresources(t *testing.T) {
	widgets := fakeKinds{{Group: "example.com", Resource: "wdgts"}: "Widget"}
	status := func(old, obj string) reqOpts {
		return reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, sub: "status", ns: "staging", name: "nginx", old: old, obj: obj}
	}
	tests := []struct {
		name    string
		opts    Options
		req     reqOpts
		allowed bool
		want    []string
	}{
		{name: "status: annotation", req: status(liveDeployment, edit(liveDeployment, `revision: "1"`, `revision: "1", team: x`)),
			want: []string{"metadata.annotations.team: not declared in git", "(subresource status)"}},
		{name: "status: gitgate label", req: status(liveDeployment, edit(liveDeployment, "labels: {app: nginx}", "labels: {app: nginx, gitgate.dev/managed: 'false'}")),
			want: []string{`metadata.labels["gitgate.dev/managed"]: only gitgate's sync identity`}},
		{name: "status: finalizer", req: status(liveDeployment, edit(liveDeployment, "uid: abc", "uid: abc\n  finalizers: [example.com/hold]")),
			want: []string{"metadata.finalizers"}},
		{name: "status: ownerReference", req: status(liveDeployment, edit(liveDeployment, "uid: abc", "uid: abc\n  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: gone, uid: u}]")),
			want: []string{"metadata.ownerReferences"}},
		{name: "status: status itself", req: status(liveDeployment, edit(liveDeployment, "status: {replicas: 3}", "status: {replicas: 1}")), allowed: true},
		{name: "status: spec is dropped by the API server, not judged", req: status(liveDeployment, edit(liveDeployment, "replicas: 3", "replicas: 9")), allowed: true},
		{name: "status: Pod Security label of a declared Namespace",
			req:  reqOpts{op: admissionv1.Update, user: "alice", kind: "v1/Kind=Namespace", resource: "/namespaces", sub: "status", ns: "staging", name: "staging", old: liveNS, obj: edit(liveNS, "staging}}", "staging, pod-security.kubernetes.io/enforce: privileged}}")},
			want: []string{`metadata.labels["pod-security.kubernetes.io/enforce"]`}},
		{name: "eviction of a declared Pod", req: reqOpts{op: admissionv1.Create, user: "alice", kind: "policy/v1/Kind=Eviction", resource: "/pods", sub: "eviction", ns: "staging", name: "web",
			obj: "apiVersion: policy/v1\nkind: Eviction\nmetadata: {name: web, namespace: staging}\n"},
			want: []string{"CREATE of Pod staging/web denied", "evict: the Pod is declared in git", "remove it from git at k8s/pod.yaml:1"}},
		{name: "eviction of an undeclared Pod", allowed: true, req: reqOpts{op: admissionv1.Create, user: "alice", kind: "policy/v1/Kind=Eviction", resource: "/pods", sub: "eviction", ns: "staging", name: "other",
			obj: "apiVersion: policy/v1\nkind: Eviction\nmetadata: {name: other, namespace: staging}\n"}},
		{name: "binding of a declared Pod", req: reqOpts{op: admissionv1.Create, user: "alice", kind: "v1/Kind=Binding", resource: "/pods", sub: "binding", ns: "staging", name: "web",
			obj: "apiVersion: v1\nkind: Binding\nmetadata: {name: web, namespace: staging}\ntarget: {kind: Node, name: node-a}\n"},
			want: []string{`spec.nodeName: not declared in git (strict mode), request sets "node-a"`}},
		{name: "the bindings resource binds too", req: reqOpts{op: admissionv1.Create, user: "alice", kind: "v1/Kind=Binding", resource: "/bindings", ns: "staging", name: "web",
			obj: "apiVersion: v1\nkind: Binding\nmetadata: {name: web, namespace: staging}\ntarget: {kind: Node, name: node-a}\n"},
			want: []string{"spec.nodeName"}},
		{name: "the scheduler binds", allowed: true, req: reqOpts{op: admissionv1.Create, user: "system:kube-scheduler", kind: "v1/Kind=Binding", resource: "/pods", sub: "binding", ns: "staging", name: "web",
			obj: "apiVersion: v1\nkind: Binding\nmetadata: {name: web, namespace: staging}\ntarget: {kind: Node, name: node-a}\n"}},
		{name: "resize of a declared Pod", req: reqOpts{op: admissionv1.Update, user: "alice", kind: podKind, resource: "/pods", sub: "resize", ns: "staging", name: "web", old: livePod, obj: edit(livePod, "cpu: 200m", "cpu: 2")},
			want: []string{"spec.containers[name=web].resources.limits.cpu: git has \"200m\", request has 2"}},
		{name: "ephemeral container on a declared Pod", req: reqOpts{op: admissionv1.Update, user: "alice", kind: podKind, resource: "/pods", sub: "ephemeralcontainers", ns: "staging", name: "web", old: livePod,
			obj: livePod + "  ephemeralContainers: [{name: debug, image: busybox}]\n"}, want: []string{"spec.ephemeralContainers"}},
		{name: "namespace finalize", req: reqOpts{op: admissionv1.Update, user: "alice", kind: "v1/Kind=Namespace", resource: "/namespaces", sub: "finalize", ns: "staging", name: "staging", old: liveNS, obj: edit(liveNS, "finalizers: [kubernetes]", "finalizers: []")},
			want: []string{"spec.finalizers"}},
		{name: "scale through an irregular plural", opts: Options{Kinds: widgets}, req: reqOpts{op: admissionv1.Update, user: "alice", kind: "autoscaling/v1/Kind=Scale", resource: "example.com/wdgts", sub: "scale", ns: "staging", name: "w1",
			old: scaleObj("2"), obj: scaleObj("7")}, want: []string{"UPDATE of Widget.example.com staging/w1 denied", "spec.replicas: git has 2, request has 7"}},
		{name: "unmapped scale in a governed namespace fails closed", req: reqOpts{op: admissionv1.Update, user: "alice", kind: "autoscaling/v1/Kind=Scale", resource: "example.com/wdgts", sub: "scale", ns: "staging", name: "w1",
			old: scaleObj("2"), obj: scaleObj("7")}, want: []string{"resource example.com/wdgts: its kind is unknown to gitgate", "Retry in a moment"}},
		{name: "unmapped scale elsewhere", allowed: true, req: reqOpts{op: admissionv1.Update, user: "alice", kind: "autoscaling/v1/Kind=Scale", resource: "example.com/wdgts", sub: "scale", ns: "dev", name: "w1",
			old: scaleObj("2"), obj: scaleObj("7")}},
		{name: "another version than git's", req: reqOpts{op: admissionv1.Update, user: "alice", kind: "autoscaling/v1/Kind=HorizontalPodAutoscaler", ns: "staging", name: "nginx",
			old: "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: nginx, namespace: staging}\nspec: {maxReplicas: 5, targetCPUUtilizationPercentage: 50}\n",
			obj: "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: nginx, namespace: staging}\nspec: {maxReplicas: 5, targetCPUUtilizationPercentage: 90}\n"},
			want: []string{`apiVersion: git declares HorizontalPodAutoscaler in "autoscaling/v2"; this request came as "autoscaling/v1"`, "Write it as autoscaling/v2"}},
		{name: "unknown subresource of a declared object", req: reqOpts{op: admissionv1.Update, user: "alice", kind: podKind, resource: "/pods", sub: "frobnicate", ns: "staging", name: "web", old: livePod, obj: livePod},
			want: []string{"subresource pods/frobnicate: gitgate cannot tell what it changes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newSubresourceHandler(t, tt.opts)
			resp := h.Handle(t.Context(), request(t, tt.req))
			assertDecision(t, resp, tt.allowed, tt.want)
		})
	}
}
