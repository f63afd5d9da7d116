package policy

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// testTimeout bounds one test rule, as `opa test` does by default.
const testTimeout = 5 * time.Second

// TestResult is the outcome of one test rule.
type TestResult struct {
	Package  string // e.g. data.gitgate_test
	Name     string // the rule name, e.g. test_hpa_may_scale
	Location string // file:line of the rule
	// Pass is false if the test failed or raised an error. A skipped
	// (todo_test_) test passes, as it does for `opa test`'s exit status.
	Pass bool
	// Skip marks a todo_test_ rule, which is not run.
	Skip bool
	// Err is the evaluation error, if any; a test that is merely false or
	// undefined fails with an empty Err.
	Err      string
	Duration time.Duration
}

// RunTests runs the test rules (test_*) of the *_test.rego files in modules
// as `opa test` does, against the same confined builtins and built-in
// default policies Compile uses. It returns one result per test, sorted by
// location; the error reports only a failure to run (including a parse or
// compile error, naming file:line), not a failing test.
func RunTests(ctx context.Context, modules map[string]string) ([]TestResult, error) {
	parsed, err := parseRepo(modules)
	if err != nil {
		return nil, err
	}
	own, err := parseOwn(true)
	if err != nil {
		return nil, err
	}
	maps.Copy(parsed, own)
	compiler := ast.NewCompiler().
		WithCapabilities(capabilities()).
		WithDefaultRegoVersion(ast.RegoV1).
		WithEnablePrintStatements(true)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(inmem.New()).
		SetTimeout(testTimeout).
		RaiseBuiltinErrors(true).
		Run(ctx, parsed)
	if err != nil {
		if errs, ok := err.(ast.Errors); ok {
			explainForbidden(errs)
		}
		return nil, fmt.Errorf("compile policy tests: %w", err)
	}
	var results []*tester.Result
	for r := range ch {
		if r.Location == nil || !strings.HasPrefix(r.Location.File, ownPrefix) {
			results = append(results, r)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("run policy tests: %w", err)
	}
	slices.SortFunc(results, compareResults)
	out := make([]TestResult, len(results))
	for i, r := range results {
		out[i] = testResult(r)
	}
	return out, nil
}

func compareResults(a, b *tester.Result) int {
	var la, lb ast.Location
	if a.Location != nil {
		la = *a.Location
	}
	if b.Location != nil {
		lb = *b.Location
	}
	return cmp.Or(cmp.Compare(la.File, lb.File), cmp.Compare(la.Row, lb.Row), cmp.Compare(a.Name, b.Name))
}

func testResult(r *tester.Result) TestResult {
	tr := TestResult{
		Package:  r.Package,
		Name:     r.Name,
		Pass:     r.Pass() || r.Skip,
		Skip:     r.Skip,
		Duration: r.Duration,
	}
	if r.Location != nil {
		tr.Location = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
	}
	if r.Error != nil {
		tr.Err = r.Error.Error()
	}
	return tr
}
