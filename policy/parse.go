package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// parseRepo parses the repository's modules as Rego v1 and rejects those
// that define gitgate's reserved documents.
func parseRepo(sources map[string]string) (map[string]*ast.Module, error) {
	caps := capabilities()
	out := make(map[string]*ast.Module, len(sources))
	var errs ast.Errors
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		if strings.HasPrefix(name, ownPrefix) {
			return nil, fmt.Errorf("policy file %q: the %s prefix is reserved", name, ownPrefix)
		}
		m, err := parseModule(name, sources[name], caps)
		if err != nil {
			errs = append(errs, asASTErrors(err)...)
			continue
		}
		if err := checkReserved(m); err != nil {
			errs = append(errs, asASTErrors(err)...)
			continue
		}
		out[name] = m
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse policy: %w", errs)
	}
	return out, nil
}

// parseOwn parses the built-in default policies, if builtins.
func parseOwn(builtins bool) (map[string]*ast.Module, error) {
	if !builtins {
		return map[string]*ast.Module{}, nil
	}
	sources, err := builtinSources()
	if err != nil {
		return nil, err
	}
	out := make(map[string]*ast.Module, len(sources))
	for name, src := range sources {
		m, err := parseModule(name, src, capabilities())
		if err != nil {
			return nil, fmt.Errorf("parse built-in policy: %w", err)
		}
		out[name] = m
	}
	return out, nil
}

func parseModule(name, src string, caps *ast.Capabilities) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{
		RegoVersion:  ast.RegoV1,
		Capabilities: caps,
	})
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, &ast.Error{Code: ast.ParseErr, Message: "empty module", Location: &ast.Location{File: name, Row: 1}}
	}
	return m, nil
}

// compileModules compiles modules against the confined capabilities.
func compileModules(modules map[string]*ast.Module) (*ast.Compiler, error) {
	c := ast.NewCompiler().
		WithCapabilities(capabilities()).
		WithDefaultRegoVersion(ast.RegoV1)
	if c.Compile(modules); c.Failed() {
		explainForbidden(c.Errors)
		return nil, fmt.Errorf("compile policy: %w", c.Errors)
	}
	return c, nil
}

// checkTests compiles the test files with everything else, only to report
// their errors; Evaluate never sees them.
func checkTests(repo, own map[string]*ast.Module) error {
	if len(repo) == len(withoutTests(repo)) {
		return nil
	}
	all := maps.Clone(repo)
	maps.Copy(all, own)
	_, err := compileModules(all)
	return err
}

func withoutTests(modules map[string]*ast.Module) map[string]*ast.Module {
	out := make(map[string]*ast.Module, len(modules))
	for name, m := range modules {
		if !strings.HasSuffix(name, testSuffix) {
			out[name] = m
		}
	}
	return out
}

// asASTErrors keeps the location of parse errors when collecting them.
func asASTErrors(err error) ast.Errors {
	var errs ast.Errors
	if errors.As(err, &errs) {
		return errs
	}
	var one *ast.Error
	if errors.As(err, &one) {
		return ast.Errors{one}
	}
	return ast.Errors{&ast.Error{Code: ast.ParseErr, Message: err.Error()}}
}
