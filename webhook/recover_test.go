package webhook

import (
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

type panickingKinds struct{}

func (panickingKinds) KindFor(schema.GroupResource) (string, bool) { panic("boom") }

// An internal failure is an explained denial, never a panic or a bare 5xx.
func TestInternalErrorFailsClosed(t *testing.T) {
	h, _ := newTestHandler(t, Options{Kinds: panickingKinds{}}, nil)
	const scale = "apiVersion: autoscaling/v1\nkind: Scale\nmetadata: {name: w1, namespace: staging}\nspec: {replicas: 3}\n"
	resp := h.Handle(t.Context(), request(t, reqOpts{op: admissionv1.Update, user: "alice", kind: "autoscaling/v1/Kind=Scale",
		resource: "example.com/widgets", sub: "scale", ns: "staging", name: "w1", old: scale, obj: strings.Replace(scale, "3", "5", 1)}))
	if resp.Allowed || resp.Result == nil || !strings.Contains(resp.Result.Message, "internal error") {
		t.Fatalf("want an explained denial, got %+v", resp.AdmissionResponse)
	}
}
