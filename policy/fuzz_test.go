package policy

import (
	"testing"
	"time"
)

// FuzzCompile loads arbitrary Rego from a "repository" and, when it compiles,
// evaluates it: errors are fine, panics are not.
func FuzzCompile(f *testing.F) {
	f.Add("package gitgate\n\nexceptions contains {\"id\": \"a\", \"reason\": \"b\"} if input.request.name == \"x\"\n")
	f.Add("package gitgate\n\ndeny contains msg if { msg := sprintf(\"%v\", [input.drift[0].path]) }\n")
	f.Add("package gitgate.config\n\nbreak_glass := {\"groups\": [\"oncall\"], \"ttl\": \"2h\"}\n")
	f.Add("package gitgate\n\nexceptions contains x if { x := http.send({}) }\n")
	f.Add("package gitgate\n\nwarn contains 1\n")
	f.Fuzz(func(t *testing.T, src string) {
		opts := DefaultOptions()
		opts.Deadline = 50 * time.Millisecond
		eng, err := Compile(t.Context(), map[string]string{"policies/fuzz.rego": src}, opts)
		if err != nil {
			return
		}
		_, _ = eng.Evaluate(t.Context(), &Input{
			Request: Request{Operation: "UPDATE", Name: "x", Kind: GVK{Kind: "Deployment"}},
			Drift:   []DriftItem{{Path: "spec.replicas", Declared: true, Git: int64(3), New: int64(5)}},
			Now:     time.Now(),
		})
	})
}
