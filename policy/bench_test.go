package policy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gitgate-dev/gitgate/policy"
)

// exceptionRules returns n exception rules, each with its own condition on
// the request, none of which matches the benchmark input.
func exceptionRules(n int) map[string]string {
	var b strings.Builder
	b.WriteString("package gitgate\n")
	for i := range n {
		fmt.Fprintf(&b, `
exceptions contains {"id": "team-%[1]d", "reason": "team %[1]d owns its replicas", "paths": ["spec.replicas"]} if {
	input.request.namespace == "team-%[1]d"
	"team-%[1]d-admins" in input.request.userInfo.groups
}
`, i)
	}
	return map[string]string{"policy/exceptions.rego": b.String()}
}

// BenchmarkEvaluate measures one evaluation of a Deployment-sized input with
// two drift items (object, oldObject and desired all present) against 0, 10
// and 100 exception rules plus the built-in defaults. (mustCompile raises the
// deadline, so a scheduling stall on a shared machine cannot fail the run.)
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{0, 10, 100} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			e := mustCompile(b, exceptionRules(n), policy.Options{})
			in := deploymentInput(b)
			b.ReportAllocs()
			for b.Loop() {
				res, err := e.Evaluate(b.Context(), in)
				if err != nil {
					b.Fatal(err)
				}
				if res.Covered[0] || res.Covered[1] {
					b.Fatal("unexpected exception")
				}
			}
		})
	}
}
