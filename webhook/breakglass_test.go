package webhook

import (
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
)

const breakGlassPolicy = `package gitgate.config

break_glass := {"groups": ["sre"], "ttl": "2h"}
`

// A break-glass ticket covers the change that carries it: a later change of the
// still-annotated object, by anyone, needs its own.
func TestBreakGlassCoversOnlyItsOwnChange(t *testing.T) {
	until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	annotated := edit(liveDeployment, `revision: "1"`, `revision: "1", gitgate.dev/break-glass: "INC-7: checkout down", gitgate.dev/break-glass-until: "`+until+`"`)
	tests := []struct {
		name    string
		user    string
		groups  []string
		old     string
		obj     string
		allowed bool
		want    string
	}{
		{name: "the ticket's own change", user: "alice", groups: []string{"sre"}, old: liveDeployment,
			obj: edit(annotated, "replicas: 3", "replicas: 9"), allowed: true},
		{name: "a later change by someone else", user: "bob", old: edit(annotated, "replicas: 3", "replicas: 9"),
			obj: edit(annotated, "replicas: 3", "replicas: 12"), want: "spec.replicas: git has 3, request has 12"},
		{name: "a later change by the same group, no new ticket", user: "carol", groups: []string{"sre"}, old: edit(annotated, "replicas: 3", "replicas: 9"),
			obj: edit(annotated, "replicas: 3", "replicas: 12"), want: "spec.replicas"},
		{name: "a new ticket", user: "carol", groups: []string{"sre"}, old: edit(annotated, "replicas: 3", "replicas: 9"),
			obj: edit(strings.Replace(annotated, "INC-7", "INC-8", 1), "replicas: 3", "replicas: 12"), allowed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newTestHandler(t, Options{}, map[string]string{"policies/config.rego": breakGlassPolicy})
			resp := h.Handle(t.Context(), request(t, reqOpts{op: admissionv1.Update, user: tt.user, groups: tt.groups, kind: deployKind,
				ns: "staging", name: "nginx", old: tt.old, obj: tt.obj}))
			msg := ""
			if resp.Result != nil {
				msg = resp.Result.Message
			}
			if resp.Allowed != tt.allowed || !strings.Contains(msg, tt.want) {
				t.Errorf("allowed = %v (want %v), message %q (want it to contain %q)", resp.Allowed, tt.allowed, msg, tt.want)
			}
		})
	}
}
