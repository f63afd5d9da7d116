package policy

import (
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// forbiddenBuiltins are left out of the capabilities repository policies
// compile against: they do I/O, read the host, or are not deterministic, and
// a gate decision must depend on the request and the commit alone.
var forbiddenBuiltins = map[string]string{
	"http.send":          "it does network I/O",
	"opa.runtime":        "it reads the host's environment and configuration",
	"json.match_schema":  "it can fetch remote $ref schemas",
	"json.verify_schema": "it can fetch remote $ref schemas",
	"time.now_ns":        "it reads the clock; use input.now",
	"rand.intn":          "it is random",
	"uuid.rfc4122":       "it is random",
	"rego.parse_module":  "policies do not need to parse policies",
}

// forbiddenPrefixes removes whole families of builtins.
var forbiddenPrefixes = map[string]string{
	"net.": "the net.* builtins are not allowed (net.lookup_ip_addr does DNS I/O)",
}

// forbiddenReason explains why name is not available, or returns "".
func forbiddenReason(name string) string {
	if why, ok := forbiddenBuiltins[name]; ok {
		return why
	}
	for p, why := range forbiddenPrefixes {
		if strings.HasPrefix(name, p) {
			return why
		}
	}
	return ""
}

// capabilities returns this OPA version's capabilities minus the forbidden
// builtins. A fresh value each call: the compiler may keep a reference.
func capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0:0]
	for _, b := range caps.Builtins {
		if forbiddenReason(b.Name) == "" {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	return caps
}

// explainForbidden rewrites "undefined function" errors about a forbidden
// builtin into a message that says it is forbidden on purpose.
func explainForbidden(errs ast.Errors) {
	const undefined = "undefined function "
	for _, e := range errs {
		name, ok := strings.CutPrefix(e.Message, undefined)
		if !ok {
			continue
		}
		if why := forbiddenReason(name); why != "" {
			e.Message = fmt.Sprintf("%s is not allowed in gitgate policies: %s", name, why)
		}
	}
}

// reservedPaths are the documents gitgate's own Rego defines.
var reservedPaths = []ast.Ref{
	{ast.DefaultRootDocument, ast.StringTerm("gitgate"), ast.StringTerm("builtin")},
	{ast.DefaultRootDocument, ast.StringTerm("gitgate_internal")},
}

// checkReserved reports a repository module that defines rules under a
// document reserved for gitgate's own Rego.
func checkReserved(m *ast.Module) error {
	if r := reservedPrefix(m.Package.Path); r != nil {
		return reservedError(m.Package.Location, m.Package.Path, r)
	}
	for _, rule := range m.Rules {
		full := m.Package.Path.Extend(rule.Head.Ref())
		if r := reservedPrefix(full); r != nil {
			return reservedError(rule.Location, full, r)
		}
	}
	return nil
}

func reservedPrefix(path ast.Ref) ast.Ref {
	for _, r := range reservedPaths {
		if path.HasPrefix(r) {
			return r
		}
	}
	return nil
}

func reservedError(loc *ast.Location, path, reserved ast.Ref) error {
	return &ast.Error{
		Code:     ast.CompileErr,
		Message:  fmt.Sprintf("%v: %v is reserved for gitgate's built-in policies", path, reserved),
		Location: loc,
	}
}
