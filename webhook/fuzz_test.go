package webhook

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// FuzzHandle feeds arbitrary objects through decoding and the whole decision path:
// any input gets an answer, never a panic.
func FuzzHandle(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx","namespace":"staging"},"spec":{"replicas":5}}`), []byte(`{}`), "UPDATE", "")
	f.Add([]byte(`{"metadata":{"name":"nginx","namespace":"staging","labels":{"gitgate.dev/x":1}},"spec":{"template":{"spec":{"containers":[{"name":1},{}]}}}}`), []byte(`null`), "CREATE", "")
	f.Add([]byte(`{"spec":{"replicas":"many"}}`), []byte(`{"spec":{}}`), "UPDATE", "scale")
	f.Add([]byte(`[1,2`), []byte(`{"metadata":{"deletionTimestamp":3}}`), "DELETE", "")
	h, _ := newTestHandler(f, Options{}, map[string]string{"policies/p.rego": `package gitgate

exceptions contains {"id": "any", "reason": "fuzz"} if input.request.name == "settings"
`})
	f.Fuzz(func(t *testing.T, obj, old []byte, op, sub string) {
		for _, kind := range []string{"Deployment", "ConfigMap", "Secret"} {
			req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
				UID: "fuzz", Operation: admissionv1.Operation(op), SubResource: sub,
				Namespace: "staging", Name: "nginx",
				Object: runtime.RawExtension{Raw: obj}, OldObject: runtime.RawExtension{Raw: old},
			}}
			req.Kind.Kind, req.Resource.Resource = kind, "deployments"
			if kind == "Deployment" {
				req.Kind.Group, req.Resource.Group = "apps", "apps"
			}
			req.UserInfo.Username = "alice"
			resp := h.Handle(t.Context(), req)
			if resp.Result == nil && !resp.Allowed {
				t.Fatal("denied without a message")
			}
		}
	})
}
