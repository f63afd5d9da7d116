package webhook

import (
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/webhook/drift"
)

type panickingSchemas struct{}

func (panickingSchemas) Type(schema.GroupVersionKind) drift.Type { panic("boom") }

// An internal failure is an explained denial, never a panic or a bare 5xx.
func TestInternalErrorFailsClosed(t *testing.T) {
	h, _ := newTestHandler(t, Options{Schemas: panickingSchemas{}}, nil)
	resp := h.Handle(t.Context(), request(t, reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
		old: liveDeployment, obj: edit(liveDeployment, "replicas: 3", "replicas: 5")}))
	if resp.Allowed || resp.Result == nil || !strings.Contains(resp.Result.Message, "internal error") {
		t.Fatalf("want an explained denial, got %+v", resp.AdmissionResponse)
	}
}
