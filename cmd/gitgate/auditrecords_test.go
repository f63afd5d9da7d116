package main

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

func TestApplyRecords(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	dep := gitindex.Key{Group: "apps", Kind: "Deployment", Namespace: "prod", Name: "web"}
	sec := gitindex.Key{Kind: "Secret", Namespace: "prod", Name: "db"}
	diff := []drift.Change{{Path: "spec.replicas", Declared: true, Git: int64(3), Old: int64(5), New: int64(3)}}
	res := &apply.Result{Commit: "abc", Time: at, Objects: []apply.ObjectResult{
		{Key: dep, APIVersion: "apps/v1", Action: apply.ActionConfigured, Diff: diff},
		{Key: dep, APIVersion: "apps/v1", Action: apply.ActionUnchanged},
		{Key: dep, APIVersion: "apps/v1", Action: apply.ActionConfigured}, // git changed a field drift does not see
		{Key: sec, APIVersion: "v1", Action: apply.ActionCreated},
		{Key: sec, APIVersion: "v1", Action: apply.ActionConfigured, Diff: []drift.Change{{Path: "data", Git: "x", Old: "y"}}},
		{Key: dep, APIVersion: "apps/v1", Action: apply.ActionPruned},
		{Key: dep, APIVersion: "apps/v1", Action: apply.ActionFailed, Err: errors.New("conflict")},
	}}
	base := func(k gitindex.Key, v, op, decision string) audit.Record {
		return audit.Record{Time: at, Operation: op, Decision: decision, Commit: "abc",
			GVK: audit.GVK{Group: k.Group, Version: v, Kind: k.Kind}, Namespace: k.Namespace, Name: k.Name}
	}
	reverted := base(dep, "v1", audit.OperationApply, audit.DecisionReverted)
	reverted.Drift = []audit.DriftItem{{Path: "spec.replicas", Declared: true, Git: int64(3), Old: int64(5), New: int64(3)}}
	secret := base(sec, "v1", audit.OperationApply, audit.DecisionReverted)
	secret.Drift = audit.MaskSecret([]audit.DriftItem{{Path: "data", Git: "x", Old: "y"}})
	failed := base(dep, "v1", audit.OperationApply, audit.DecisionFailed)
	failed.Reasons = []string{"conflict"}
	want := []audit.Record{reverted, base(sec, "v1", audit.OperationApply, audit.DecisionCreated), secret,
		base(dep, "v1", audit.OperationPrune, audit.DecisionPruned), failed}

	got := applyRecords(res, true)
	if diff := cmp.Diff(want, got, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
		t.Errorf("applyRecords(self-heal) mismatch (-want +got):\n%s", diff)
	}
	first := applyRecords(res, false)
	if first[0].Decision != audit.DecisionApplied || first[2].Decision != audit.DecisionApplied {
		t.Errorf("applyRecords(new commit) decisions = %q, %q; want %q (git's change, not a revert)", first[0].Decision, first[2].Decision, audit.DecisionApplied)
	}
}

func TestRejectedCommitRecordedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := audit.NewLog(t.Context(), audit.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Start(ctx) }()
	a := &auditRecorder{log: l}
	for _, st := range []gitindex.Status{
		{Commit: "good"},
		{Commit: "good", RejectedCommit: "bad", Err: "k8s/x.yaml:1: broken"},
		{Commit: "good", RejectedCommit: "bad", Err: "k8s/x.yaml:1: broken"}, // the next poll, same HEAD
		{Commit: "good", RejectedCommit: "worse", Err: "policy: undefined"},
	} {
		a.status(st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	recs, _, err := audit.ReadRecords(path, audit.Filter{Decision: audit.DecisionRejected})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Commit+": "+r.Reasons[0])
	}
	if diff := cmp.Diff([]string{"bad: k8s/x.yaml:1: broken", "worse: policy: undefined"}, got); diff != "" {
		t.Errorf("rejected records (-want +got):\n%s", diff)
	}
}
