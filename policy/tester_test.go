package policy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitgate-dev/gitgate/policy"
)

const testedPolicy = `package gitgate

exceptions contains {"id": "canary", "reason": "canary rollout", "paths": ["spec.template.spec.containers"]} if {
	input.request.userInfo.username == "ci@example.com"
}
`

const policyTests = `package gitgate_test

import data.gitgate

test_ci_may_change_images if {
	some x in gitgate.exceptions with input as {"request": {"userInfo": {"username": "ci@example.com"}}}
	x.id == "canary"
}

test_humans_may_not if {
	count(gitgate.exceptions) == 0 with input as {"request": {"userInfo": {"username": "alice"}}}
}

test_wrong_expectation if {
	count(gitgate.exceptions) == 1 with input as {"request": {"userInfo": {"username": "alice"}}}
}

test_builtins_are_loaded if {
	some x in data.gitgate.builtin.exceptions with input as {"request": {"userInfo": {"username": "alice"}}}
	x.id == "rollout-restart"
}

test_runtime_error if {
	to_number("not a number") == 1
}

todo_test_later if {
	false
}
`

func TestRunTests(t *testing.T) {
	got, err := policy.RunTests(t.Context(), map[string]string{
		"policy/canary.rego":      testedPolicy,
		"policy/canary_test.rego": policyTests,
	})
	if err != nil {
		t.Fatalf("RunTests: %v", err)
	}
	want := []policy.TestResult{
		{Package: "data.gitgate_test", Name: "test_ci_may_change_images", Location: "policy/canary_test.rego:5", Pass: true},
		{Package: "data.gitgate_test", Name: "test_humans_may_not", Location: "policy/canary_test.rego:10", Pass: true},
		{Package: "data.gitgate_test", Name: "test_wrong_expectation", Location: "policy/canary_test.rego:14"},
		{Package: "data.gitgate_test", Name: "test_builtins_are_loaded", Location: "policy/canary_test.rego:18", Pass: true},
		{Package: "data.gitgate_test", Name: "test_runtime_error", Location: "policy/canary_test.rego:23"},
		{Package: "data.gitgate_test", Name: "todo_test_later", Location: "policy/canary_test.rego:27", Pass: true, Skip: true},
	}
	opts := []cmp.Option{cmpopts.IgnoreFields(policy.TestResult{}, "Duration", "Err")}
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("RunTests (-want +got):\n%s", diff)
	}
	for _, r := range got {
		if wantErr := r.Name == "test_runtime_error"; (r.Err != "") != wantErr {
			t.Errorf("%s: Err = %q, want an error: %v", r.Name, r.Err, wantErr)
		}
	}
}

func TestRunTestsCompileError(t *testing.T) {
	tests := []struct {
		name    string
		modules map[string]string
		want    string
	}{
		{"parse error", map[string]string{"p_test.rego": "package p\n\ntest_x if {\n"}, "p_test.rego:"},
		{"http.send", map[string]string{"p_test.rego": "package p\n\ntest_x if http.send({})\n"}, "p_test.rego:3: rego_type_error: http.send is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.RunTests(t.Context(), tt.modules)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("RunTests error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
