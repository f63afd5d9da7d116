package audit

import (
	"encoding/json"
	"testing"
	"time"
)

// recordShape is the documented JSON of a fully populated Record, in field
// order (the hash chain depends on it): what `gitgate audit verify` and log
// shippers read.
const recordShape = `{"time":"2025-01-02T03:04:05.000000006Z","uid":"uid-6",` +
	`"user":{"username":"alice","uid":"u-1","groups":["dev"],"extra":{"scopes":["a"]}},` +
	`"operation":"UPDATE","subResource":"scale","gvk":{"group":"apps","version":"v1","kind":"Deployment"},` +
	`"namespace":"shop","name":"web","dryRun":true,"decision":"excepted","mode":"enforce",` +
	`"reasons":["spec.replicas: git 3, requested 5"],"reasonsOmitted":1,` +
	`"drift":[{"path":"spec.replicas","declared":true,"git":3,"old":3,"new":5},{"path":"metadata.labels.x","declared":false}],` +
	`"driftOmitted":2,"digestKey":"k1","exceptions":["scale-ok"],"breakGlass":"INC-1: down",` +
	`"commit":"abc123","source":"k8s/web.yaml:7","signer":"release","seq":9,"prev":"p","hash":"h"}`

// TestRecordJSONShape pins the audit line format byte for byte.
func TestRecordJSONShape(t *testing.T) {
	r := Record{
		Time: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), UID: "uid-6",
		User:      User{Username: "alice", UID: "u-1", Groups: []string{"dev"}, Extra: map[string][]string{"scopes": {"a"}}},
		Operation: "UPDATE", SubResource: "scale",
		GVK:       GVK{Group: "apps", Version: "v1", Kind: "Deployment"},
		Namespace: "shop", Name: "web", DryRun: true,
		Decision: DecisionExcepted, Mode: ModeEnforce,
		Reasons: []string{"spec.replicas: git 3, requested 5"}, ReasonsOmitted: 1,
		Drift: []DriftItem{
			{Path: "spec.replicas", Declared: true, Git: int64(3), Old: int64(3), New: int64(5)},
			{Path: "metadata.labels.x"},
		},
		DriftOmitted: 2, DigestKey: "k1", Exceptions: []string{"scale-ok"}, BreakGlass: "INC-1: down",
		Commit: "abc123", Source: "k8s/web.yaml:7", Signer: "release",
		Seq: 9, Prev: "p", Hash: "h",
	}
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != recordShape {
		t.Errorf("JSON of Record changed:\n got %s\nwant %s", got, recordShape)
	}
}
