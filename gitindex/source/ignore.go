package source

import (
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// IgnoreFile is the repository-root file whose gitignore-style patterns exclude
// files from the index, as Flux's source-controller reads it. It never excludes
// itself or .gitgate.yaml.
const IgnoreFile = ".sourceignore"

// ConfigFile is the repository-root file with gitgate's per-repository settings,
// always read with a commit's files.
const ConfigFile = ".gitgate.yaml"

// Ignorer matches paths against .sourceignore; a nil *Ignorer ignores nothing.
type Ignorer struct {
	m gitignore.Matcher
}

// parseIgnore reads gitignore-style patterns, one a line.
func parseIgnore(data []byte) *Ignorer {
	var patterns []gitignore.Pattern
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		patterns = append(patterns, gitignore.ParsePattern(line, nil))
	}
	return &Ignorer{m: gitignore.NewMatcher(patterns)}
}

// Ignored reports whether p (slash-separated, relative to the root) or one of its
// parent directories is excluded; as in git, a file below an excluded directory
// cannot be included again.
func (ig *Ignorer) Ignored(p string) bool {
	if ig == nil || p == IgnoreFile || p == ConfigFile {
		return false
	}
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		if ig.m.Match(parts[:i], true) {
			return true
		}
	}
	return ig.m.Match(parts, false)
}

// IgnoreOf returns the matcher of the .sourceignore among files, or nil.
func IgnoreOf(files []File) *Ignorer {
	for _, f := range files {
		if f.Path == IgnoreFile {
			return parseIgnore(f.Data)
		}
	}
	return nil
}
