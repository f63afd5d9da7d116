package webhook

import (
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/revision"
)

const gitDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  namespace: staging
  labels: {app: nginx}
spec:
  replicas: 3
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.21
`

// liveDeployment is git's Deployment as the API server stores it.
const liveDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  namespace: staging
  labels: {app: nginx}
  uid: abc
  resourceVersion: "7"
  annotations: {deployment.kubernetes.io/revision: "1"}
spec:
  replicas: 3
  progressDeadlineSeconds: 600
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.21
        imagePullPolicy: IfNotPresent
status: {replicas: 3}
`

const gitConfigMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: staging}
data: {color: blue}
`

const gitSecret = `apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: staging}
stringData: {password: hunter2}
`

type fakeAuditor struct{ records []audit.Record }

func (f *fakeAuditor) Record(r audit.Record) bool {
	f.records = append(f.records, r)
	return true
}

func newTestHandler(t testing.TB, opts Options, policies map[string]string) (*Handler, *fakeAuditor) {
	t.Helper()
	files := []gitindex.File{
		{Path: "k8s/app/deployment.yaml", Data: []byte(gitDeployment)},
		{Path: "k8s/app/configmap.yaml", Data: []byte(gitConfigMap)},
		{Path: "k8s/app/secret.yaml", Data: []byte(gitSecret)},
		{Path: "k8s/namespaces/staging.yaml", Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: staging}\n")},
	}
	for p, src := range policies {
		files = append(files, gitindex.File{Path: p, Data: []byte(src)})
	}
	snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", files, gitindex.BuildOptions{Repo: "repo"})
	if err != nil {
		t.Fatal(err)
	}
	fa := &fakeAuditor{}
	if opts.SyncUsers == nil {
		opts.SyncUsers = []string{"gitgate"}
	}
	opts.Auditor, opts.Revisions = fa, serving(t, snap)
	h, err := NewHandler(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h, fa
}

// serving returns a store serving snap's revision, built as serve builds it
// (with the commit's CRDs for schemas).
func serving(t testing.TB, snap *gitindex.Snapshot) *revision.Store {
	t.Helper()
	rev, err := revision.New(t.Context(), snap, revision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &revision.Store{}
	s.Publish(rev)
	return s
}

// reqOpts describes an admission request in a test table.
type reqOpts struct {
	op       admissionv1.Operation
	user     string
	groups   []string
	kind     string // group/version/Kind
	resource string
	sub      string
	ns, name string
	old, obj string // YAML
	dryRun   bool
}

func request(t *testing.T, r reqOpts) admission.Request {
	t.Helper()
	gv, kind, _ := strings.Cut(r.kind, "/Kind=")
	group, version, found := strings.Cut(gv, "/")
	if !found {
		group, version = "", gv
	}
	resGroup, res := group, r.resource
	if g, rr, ok := strings.Cut(r.resource, "/"); ok {
		resGroup, res, version = g, rr, "v1"
	}
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID: "uid-1", Operation: r.op, SubResource: r.sub, Namespace: r.ns, Name: r.name,
		Kind:      metav1.GroupVersionKind{Group: group, Version: version, Kind: kind},
		Resource:  metav1.GroupVersionResource{Group: resGroup, Version: version, Resource: res},
		UserInfo:  authenticationv1.UserInfo{Username: r.user, Groups: r.groups},
		Object:    raw(t, r.obj),
		OldObject: raw(t, r.old),
		DryRun:    &r.dryRun,
	}}
}

func raw(t *testing.T, y string) runtime.RawExtension {
	t.Helper()
	if y == "" {
		return runtime.RawExtension{}
	}
	j, err := yaml.YAMLToJSON([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return runtime.RawExtension{Raw: j}
}

// edit applies string replacements to a YAML document, failing loudly when one
// is missing (a row whose edit did not apply would test nothing).
func edit(doc string, replace ...string) string {
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(doc, replace[i]) {
			panic("edit: " + replace[i] + " not found")
		}
		doc = strings.Replace(doc, replace[i], replace[i+1], 1)
	}
	return doc
}

func scaleObj(replicas string) string {
	s := "apiVersion: autoscaling/v1\nkind: Scale\nmetadata: {name: nginx, namespace: staging}\nspec: {"
	if replicas != "" {
		s += "replicas: " + replicas
	}
	return s + "}\n"
}

// The denial, its audit record and its auditAnnotations name the same place in git:
// the drifted field's line.
func TestSourceAgreesAcrossMessageAuditAndAnnotations(t *testing.T) {
	h, fa := newTestHandler(t, Options{}, nil)
	resp := h.Handle(t.Context(), request(t, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
		old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 5")}))
	const want = "k8s/app/deployment.yaml:8"
	if resp.Allowed || !strings.Contains(resp.Result.Message, "git: repo@0123456:"+want) {
		t.Fatalf("message: %+v", resp.Result)
	}
	if got := resp.AuditAnnotations["source"]; got != want {
		t.Errorf("auditAnnotations source = %q, want %q", got, want)
	}
	if len(fa.records) != 1 || fa.records[0].Source != want {
		t.Errorf("audit records %+v, want one with source %q", fa.records, want)
	}
}

// assertDecision checks a table row's answer: allowed or not, and every wanted
// piece of the message.
func assertDecision(t *testing.T, resp admission.Response, allowed bool, want []string) {
	t.Helper()
	msg := ""
	if resp.Result != nil {
		msg = resp.Result.Message
	}
	if resp.Allowed != allowed {
		t.Fatalf("allowed = %v, want %v; message:\n%s", resp.Allowed, allowed, msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message does not contain %q:\n%s", w, msg)
		}
	}
}
