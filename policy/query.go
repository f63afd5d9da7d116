package policy

import (
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The documents Evaluate reads, keyed by their name in the query result.
var queriedDocs = []struct {
	key string
	ref ast.Ref
}{
	{"exceptions", docRef("gitgate", "exceptions")},
	{"deny", docRef("gitgate", "deny")},
	{"warn", docRef("gitgate", "warn")},
	{"builtin_exceptions", docRef("gitgate", "builtin", "exceptions")},
	{"builtin_warn", docRef("gitgate", "builtin", "warn")},
}

// configErrorsRef is checked once by Compile: the configuration comes from
// the repository, not from the request.
var configErrorsRef = docRef("gitgate", "builtin", "config_errors")

const (
	queryString = "data.gitgate_internal.result"
	checkQuery  = "data.gitgate_internal.config_errors"
)

func docRef(path ...string) ast.Ref {
	ref := ast.Ref{ast.DefaultRootDocument}
	for _, p := range path {
		ref = append(ref, ast.StringTerm(p))
	}
	return ref
}

// querySource returns the module holding the one rule Evaluate queries. It
// gathers every document into one object, so one prepared query answers a
// request, and reads only the documents some module defines (the store holds
// no data, so any other document is undefined): a policy set without deny
// rules pays nothing for deny. Defaults make an undefined document empty.
func querySource(modules map[string]*ast.Module) string {
	var b strings.Builder
	b.WriteString("package gitgate_internal\n\n")
	var keys []string
	for _, d := range queriedDocs {
		if defines(modules, d.ref) {
			fmt.Fprintf(&b, "default %[1]s := []\n\n%[1]s := %[2]v\n\n", d.key, d.ref)
			keys = append(keys, fmt.Sprintf("%q: %s", d.key, d.key))
		}
	}
	fmt.Fprintf(&b, "result := {%s}\n\n", strings.Join(keys, ", "))
	b.WriteString("default config_errors := []\n\n")
	if defines(modules, configErrorsRef) {
		fmt.Fprintf(&b, "config_errors := %v\n", configErrorsRef)
	}
	return b.String()
}

// defines reports whether a rule in modules may contribute to doc.
func defines(modules map[string]*ast.Module, doc ast.Ref) bool {
	for _, m := range modules {
		for _, r := range m.Rules {
			path := m.Package.Path.Extend(r.Head.Ref()).GroundPrefix()
			if path.HasPrefix(doc) || doc.HasPrefix(path) {
				return true
			}
		}
	}
	return false
}
