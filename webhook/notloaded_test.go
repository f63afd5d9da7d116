package webhook

import (
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/gitgate-dev/gitgate/webhook/revision"
)

// TestNotLoadedSaysWhy: before any revision is loaded, a human's governed write
// is denied and readiness fails, both with the reason HEAD was not loaded.
func TestNotLoadedSaysWhy(t *testing.T) {
	h, err := NewHandler(Options{Identities: Identities{SyncUsers: []string{"gitgate"}}, Revisions: &revision.Store{}})
	if err != nil {
		t.Fatal(err)
	}
	write := request(t, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx", old: liveDeployment, obj: liveDeployment})
	const why = "commit 0123456 rejected: the revision has more than 50000 objects (the bound on objects per revision)"
	for _, tc := range []struct {
		name, reason string
	}{
		{name: "nothing known yet"},
		{name: "HEAD rejected", reason: why},
		{name: "long reason", reason: why + strings.Repeat("; k8s/x.yaml:1: invalid YAML", 100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.NotLoaded(tc.reason)
			resp := h.Handle(t.Context(), write)
			ready := h.Ready(nil)
			if resp.Allowed || !strings.Contains(resp.Result.Message, "has not loaded git yet") || ready == nil {
				t.Fatalf("denial %+v, readiness %v: want a denial and not ready", resp.Result, ready)
			}
			for what, got := range map[string]string{"denial": resp.Result.Message, "readiness": ready.Error()} {
				if tc.reason != "" && !strings.Contains(got, why) {
					t.Errorf("%s does not say why: %q", what, got)
				}
				if len(got) > 800 {
					t.Errorf("%s is %d bytes long, want it short", what, len(got))
				}
			}
		})
	}
}
