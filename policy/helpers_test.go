package policy_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/policy"
)

// now is the fixed request time of the tests.
var now = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

// loadObject reads a Kubernetes object fixture from testdata.
func loadObject(tb testing.TB, name string) map[string]any {
	tb.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	return obj
}

// deploymentInput is `kubectl scale --replicas=5` plus an image change of the
// fixture Deployment, by a human.
func deploymentInput(tb testing.TB) *policy.Input {
	tb.Helper()
	desired := loadObject(tb, "deployment.json")
	old := loadObject(tb, "deployment.json")
	obj := loadObject(tb, "deployment.json")
	spec := obj["spec"].(map[string]any)
	spec["replicas"] = 5.0
	return &policy.Input{
		Request: policy.Request{
			Operation: "UPDATE",
			UserInfo:  policy.UserInfo{Username: "alice@example.com", Groups: []string{"developers", "system:authenticated"}},
			Kind:      policy.GVK{Group: "apps", Version: "v1", Kind: "Deployment"},
			Namespace: "shop",
			Name:      "web",
		},
		Object:    obj,
		OldObject: old,
		Desired:   desired,
		// As the webhook passes them: the sizes of the request's JSON.
		ObjectBytes: fileSize(tb, "deployment.json"), OldObjectBytes: fileSize(tb, "deployment.json"),
		Drift: []policy.DriftItem{
			{Path: "spec.replicas", Declared: true, Git: 3, Old: 3, New: 5},
			{Path: "spec.template.spec.containers[name=nginx].image", Declared: true,
				Git: "registry.example.com/shop/web:1.27.3", Old: "registry.example.com/shop/web:1.27.3",
				New: "registry.example.com/shop/web:1.28.0"},
		},
		Commit: "0123456789abcdef0123456789abcdef01234567",
		Source: "apps/shop/web.yaml:1",
		Now:    now,
	}
}

func fileSize(tb testing.TB, name string) int {
	tb.Helper()
	st, err := os.Stat("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return int(st.Size())
}

// driftInput is a minimal input with the given drift paths.
func driftInput(paths ...string) *policy.Input {
	in := &policy.Input{
		Request: policy.Request{
			Operation: "UPDATE",
			UserInfo:  policy.UserInfo{Username: "alice@example.com", Groups: []string{"developers"}},
			Kind:      policy.GVK{Group: "apps", Version: "v1", Kind: "Deployment"},
			Namespace: "shop",
			Name:      "web",
		},
		Commit: "0123456",
		Now:    now,
	}
	for _, p := range paths {
		in.Drift = append(in.Drift, policy.DriftItem{Path: p, Declared: true})
	}
	return in
}

// mustCompile compiles modules. A zero Deadline becomes 10s rather than the
// 100ms default: a loaded CI machine can stall one evaluation for longer, and
// only TestEvaluateDeadline is about the deadline.
func mustCompile(tb testing.TB, modules map[string]string, opts policy.Options) *policy.Engine {
	tb.Helper()
	if opts.Deadline == 0 {
		opts.Deadline = 10 * time.Second
	}
	e, err := policy.Compile(tb.Context(), modules, opts)
	if err != nil {
		tb.Fatalf("Compile: %v", err)
	}
	return e
}

// gitgate wraps rules into a module of package gitgate.
func gitgate(rules string) map[string]string {
	return map[string]string{"policy/exceptions.rego": "package gitgate\n\n" + rules + "\n"}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}
