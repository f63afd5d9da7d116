package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var updateREADME = flag.Bool("update", false, "rewrite README.md's generated flag tables (make readme)")

const readmePath = "../../README.md"

// flagTableCommands are the commands whose flag table README.md carries between
// `<!-- flags:NAME -->` and `<!-- /flags:NAME -->`.
var flagTableCommands = []string{"serve"}

// TestREADMEFlags keeps README.md's flag tables equal to the commands' flags:
// a flag added, removed or reworded without `make readme` fails it.
func TestREADMEFlags(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := renderFlagTables(string(readme), newRootCommand())
	if err != nil {
		t.Fatal(err)
	}
	if got == string(readme) {
		return
	}
	if *updateREADME {
		if err := os.WriteFile(readmePath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's flag tables differ from the commands' flags; run `make readme` "+
		"(go test ./cmd/gitgate -run TestREADMEFlags -update) (-README +flags):\n%s",
		cmp.Diff(strings.Split(string(readme), "\n"), strings.Split(got, "\n")))
}

// TestREADMEFlagsSeesANewFlag proves the check can fail: serve with one flag
// more no longer matches README.md.
func TestREADMEFlagsSeesANewFlag(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	root := newRootCommand()
	serve, _, err := root.Find([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	serve.Flags().Bool("not-in-readme", false, "a flag added without make readme")
	got, err := renderFlagTables(string(readme), root)
	if err != nil {
		t.Fatal(err)
	}
	if got == string(readme) || !strings.Contains(got, "`--not-in-readme`") {
		t.Error("a new serve flag left README.md's table unchanged")
	}
}

// renderFlagTables replaces every command's block in readme with its table.
func renderFlagTables(readme string, root *cobra.Command) (string, error) {
	for _, name := range flagTableCommands {
		cmd, _, err := root.Find(strings.Fields(name))
		if err != nil {
			return "", fmt.Errorf("find command %q: %w", name, err)
		}
		readme, err = replaceBlock(readme, "flags:"+strings.ReplaceAll(name, " ", "-"), flagTable(cmd.Flags()))
		if err != nil {
			return "", err
		}
	}
	return readme, nil
}

// replaceBlock replaces the text between `<!-- marker -->` and `<!-- /marker -->`.
func replaceBlock(doc, marker, body string) (string, error) {
	begin, end := "<!-- "+marker+" -->\n", "<!-- /"+marker+" -->"
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("README.md has no %q … %q block", strings.TrimSpace(begin), end)
	}
	return doc[:i+len(begin)] + body + doc[j:], nil
}

// flagTable renders a flag set as a Markdown table, in the order `--help` lists it.
func flagTable(fs *pflag.FlagSet) string {
	var b strings.Builder
	b.WriteString("| flag | default | meaning |\n|---|---|---|\n")
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		name := "`--" + f.Name + "`"
		if f.Shorthand != "" {
			name = "`-" + f.Shorthand + "`, " + name
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "[]" {
			def = "`" + f.DefValue + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, def, strings.ReplaceAll(f.Usage, "|", `\|`))
	})
	return b.String()
}
