package policy

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
)

// inputShape is the documented JSON of a fully populated Input: the field names
// and nesting policies are written against.
const inputShape = `{"request":{"operation":"UPDATE","subResource":"scale",` +
	`"userInfo":{"username":"alice","uid":"u-1","groups":["dev"],"extra":{"scopes":["a"]}},` +
	`"dryRun":true,"kind":{"group":"apps","version":"v1","kind":"Deployment"},` +
	`"namespace":"shop","name":"web","annotations":{"gitgate.dev/break-glass":"INC-1: down"}},` +
	`"object":{"spec":{"replicas":5}},"oldObject":{"spec":{"replicas":3}},"desired":{"spec":{"replicas":3}},` +
	`"drift":[{"path":"spec.replicas","declared":true,"git":3,"old":3,"new":5},{"path":"metadata.labels.x","declared":false}],` +
	`"commit":"abc123","source":"k8s/web.yaml:7","now":"2030-06-01T12:00:00Z"}`

func shapedInput() *Input {
	return &Input{
		Request: Request{
			Operation: "UPDATE", SubResource: "scale",
			UserInfo: UserInfo{Username: "alice", UID: "u-1", Groups: []string{"dev"}, Extra: map[string][]string{"scopes": {"a"}}},
			DryRun:   true, Kind: GVK{Group: "apps", Version: "v1", Kind: "Deployment"},
			Namespace: "shop", Name: "web",
			Annotations: map[string]string{"gitgate.dev/break-glass": "INC-1: down"},
		},
		Object:    map[string]any{"spec": map[string]any{"replicas": int64(5)}},
		OldObject: map[string]any{"spec": map[string]any{"replicas": int64(3)}},
		Desired:   map[string]any{"spec": map[string]any{"replicas": int64(3)}},
		Drift: []DriftItem{
			{Path: "spec.replicas", Declared: true, Git: int64(3), Old: int64(3), New: int64(5)},
			{Path: "metadata.labels.x"},
		},
		Commit: "abc123", Source: "k8s/web.yaml:7",
		Now: time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC),
	}
}

// TestInputJSONShape pins the input contract twice: the JSON of Input, byte for
// byte, and the Rego value the engine builds without JSON, which must read the
// same.
func TestInputJSONShape(t *testing.T) {
	in := shapedInput()
	got, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != inputShape {
		t.Errorf("JSON of Input changed:\n got %s\nwant %s", got, inputShape)
	}
	v, err := (&inputBuilder{max: 1 << 20}).build(in, in.Now)
	if err != nil {
		t.Fatal(err)
	}
	built, err := ast.JSON(v)
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal([]byte(inputShape), &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, roundTrip(t, built)); diff != "" {
		t.Errorf("the engine's input differs from the contract (-want +got):\n%s", diff)
	}
}

// roundTrip returns v as encoding/json decodes its JSON (numbers as float64).
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
