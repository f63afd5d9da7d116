package policy

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
)

//go:embed builtin/*.rego
var builtinFS embed.FS

// Module keys of gitgate's own Rego. The "(gitgate)" prefix cannot collide
// with a path from git in practice, and Compile rejects it if it does.
const (
	ownPrefix     = "(gitgate)/"
	builtinPrefix = ownPrefix + "builtin/"
	queryModule   = ownPrefix + "query.rego"
)

// builtinSources returns the embedded default policies keyed by module name.
func builtinSources() (map[string]string, error) {
	files, err := fs.Glob(builtinFS, "builtin/*.rego")
	if err != nil {
		return nil, fmt.Errorf("list builtin policies: %w", err)
	}
	out := make(map[string]string, len(files))
	for _, f := range files {
		data, err := builtinFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read builtin policy %s: %w", f, err)
		}
		out[builtinPrefix+path.Base(f)] = string(data)
	}
	return out, nil
}
