package policy

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// TestBuiltinsFormatted keeps the shipped Rego in `opa fmt` form.
func TestBuiltinsFormatted(t *testing.T) {
	sources, err := builtinSources()
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) == 0 {
		t.Fatal("no built-in policies embedded")
	}
	for name, src := range sources {
		out, err := format.SourceWithOpts(name, []byte(src), format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatalf("format %s: %v", name, err)
		}
		if string(out) != src {
			t.Errorf("%s is not formatted; run opa fmt -w", name)
		}
	}
}
