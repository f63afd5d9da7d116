package policy

import (
	"regexp"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/gitgate-dev/gitgate/gitindex/vocab"
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

// TestBuiltinsSpellVocab keeps the gitgate.dev/ keys the built-in Rego spells
// out the same as package vocab's, which the webhook and the applier use.
func TestBuiltinsSpellVocab(t *testing.T) {
	sources, err := builtinSources()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{vocab.BreakGlassAnnotation: true, vocab.BreakGlassUntilAnnotation: true}
	seen := map[string]bool{}
	literal := regexp.MustCompile(`"(` + regexp.QuoteMeta(vocab.Prefix) + `[^"]*)"`)
	for name, src := range sources {
		for _, m := range literal.FindAllStringSubmatch(src, -1) {
			if !known[m[1]] {
				t.Errorf("%s spells %q, which package vocab does not define", name, m[1])
			}
			seen[m[1]] = true
		}
	}
	for k := range known {
		if !seen[k] {
			t.Errorf("no built-in policy reads %q", k)
		}
	}
}
