package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// notes is an EventRecorder that keeps every event's text.
type notes struct{ out []string }

func (n *notes) Eventf(_, _ runtime.Object, eventtype, reason, action, note string, args ...interface{}) {
	n.out = append(n.out, eventtype+" "+reason+" "+action+" "+fmt.Sprintf(note, args...))
}

// TestNoCredentialInOutputs serves a revision of a repository whose URL carries a
// token and scans every output of a denied, a warned and an undeclared request
// (message, warnings, auditAnnotations, audit record, Event) for it.
func TestNoCredentialInOutputs(t *testing.T) {
	const token = "ghp_UNIQUEwebhook4711"
	files := []gitindex.File{
		{Path: "k8s/app/deployment.yaml", Data: []byte(gitDeployment)},
		{Path: "k8s/namespaces/staging.yaml", Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: staging}\n")},
	}
	for _, repo := range []string{"https://" + token + "@git.example.com/org/repo", "https://bot:" + token + "@git.example.com/org/repo?t=" + token} {
		snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", files, gitindex.BuildOptions{Repo: repo})
		if err != nil {
			t.Fatal(err)
		}
		revs := serving(t, snap)
		for _, mode := range []string{ModeEnforce, ModeWarn} {
			fa, ev := &fakeAuditor{}, &notes{}
			h, err := NewHandler(Options{Identities: Identities{SyncUsers: []string{"gitgate"}}, Mode: mode, Auditor: fa, Events: ev, Revisions: revs})
			if err != nil {
				t.Fatal(err)
			}
			var outputs []string
			for _, r := range []reqOpts{
				{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx", old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 5")},
				{op: admissionv1.Create, user: "alice", kind: deployKind, ns: "staging", name: "other", obj: edit(gitDeployment, "name: nginx", "name: other")},
			} {
				resp := h.Handle(t.Context(), request(t, r))
				out, err := json.Marshal(resp)
				if err != nil {
					t.Fatal(err)
				}
				outputs = append(outputs, string(out))
			}
			if len(fa.records) == 0 || len(ev.out) == 0 {
				t.Fatalf("mode %s: %d audit records, %d events; want some of each", mode, len(fa.records), len(ev.out))
			}
			records, err := json.Marshal(fa.records)
			if err != nil {
				t.Fatal(err)
			}
			outputs = append(append(outputs, string(records)), ev.out...)
			for _, out := range outputs {
				if strings.Contains(out, token) {
					t.Errorf("mode %s, repo %s: output leaks the token: %s", mode, repo, out)
				}
			}
			if !strings.Contains(strings.Join(outputs, "\n"), "git.example.com/org/repo") {
				t.Errorf("mode %s: no output names the repository; the test would not see a leak", mode)
			}
		}
	}
}
