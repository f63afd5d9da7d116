package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// breakGlassWindowQuery reads the built-in break-glass policy's window.
const breakGlassWindowQuery = "data.gitgate.builtin.bg_window_ns"

// BreakGlassWindow is the longest break-glass window this commit's policy grants
// (data.gitgate.config.break_glass.ttl), or 0 when it grants none (no groups,
// the builtin disabled, or no builtins). The applier honours a live object's
// gitgate.dev/break-glass-until no further ahead than this, so an annotation
// alone never buys more time than the policy of the same revision allows.
func (e *Engine) BreakGlassWindow() time.Duration {
	if e == nil {
		return 0
	}
	return e.breakGlass
}

// breakGlassWindow evaluates the window once, at Compile: it depends on the
// repository's configuration only, never on a request.
func breakGlassWindow(ctx context.Context, compiler *ast.Compiler) (time.Duration, error) {
	pq, err := prepare(ctx, compiler, breakGlassWindowQuery)
	if err != nil {
		return 0, err
	}
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(ast.NewObject()))
	if err != nil {
		return 0, fmt.Errorf("evaluate break-glass window: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return 0, nil // no builtins: no window
	}
	switch ns := rs[0].Expressions[0].Value.(type) {
	case json.Number:
		n, err := ns.Int64()
		if err != nil {
			return 0, fmt.Errorf("break-glass window %s: %w", ns, err)
		}
		return time.Duration(n), nil
	default:
		return 0, fmt.Errorf("break-glass window is %T, not a number", ns)
	}
}
