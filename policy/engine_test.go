package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/policy"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		modules map[string]string
		want    []string // substrings of the error
	}{{
		name:    "http.send is forbidden",
		modules: gitgate(`deny contains "x" if http.send({"method": "GET", "url": "http://example.com"})`),
		want:    []string{"policy/exceptions.rego:3", "http.send is not allowed", "network I/O"},
	}, {
		name:    "net.* is forbidden",
		modules: gitgate(`deny contains "x" if net.lookup_ip_addr("example.com")`),
		want:    []string{"policy/exceptions.rego:3", "net.lookup_ip_addr is not allowed"},
	}, {
		name:    "opa.runtime is forbidden",
		modules: gitgate(`warn contains sprintf("%v", [opa.runtime()])`),
		want:    []string{"opa.runtime is not allowed"},
	}, {
		name:    "the clock is forbidden",
		modules: gitgate(`warn contains "late" if time.now_ns() > 0`),
		want:    []string{"time.now_ns is not allowed", "use input.now"},
	}, {
		name:    "parse error names file:line",
		modules: map[string]string{"a.rego": "package gitgate\n\nexceptions contains {\"id\" \"x\"}\n"},
		want:    []string{"a.rego:3", "rego_parse_error"},
	}, {
		name:    "Rego v0 syntax is rejected",
		modules: gitgate(`deny[msg] { msg := "x" }`),
		want:    []string{"policy/exceptions.rego:3"},
	}, {
		name:    "unsafe variable",
		modules: map[string]string{"b.rego": "package gitgate\n\n\ndeny contains x if y > 1\n"},
		want:    []string{"b.rego:4", "unsafe"},
	}, {
		name:    "empty file",
		modules: map[string]string{"empty.rego": ""},
		want:    []string{"empty.rego"},
	}, {
		name:    "reserved package",
		modules: map[string]string{"c.rego": "package gitgate.builtin\n\nexceptions contains {\"id\": \"x\", \"reason\": \"y\"}\n"},
		want:    []string{"c.rego:1", "reserved"},
	}, {
		name:    "reserved rule path",
		modules: gitgate(`builtin.disabled contains "hpa-replicas"`),
		want:    []string{"policy/exceptions.rego:3", "reserved"},
	}, {
		name: "broken test file",
		modules: map[string]string{
			"policy/x.rego":      "package gitgate\n\nwarn contains \"x\"\n",
			"policy/x_test.rego": "package gitgate_test\n\ntest_x if {\n\tundefined_fn(1)\n}\n",
		},
		want: []string{"policy/x_test.rego:4", "undefined function undefined_fn"},
	}, {
		name:    "malformed constant exception fails at load",
		modules: gitgate(`exceptions contains {"id": "no-reason"}`),
		want:    []string{"minimal input", "missing reason"},
	}, {
		name:    "conflict fails at load",
		modules: gitgate("x := 1\nx := 2\nwarn contains \"w\" if x"),
		want:    []string{"policy/exceptions.rego:3", "conflict"},
	}, {
		name:    "unknown disable_builtin id fails at load",
		modules: map[string]string{"config.rego": "package gitgate.config\n\ndisable_builtin := [\"hpa-replica\"]\n"},
		want:    []string{`unknown builtin "hpa-replica"`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.Compile(t.Context(), tt.modules, policy.Options{})
			if err == nil {
				t.Fatal("Compile succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Compile error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestCompileTestFilesNotEvaluated(t *testing.T) {
	e := mustCompile(t, map[string]string{
		"policy/x.rego":      "package gitgate\n\nwarn contains \"from policy\"\n",
		"policy/x_test.rego": "package gitgate\n\nwarn contains \"from test\"\n\ntest_warn if \"from policy\" in warn\n",
	}, policy.Options{})
	got, err := e.Evaluate(t.Context(), driftInput("spec.replicas"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"from policy"}, got.Warn); diff != "" {
		t.Errorf("Warn (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"policy/x.rego", "policy/x_test.rego"}, e.Modules()); diff != "" {
		t.Errorf("Modules (-want +got):\n%s", diff)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    policy.Options
		wantErr bool
	}{
		{"zero means defaults", policy.Options{}, false},
		{"defaults", policy.DefaultOptions(), false},
		{"negative deadline", policy.Options{Deadline: -time.Second}, true},
		{"negative input cap", policy.Options{MaxInputBytes: -1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, wantErr %v", err, tt.wantErr)
			}
			if _, cerr := policy.Compile(t.Context(), nil, tt.opts); (cerr != nil) != tt.wantErr {
				t.Errorf("Compile error = %v, wantErr %v", cerr, tt.wantErr)
			}
		})
	}
	want := policy.Options{Deadline: 100 * time.Millisecond, MaxInputBytes: 1 << 20}
	if diff := cmp.Diff(want, policy.DefaultOptions()); diff != "" {
		t.Errorf("DefaultOptions (-want +got):\n%s", diff)
	}
}
