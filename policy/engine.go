package policy

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// testSuffix marks policy test files: compiled, never evaluated by Evaluate.
const testSuffix = "_test.rego"

// Engine evaluates the policies of one commit. It is immutable after Compile
// and safe for concurrent use.
type Engine struct {
	query    rego.PreparedEvalQuery
	opts     Options
	modules  []string
	compiled bool // false for a zero Engine, which denies everything
	// breakGlass is BreakGlassWindow, evaluated by Compile.
	breakGlass time.Duration
}

// Compile compiles modules (key: file path in the repository, value: Rego v1
// source) together with the built-in defaults into one prepared query.
// Test files (*_test.rego) are compiled too, so a broken test rejects the
// commit, but nothing they define is seen by Evaluate. Any parse or compile
// error, including a call of a forbidden builtin, is returned naming
// file:line; so is an error the policies raise on a minimal input, since it
// would deny every request. An empty module set is valid.
func Compile(ctx context.Context, modules map[string]string, opts Options) (*Engine, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	parsed, err := parseRepo(modules)
	if err != nil {
		return nil, err
	}
	own, err := parseOwn(!opts.DisableBuiltins)
	if err != nil {
		return nil, err
	}
	if err := checkTests(parsed, own); err != nil {
		return nil, err
	}
	evalModules := withoutTests(parsed)
	maps.Copy(evalModules, own)
	query, err := parseModule(queryModule, querySource(evalModules), capabilities())
	if err != nil {
		return nil, fmt.Errorf("parse policy query: %w", err)
	}
	evalModules[queryModule] = query
	compiler, err := compileModules(evalModules)
	if err != nil {
		return nil, err
	}
	pq, err := prepare(ctx, compiler, queryString)
	if err != nil {
		return nil, err
	}
	e := &Engine{query: pq, opts: opts, modules: slices.Sorted(maps.Keys(modules)), compiled: true}
	if err := e.smoke(ctx, compiler); err != nil {
		return nil, err
	}
	if !opts.DisableBuiltins {
		if e.breakGlass, err = breakGlassWindow(ctx, compiler); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func prepare(ctx context.Context, compiler *ast.Compiler, query string) (rego.PreparedEvalQuery, error) {
	pq, err := rego.New(
		rego.Compiler(compiler),
		rego.Query(query),
		rego.Capabilities(compiler.Capabilities()),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return pq, fmt.Errorf("prepare policy query %s: %w", query, err)
	}
	return pq, nil
}

// Modules returns the repository file paths compiled into e, sorted; the
// built-in policies are not listed.
func (e *Engine) Modules() []string {
	if e == nil {
		return nil
	}
	return slices.Clone(e.modules)
}

// smoke checks the configuration and evaluates the query once on a minimal
// input, so that a policy that fails regardless of the request (a conflict,
// a malformed exception, a bad configuration) rejects the commit instead of
// denying every request.
func (e *Engine) smoke(ctx context.Context, compiler *ast.Compiler) error {
	in := &Input{
		Request: Request{Operation: "UPDATE", Kind: GVK{Version: "v1", Kind: "ConfigMap"}, Name: "gitgate-smoke"},
		Now:     time.Now(),
	}
	budget := max(e.opts.Deadline*10, time.Second)
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	check, err := prepare(ctx, compiler, checkQuery)
	if err != nil {
		return err
	}
	b := inputBuilder{max: e.opts.MaxInputBytes}
	value, err := b.build(in, in.Now)
	if err != nil {
		return err
	}
	rs, err := check.Eval(ctx, rego.EvalParsedInput(value))
	if err != nil {
		return fmt.Errorf("check policy configuration: %w", err)
	}
	if len(rs) == 1 && len(rs[0].Expressions) == 1 {
		if errs, ok := rs[0].Expressions[0].Value.([]any); ok && len(errs) > 0 {
			return fmt.Errorf("invalid policy configuration: %v", errs)
		}
	}
	if _, err := e.evaluate(ctx, in, budget); err != nil {
		return fmt.Errorf("policy fails on a minimal input: %w", err)
	}
	return nil
}
