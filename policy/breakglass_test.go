package policy_test

import (
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/policy"
)

func TestBreakGlassWindow(t *testing.T) {
	tests := []struct {
		name       string
		config     string
		noBuiltins bool
		want       time.Duration
	}{
		{name: "not configured: none", want: 0},
		{name: "groups and ttl", config: breakGlassConfig, want: 2 * time.Hour},
		{name: "groups, default ttl", config: "package gitgate.config\n\nbreak_glass := {\"groups\": [\"sre\"]}\n", want: 4 * time.Hour},
		{name: "no groups: disabled", config: "package gitgate.config\n\nbreak_glass := {\"ttl\": \"8h\"}\n", want: 0},
		{name: "builtin turned off", config: breakGlassConfig + "\ndisable_builtin contains \"break-glass\"\n", want: 0},
		{name: "no builtins at all", config: breakGlassConfig, noBuiltins: true, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			modules := map[string]string{}
			if tt.config != "" {
				modules["policies/config.rego"] = tt.config
			}
			opts := policy.DefaultOptions()
			opts.DisableBuiltins = tt.noBuiltins
			eng, err := policy.Compile(t.Context(), modules, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := eng.BreakGlassWindow(); got != tt.want {
				t.Errorf("BreakGlassWindow() = %s, want %s", got, tt.want)
			}
		})
	}
}
