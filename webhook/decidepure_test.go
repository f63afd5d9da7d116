package webhook

import (
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// Decide needs no sync identity and writes nothing: what `gitgate check` runs.
func TestDecide(t *testing.T) {
	h, _ := newTestHandler(t, Options{}, nil)
	rev := h.revs.Current()
	drifted := reqOpts{op: admissionv1.Update, kind: deployKind, ns: "staging", name: "nginx",
		old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 5")}
	asUser := func(r reqOpts, user string) reqOpts { r.user = user; return r }
	tests := []struct {
		name        string
		opts        Options
		req         reqOpts
		wantAllowed bool
		wantErr     string
		wantMessage string
	}{
		{name: "no sync identity: judged like anyone", req: asUser(drifted, "gitgate"),
			wantMessage: "spec.replicas: git has 3, request has 5"},
		{name: "a named sync identity passes", opts: Options{Identities: Identities{SyncUsers: []string{"gitgate"}}},
			req: asUser(drifted, "gitgate"), wantAllowed: true},
		{name: "warn mode allows", opts: Options{Mode: ModeWarn}, req: asUser(drifted, "alice"), wantAllowed: true},
		{name: "an invalid mode is an error", opts: Options{Mode: "loud"}, req: asUser(drifted, "alice"), wantErr: "mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := &fakeAuditor{}
			tt.opts.Auditor = fa
			resp, err := Decide(t.Context(), rev, request(t, tt.req), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Decide error = %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Allowed != tt.wantAllowed {
				t.Errorf("allowed = %t, want %t (%+v)", resp.Allowed, tt.wantAllowed, resp.Result)
			}
			if tt.wantMessage != "" && (resp.Result == nil || !strings.Contains(resp.Result.Message, tt.wantMessage)) {
				t.Errorf("message %+v does not contain %q", resp.Result, tt.wantMessage)
			}
			if len(fa.records) > 0 {
				t.Errorf("Decide wrote %d audit record(s); it must write none", len(fa.records))
			}
		})
	}
}
