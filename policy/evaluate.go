package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// noMetrics spares each evaluation the allocation of OPA's metrics, which
// nothing reads.
var noMetrics = metrics.NoOp()

// Result is the outcome of one evaluation.
type Result struct {
	// Covered has one entry per input drift item: true if at least one
	// unexpired exception covers it.
	Covered []bool
	// Exceptions are the unexpired exceptions that covered at least one
	// drift item, sorted by ID.
	Exceptions []Exception
	// Expired are the exceptions that would have covered a drift item but
	// had expired, sorted by ID; worth naming in the denial message.
	Expired []Exception
	// Deny are the data.gitgate.deny messages.
	Deny []string
	// Warn are the data.gitgate.warn messages, then the built-in ones.
	Warn []string
}

// Evaluate runs the policies on in. Any error (a policy runtime error, a
// malformed exception, the deadline, an oversized input) means the caller
// must deny: an error never opens the gate. in is read, not retained, and
// must not be modified during the call.
func (e *Engine) Evaluate(ctx context.Context, in *Input) (*Result, error) {
	return e.evaluate(ctx, in, e.opts.Deadline)
}

func (e *Engine) evaluate(ctx context.Context, in *Input, deadline time.Duration) (*Result, error) {
	switch {
	case e == nil || !e.compiled:
		return nil, errors.New("evaluate policy: engine not compiled (use Compile)")
	case in == nil:
		return nil, errors.New("evaluate policy: nil input")
	}
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	b := inputBuilder{max: e.opts.MaxInputBytes}
	value, err := b.build(in, now)
	if err != nil {
		return nil, fmt.Errorf("build policy input: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(value), rego.EvalMetrics(noMetrics))
	if err != nil {
		return nil, evalError(ctx, deadline, err)
	}
	raw, err := resultDoc(rs)
	if err != nil {
		return nil, err
	}
	return decide(raw, in.Drift, now)
}

// evalError names the deadline when the evaluation was cancelled by it.
func evalError(ctx context.Context, deadline time.Duration, err error) error {
	if topdown.IsCancel(err) || errors.Is(err, context.DeadlineExceeded) {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("evaluate policy: stopped after the %s deadline: %w", deadline, cerr)
		}
	}
	return fmt.Errorf("evaluate policy: %w", err)
}

// resultDoc extracts the object data.gitgate_internal.result evaluated to.
func resultDoc(rs rego.ResultSet) (map[string]any, error) {
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("evaluate policy: query %s is undefined", queryString)
	}
	doc, ok := rs[0].Expressions[0].Value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("evaluate policy: query %s returned %T", queryString, rs[0].Expressions[0].Value)
	}
	return doc, nil
}

// decide turns the query result into a Result.
func decide(doc map[string]any, drift []DriftItem, now time.Time) (*Result, error) {
	res := &Result{Covered: make([]bool, len(drift))}
	var err error
	if res.Deny, err = messages(doc, "deny", "data.gitgate.deny"); err != nil {
		return nil, err
	}
	if res.Warn, err = messages(doc, "warn", "data.gitgate.warn"); err != nil {
		return nil, err
	}
	builtinWarn, err := messages(doc, "builtin_warn", "data.gitgate.builtin.warn")
	if err != nil {
		return nil, err
	}
	res.Warn = append(res.Warn, builtinWarn...)
	repo, err := parseExceptions(doc, "exceptions", "data.gitgate.exceptions")
	if err != nil {
		return nil, err
	}
	builtin, err := parseExceptions(doc, "builtin_exceptions", "data.gitgate.builtin.exceptions")
	if err != nil {
		return nil, err
	}
	res.apply(append(repo, builtin...), drift, now)
	return res, nil
}

// messages reads a set or array of messages; strings are kept as they are,
// other values in their JSON form, so that no deny is ever lost.
func messages(doc map[string]any, key, name string) ([]string, error) {
	v, defined := doc[key]
	if !defined {
		return nil, nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a set or an array, got %s", name, typeName(v))
	}
	if len(items) == 0 {
		return nil, nil
	}
	out := make([]string, len(items))
	for i, it := range items {
		if s, ok := it.(string); ok {
			out[i] = s
			continue
		}
		data, err := json.Marshal(it)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", name, i, err)
		}
		out[i] = string(data)
	}
	return out, nil
}

// typeName names a JSON value's type the way Rego's type_name does.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number, float64, int, int64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
