package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitgate-dev/gitgate/policy"
)

const (
	restartPath = `spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]`
	hpaUser     = "system:serviceaccount:kube-system:horizontal-pod-autoscaler"
	hpaRetired  = "package gitgate.config\n\ndisable_builtin contains \"hpa-replicas\"\n"
)

var (
	fluxRequested = `metadata.annotations["reconcile.fluxcd.io/requestedAt"]`
	fluxException = policy.Exception{ID: "flux-reconcile", Reason: "flux reconcile only stamps the object with a reconcile request",
		Paths: []string{fluxRequested, `metadata.annotations["reconcile.fluxcd.io/forceAt"]`, `metadata.annotations["reconcile.fluxcd.io/resetAt"]`}}
	restartException = policy.Exception{ID: "rollout-restart",
		Reason: "kubectl rollout restart only stamps the pod template with restartedAt", Paths: []string{restartPath}}
)

// fluxKind makes the input's request of a kind in group.
func fluxKind(group string) func(*policy.Input) {
	return func(in *policy.Input) { in.Request.Kind.Group = group }
}

func TestBuiltinDefaults(t *testing.T) {
	hpa := func(in *policy.Input) { in.Request.UserInfo = policy.UserInfo{Username: hpaUser} }
	tests := []struct {
		name    string
		modules map[string]string
		opts    policy.Options
		paths   []string
		edit    func(*policy.Input)
		want    *policy.Result
	}{{
		name:  "rollout restart",
		paths: []string{restartPath, `spec.template.metadata.annotations["example.com/other"]`},
		want:  &policy.Result{Covered: []bool{true, false}, Exceptions: []policy.Exception{restartException}},
	}, {
		name:  "flux reconcile on a Flux object",
		paths: []string{fluxRequested, `metadata.annotations["example.com/other"]`},
		edit:  fluxKind("kustomize.toolkit.fluxcd.io"),
		want:  &policy.Result{Covered: []bool{true, false}, Exceptions: []policy.Exception{fluxException}},
	}, {
		name:  "the reconcile annotation on another kind is drift",
		paths: []string{fluxRequested},
		edit:  fluxKind("apps"),
		want:  &policy.Result{Covered: []bool{false}},
	}, {
		name:    "flux-reconcile disabled",
		modules: gitgate(`config.disable_builtin := ["flux-reconcile"]`),
		paths:   []string{fluxRequested},
		edit:    fluxKind("helm.toolkit.fluxcd.io"),
		want:    &policy.Result{Covered: []bool{false}},
	}, {
		// hpa-replicas is retired: the webhook derives the HPA's ownership from git.
		name:  "the HPA's username is no exception",
		paths: []string{"spec.replicas", imagePath},
		edit:  hpa,
		want:  &policy.Result{Covered: []bool{false, false}},
	}, {
		name:  "a human may not scale",
		paths: []string{"spec.replicas"},
		want:  &policy.Result{Covered: []bool{false}},
	}, {
		name:  "builtins disabled by options",
		opts:  policy.Options{DisableBuiltins: true},
		paths: []string{restartPath, "spec.replicas"},
		edit:  hpa,
		want:  &policy.Result{Covered: []bool{false, false}},
	}, {
		name:    "the retired hpa-replicas may still be disabled",
		modules: map[string]string{"config.rego": hpaRetired},
		paths:   []string{restartPath, "spec.replicas"},
		edit:    hpa,
		want:    &policy.Result{Covered: []bool{true, false}, Exceptions: []policy.Exception{restartException}},
	}, {
		name:    "rollout-restart disabled from package gitgate",
		modules: gitgate(`config.disable_builtin := ["rollout-restart"]`),
		paths:   []string{restartPath, "spec.replicas"},
		edit:    hpa,
		want:    &policy.Result{Covered: []bool{false, false}},
	}, {
		name: "repository and builtin exceptions merge",
		modules: gitgate(`exceptions contains {"id": "image", "reason": "canary", "paths": ["spec.template.spec.containers"]}
warn contains "canary in progress"`),
		paths: []string{"spec.replicas", imagePath},
		edit:  hpa,
		want: &policy.Result{Covered: []bool{false, true}, Warn: []string{"canary in progress"},
			Exceptions: []policy.Exception{{ID: "image", Reason: "canary", Paths: []string{"spec.template.spec.containers"}}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustCompile(t, tt.modules, tt.opts)
			in := driftInput(tt.paths...)
			if tt.edit != nil {
				tt.edit(in)
			}
			got, err := e.Evaluate(t.Context(), in)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

const breakGlassConfig = `package gitgate.config

break_glass := {"groups": ["sre"], "ttl": "2h"}
`

func TestBreakGlass(t *testing.T) {
	until := now.Add(time.Hour).Format(time.RFC3339)
	valid := policy.Exception{ID: "break-glass:INC-42", Reason: "checkout is down",
		Expires: now.Add(time.Hour), BreakGlass: true}
	tests := []struct {
		name        string
		config      string // module config.rego; "" for none
		groups      []string
		annotations map[string]string
		want        *policy.Result
	}{{
		name:        "valid",
		config:      breakGlassConfig,
		groups:      []string{"developers", "sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "INC-42: checkout is down", "gitgate.dev/break-glass-until": until},
		want:        &policy.Result{Covered: []bool{true, true}, Exceptions: []policy.Exception{valid}},
	}, {
		name:        "no annotation",
		config:      breakGlassConfig,
		groups:      []string{"sre"},
		annotations: nil,
		want:        &policy.Result{Covered: []bool{false, false}},
	}, {
		name:        "not enabled",
		groups:      []string{"sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "INC-42: checkout is down", "gitgate.dev/break-glass-until": until},
		want: &policy.Result{Covered: []bool{false, false},
			Warn: []string{"break-glass not applied: it is not enabled in this repository (data.gitgate.config.break_glass.groups is empty)"}},
	}, {
		name:        "no ticket",
		config:      breakGlassConfig,
		groups:      []string{"sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "checkout is down", "gitgate.dev/break-glass-until": until},
		want: &policy.Result{Covered: []bool{false, false},
			Warn: []string{`break-glass not applied: annotation gitgate.dev/break-glass must read "<ticket>: <reason>" with a ticket matching ^[A-Z][A-Z0-9]+-[0-9]+$`}},
	}, {
		name:        "no reason",
		config:      breakGlassConfig,
		groups:      []string{"sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "INC-42:  ", "gitgate.dev/break-glass-until": until},
		want: &policy.Result{Covered: []bool{false, false},
			Warn: []string{`break-glass not applied: annotation gitgate.dev/break-glass must read "<ticket>: <reason>" with a ticket matching ^[A-Z][A-Z0-9]+-[0-9]+$`}},
	}, {
		name:        "not in group",
		config:      breakGlassConfig,
		groups:      []string{"developers"},
		annotations: map[string]string{"gitgate.dev/break-glass": "INC-42: checkout is down", "gitgate.dev/break-glass-until": until},
		want: &policy.Result{Covered: []bool{false, false},
			Warn: []string{`break-glass not applied: user alice@example.com is in none of the break-glass groups ["sre"]`}},
	}, {
		name:        "until too far",
		config:      breakGlassConfig,
		groups:      []string{"sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "INC-42: checkout is down", "gitgate.dev/break-glass-until": now.Add(3 * time.Hour).Format(time.RFC3339)},
		want: &policy.Result{Covered: []bool{false, false},
			Warn: []string{"break-glass not applied: annotation gitgate.dev/break-glass-until is more than 2h ahead"}},
	}, {
		name:        "until missing",
		config:      breakGlassConfig,
		groups:      []string{"sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "INC-42: checkout is down"},
		want: &policy.Result{Covered: []bool{false, false},
			Warn: []string{"break-glass not applied: annotation gitgate.dev/break-glass-until must be an RFC 3339 time"}},
	}, {
		name:        "until malformed",
		config:      breakGlassConfig,
		groups:      []string{"sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "INC-42: checkout is down", "gitgate.dev/break-glass-until": "in an hour"},
		want: &policy.Result{Covered: []bool{false, false},
			Warn: []string{"break-glass not applied: annotation gitgate.dev/break-glass-until must be an RFC 3339 time"}},
	}, {
		name:        "until passed",
		config:      breakGlassConfig,
		groups:      []string{"sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "INC-42: checkout is down", "gitgate.dev/break-glass-until": now.Add(-time.Minute).Format(time.RFC3339)},
		want: &policy.Result{Covered: []bool{false, false}, Expired: []policy.Exception{{ID: "break-glass:INC-42",
			Reason: "checkout is down", Expires: now.Add(-time.Minute), BreakGlass: true}}},
	}, {
		name:        "disabled by the repository",
		config:      breakGlassConfig + "\ndisable_builtin := {\"break-glass\"}\n",
		groups:      []string{"sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "INC-42: checkout is down", "gitgate.dev/break-glass-until": until},
		want:        &policy.Result{Covered: []bool{false, false}},
	}, {
		name: "custom ticket pattern, default ttl",
		config: `package gitgate.config

break_glass.groups := {"sre"}

break_glass.ticket_pattern := "^#[0-9]+$"
`,
		groups:      []string{"sre"},
		annotations: map[string]string{"gitgate.dev/break-glass": "#7: hotfix", "gitgate.dev/break-glass-until": now.Add(4 * time.Hour).Format(time.RFC3339)},
		want: &policy.Result{Covered: []bool{true, true}, Exceptions: []policy.Exception{{ID: "break-glass:#7",
			Reason: "hotfix", Expires: now.Add(4 * time.Hour), BreakGlass: true}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var modules map[string]string
			if tt.config != "" {
				modules = map[string]string{"config.rego": tt.config}
			}
			e := mustCompile(t, modules, policy.Options{})
			in := driftInput("spec.replicas", imagePath)
			in.Request.UserInfo.Groups = tt.groups
			in.Request.Annotations = tt.annotations
			got, err := e.Evaluate(t.Context(), in)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBreakGlassBadConfig(t *testing.T) {
	tests := []struct{ name, config, want string }{
		{"groups not a list", "break_glass.groups := \"sre\"", "break_glass.groups must be a set or an array"},
		{"bad pattern", "break_glass.ticket_pattern := \"(\"", "is not a valid regular expression"},
		{"disable_builtin a string", "disable_builtin := \"break-glass\"", "disable_builtin must be a set or an array"},
		{"bad ttl", "break_glass.ttl := \"a day\"", `ttl "a day" is not a duration`},
		{"ttl a number", "break_glass.ttl := 3600", `ttl 3600 is not a duration`},
		{"unknown key", "break_glass.group := [\"sre\"]", `unknown key "group"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.Compile(t.Context(), map[string]string{"config.rego": "package gitgate.config\n\n" + tt.config + "\n"}, policy.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Compile error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
