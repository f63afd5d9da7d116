package policy_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitgate-dev/gitgate/policy"
)

const imagePath = "spec.template.spec.containers[name=nginx].image"

func TestEvaluateExceptions(t *testing.T) {
	noBuiltins := policy.Options{DisableBuiltins: true}
	tests := []struct {
		name    string
		rules   string
		paths   []string
		want    *policy.Result
		wantErr string
	}{{
		name:  "no policies covers nothing",
		paths: []string{"spec.replicas"},
		want:  &policy.Result{Covered: []bool{false}},
	}, {
		name:  "exception without paths covers every item",
		rules: `exceptions contains {"id": "all", "reason": "migration"}`,
		paths: []string{"spec.replicas", imagePath},
		want: &policy.Result{Covered: []bool{true, true},
			Exceptions: []policy.Exception{{ID: "all", Reason: "migration"}}},
	}, {
		name:  "exact path",
		rules: `exceptions contains {"id": "r", "reason": "x", "paths": ["spec.replicas"]}`,
		paths: []string{"spec.replicas", imagePath},
		want: &policy.Result{Covered: []bool{true, false},
			Exceptions: []policy.Exception{{ID: "r", Reason: "x", Paths: []string{"spec.replicas"}}}},
	}, {
		name:  "prefix at a dot or bracket boundary",
		rules: `exceptions contains {"id": "t", "reason": "x", "paths": ["spec.template", "metadata.annotations"]}`,
		paths: []string{imagePath, `metadata.annotations["example.com/a"]`, "spec.templateHash", "spec.replicas"},
		want: &policy.Result{Covered: []bool{true, true, false, false},
			Exceptions: []policy.Exception{{ID: "t", Reason: "x", Paths: []string{"spec.template", "metadata.annotations"}}}},
	}, {
		name:  "bracket prefix",
		rules: `exceptions contains {"id": "c", "reason": "x", "paths": ["spec.template.spec.containers[name=nginx]"]}`,
		paths: []string{imagePath, "spec.template.spec.containers[name=nginx-sidecar].image"},
		want: &policy.Result{Covered: []bool{true, false},
			Exceptions: []policy.Exception{{ID: "c", Reason: "x", Paths: []string{"spec.template.spec.containers[name=nginx]"}}}},
	}, {
		name:  "trailing glob",
		rules: `exceptions contains {"id": "g", "reason": "x", "paths": ["metadata.labels.team*"]}`,
		paths: []string{"metadata.labels.team", "metadata.labels.team-owner", "metadata.labels.app"},
		want: &policy.Result{Covered: []bool{true, true, false},
			Exceptions: []policy.Exception{{ID: "g", Reason: "x", Paths: []string{"metadata.labels.team*"}}}},
	}, {
		name:  "empty paths covers nothing",
		rules: `exceptions contains {"id": "none", "reason": "x", "paths": []}`,
		paths: []string{"spec.replicas"},
		want:  &policy.Result{Covered: []bool{false}},
	}, {
		name: "expired exception is reported, not applied",
		rules: `exceptions contains {"id": "old", "reason": "x", "expires": "2030-06-01T12:00:00Z"}
exceptions contains {"id": "new", "reason": "y", "paths": ["spec.replicas"], "expires": "2030-06-01T12:00:01Z"}`,
		paths: []string{"spec.replicas", imagePath},
		want: &policy.Result{Covered: []bool{true, false},
			Exceptions: []policy.Exception{{ID: "new", Reason: "y", Paths: []string{"spec.replicas"},
				Expires: time.Date(2030, 6, 1, 12, 0, 1, 0, time.UTC)}},
			Expired: []policy.Exception{{ID: "old", Reason: "x", Expires: now}}},
	}, {
		name:  "unmatched exceptions are not listed",
		rules: `exceptions contains {"id": "other", "reason": "x", "paths": ["data"], "expires": "2000-01-01T00:00:00Z"}`,
		paths: []string{"spec.replicas"},
		want:  &policy.Result{Covered: []bool{false}},
	}, {
		name: "exceptions sorted by id, read from input",
		rules: `exceptions contains {"id": "b", "reason": "x", "paths": [input.drift[0].path]}
exceptions contains {"id": "a", "reason": "x", "break_glass": true} if input.request.userInfo.username == "alice@example.com"
exceptions contains {"id": "c", "reason": "x"} if input.request.userInfo.username == "bob"`,
		paths: []string{"spec.replicas"},
		want: &policy.Result{Covered: []bool{true}, Exceptions: []policy.Exception{
			{ID: "a", Reason: "x", BreakGlass: true}, {ID: "b", Reason: "x", Paths: []string{"spec.replicas"}}}},
	}, {
		name: "exceptions as an array, deny and warn messages",
		rules: `exceptions := [{"id": "a", "reason": "x"}]
deny contains sprintf("no changes to %s", [input.request.name])
deny contains {"code": 7}
warn := ["careful"]`,
		paths: []string{"spec.replicas"},
		want: &policy.Result{Covered: []bool{true}, Exceptions: []policy.Exception{{ID: "a", Reason: "x"}},
			Deny: []string{"no changes to web", `{"code":7}`}, Warn: []string{"careful"}},
	}, {
		name:    "missing id",
		rules:   `exceptions contains {"reason": "x"} if input.drift[0]`,
		paths:   []string{"spec.replicas"},
		wantErr: `data.gitgate.exceptions[0] {"reason":"x"}: missing id`,
	}, {
		name:    "missing reason",
		rules:   `exceptions contains {"id": "x"} if input.drift[0]`,
		paths:   []string{"spec.replicas"},
		wantErr: "missing reason",
	}, {
		name:    "misspelt key",
		rules:   `exceptions contains {"id": "x", "reason": "y", "path": ["spec"]} if input.drift[0]`,
		paths:   []string{"spec.replicas"},
		wantErr: `unknown key "path"`,
	}, {
		name:    "bad expiry",
		rules:   `exceptions contains {"id": "x", "reason": "y", "expires": "tomorrow"} if input.drift[0]`,
		paths:   []string{"spec.replicas"},
		wantErr: "expires",
	}, {
		name:    "deny that is not a collection",
		rules:   `deny := "no" if input.drift[0]`,
		paths:   []string{"spec.replicas"},
		wantErr: "data.gitgate.deny must be a set or an array, got string",
	}, {
		name:    "runtime conflict",
		rules:   "x := 1 if input.drift[0]\nx := 2 if input.drift[0]\nexceptions contains {\"id\": \"a\", \"reason\": \"b\"} if x",
		paths:   []string{"spec.replicas"},
		wantErr: "policy/exceptions.rego:3",
	}, {
		name:    "strict builtin errors",
		rules:   `deny contains "x" if { input.drift[0]; to_number(input.request.name) > 1 }`,
		paths:   []string{"spec.replicas"},
		wantErr: "to_number",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustCompile(t, gitgate(tt.rules), noBuiltins)
			got, err := e.Evaluate(t.Context(), driftInput(tt.paths...))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Evaluate error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateDeadline(t *testing.T) {
	e := mustCompile(t, gitgate(`deny contains "slow" if {
	input.drift[0]
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i + j < 0
}`), policy.Options{Deadline: time.Millisecond, DisableBuiltins: true})
	start := time.Now()
	_, err := e.Evaluate(t.Context(), driftInput("spec.replicas"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1ms deadline") {
		t.Fatalf("Evaluate error = %v, want the 1ms deadline exceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Evaluate took %s after a 1ms deadline", elapsed)
	}
}

func TestEvaluateInputTooLarge(t *testing.T) {
	e := mustCompile(t, nil, policy.Options{MaxInputBytes: 2000})
	in := deploymentInput(t)
	_, err := e.Evaluate(t.Context(), in)
	if !errors.Is(err, policy.ErrInputTooLarge) {
		t.Fatalf("Evaluate error = %v, want ErrInputTooLarge", err)
	}
	// Walked, or counted from the sizes the caller knows: the same cap.
	for _, sized := range []bool{false, true} {
		in := deploymentInput(t)
		if !sized {
			in.ObjectBytes, in.OldObjectBytes = 0, 0
		}
		in.Desired = nil
		if _, err := e.Evaluate(t.Context(), in); !errors.Is(err, policy.ErrInputTooLarge) {
			t.Errorf("sized %v: Evaluate error = %v, want ErrInputTooLarge", sized, err)
		}
	}
	in.Object, in.OldObject, in.Desired = nil, nil, nil
	if _, err := e.Evaluate(t.Context(), in); err != nil {
		t.Fatalf("Evaluate of the small input: %v", err)
	}
}

func TestEvaluateBadInput(t *testing.T) {
	e := mustCompile(t, nil, policy.Options{})
	if _, err := e.Evaluate(t.Context(), nil); err == nil {
		t.Error("Evaluate(nil) succeeded")
	}
	var zero policy.Engine
	if _, err := zero.Evaluate(t.Context(), driftInput("spec.replicas")); err == nil {
		t.Error("Evaluate on a zero Engine succeeded")
	}
	in := driftInput("spec.replicas")
	in.Drift[0].New = []any{1.0, map[string]any{"nan": nanValue()}}
	if _, err := e.Evaluate(t.Context(), in); err == nil || !strings.Contains(err.Error(), "input.drift[0].new") {
		t.Errorf("Evaluate with NaN error = %v, want one naming input.drift[0].new", err)
	}
}

// TestEvaluateInputDocument checks that policies see the documented input.
func TestEvaluateInputDocument(t *testing.T) {
	e := mustCompile(t, gitgate(`warn := [sprintf("%v", [x]) | some x in [
	input.request.operation, input.request.userInfo.groups[0], input.request.kind.group,
	input.request.dryRun, input.object.spec.replicas, input.oldObject.spec.replicas,
	input.desired.spec.template.spec.containers[0].ports[1].containerPort,
	input.drift[0].path, input.drift[0].new, input.drift[1].declared, input.commit,
	input.source, input.now, object.get(input.request, "subResource", "none"),
	count(input.object.metadata.labels), input.request.annotations["example.com/note"],
	input.request.userInfo.extra["example.com/scope"][0],
]]`), policy.Options{DisableBuiltins: true})
	in := deploymentInput(t)
	in.Request.Annotations = map[string]string{"example.com/note": "hi"}
	in.Request.UserInfo.Extra = map[string][]string{"example.com/scope": {"shop"}}
	got, err := e.Evaluate(t.Context(), in)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	want := []string{"UPDATE", "developers", "apps", "false", "5", "3", "9090", "spec.replicas", "5",
		"true", in.Commit, in.Source, "2030-06-01T12:00:00Z", "none", "3", "hi", "shop"}
	if diff := cmp.Diff(want, got.Warn); diff != "" {
		t.Errorf("input as policies see it (-want +got):\n%s", diff)
	}
}

// TestEvaluateUnusualTypes checks values that are not plain decoded JSON.
func TestEvaluateUnusualTypes(t *testing.T) {
	e := mustCompile(t, gitgate(`warn contains sprintf("%v %v %v", [input.object.spec.replicas, input.object.spec.tags, input.drift[0].new.limit])`),
		policy.Options{DisableBuiltins: true})
	in := driftInput("spec.replicas")
	in.Object = map[string]any{"spec": map[string]any{"replicas": int32(3), "tags": []string{"a", "b"}}}
	in.Drift[0].New = map[string]any{"limit": json.Number("1.5")}
	got, err := e.Evaluate(t.Context(), in)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if diff := cmp.Diff([]string{`3 ["a", "b"] 1.5`}, got.Warn); diff != "" {
		t.Errorf("Warn (-want +got):\n%s", diff)
	}
}

// TestEvaluateConcurrent shares one Engine and one Input between goroutines
// (run with -race).
func TestEvaluateConcurrent(t *testing.T) {
	e := mustCompile(t, gitgate(`exceptions contains {"id": "x", "reason": "y", "paths": ["spec.replicas"]} if {
	input.object.spec.template.spec.containers[_].name == "nginx"
	input.desired.metadata.labels.app == "web"
}`), policy.Options{})
	in := deploymentInput(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				res, err := e.Evaluate(t.Context(), in)
				if err == nil && !res.Covered[0] {
					err = errors.New("spec.replicas not covered")
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestEvaluateInputCapCountsOneCopy(t *testing.T) {
	e := mustCompile(t, nil, policy.Options{MaxInputBytes: 100_000})
	tests := []struct {
		name    string
		size    int
		sized   bool
		wantErr bool
	}{
		{name: "six walked copies of 60 KB fit a 100 KB cap", size: 60_000},
		{name: "six sized copies of 60 KB fit a 100 KB cap", size: 60_000, sized: true},
		{name: "one copy over the cap does not", size: 120_000, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := func() map[string]any {
				return map[string]any{"kind": "ConfigMap", "data": map[string]any{"big": strings.Repeat("x", tt.size)}}
			}
			in := &policy.Input{Request: policy.Request{Operation: "UPDATE", Kind: policy.GVK{Version: "v1", Kind: "ConfigMap"}, Name: "c"},
				Object: obj(), OldObject: obj(), Desired: obj(), Drift: []policy.DriftItem{{Path: "data", Declared: true,
					Git: obj()["data"], Old: obj()["data"], New: obj()["data"]}}}
			if tt.sized {
				in.ObjectBytes, in.OldObjectBytes = tt.size+40, tt.size+40
			}
			_, err := e.Evaluate(t.Context(), in)
			if got := errors.Is(err, policy.ErrInputTooLarge); got != tt.wantErr {
				t.Errorf("Evaluate error = %v, want too large: %v", err, tt.wantErr)
			}
		})
	}
}
