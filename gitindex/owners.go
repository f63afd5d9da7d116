package gitindex

import (
	"fmt"
	"slices"
	"strings"
)

// Ownership says that identities other than the sync identity own some paths
// of a declared object: a controller git (or .gitgate.yaml) gives those fields
// to. The webhook lets only those identities write the paths, and only those
// paths; the drift scan does not count them as drift; the applier neither
// reverts nor takes them over.
type Ownership struct {
	// By names what gives the paths away, for messages: the owning object git
	// declares ("HorizontalPodAutoscaler.autoscaling shop/web"), the owned object
	// itself for an annotation, or ".gitgate.yaml owners[0]".
	By string
	// Source is where in git: path:line of the owning object, or .gitgate.yaml.
	Source string
	// Who names the owner for people ("the HPA controller").
	Who string
	// Preset is the built-in preset that derived the ownership ("" for an owner
	// .gitgate.yaml declares).
	Preset string
	// Identities are the exact usernames that own the paths (never groups).
	Identities []string
	// Paths are the owned field paths in the comparison's syntax
	// (spec.replicas, webhooks[*].clientConfig.caBundle); [*] stands for any
	// item of a list, and a path owns everything below it.
	Paths []string
	// Bounded says that the owned value is a whole number within Min..Max.
	Bounded  bool
	Min, Max int64
}

// IsOwner reports whether username is one of the owning identities.
func (o Ownership) IsOwner(username string) bool { return slices.Contains(o.Identities, username) }

// Owns reports whether path lies at or below one of the owned paths.
func (o Ownership) Owns(path string) bool {
	for _, p := range o.Paths {
		if PathCovers(p, path) {
			return true
		}
	}
	return false
}

// Allows reports whether v is a value the owner may set: any value, or for a
// bounded ownership a whole number (int64 or a whole float64) within Min..Max.
func (o Ownership) Allows(v any) bool {
	if !o.Bounded {
		return true
	}
	n, ok := integer(v)
	return ok && n >= o.Min && n <= o.Max
}

// Range renders the bounds for messages ("" when unbounded).
func (o Ownership) Range() string {
	if !o.Bounded {
		return ""
	}
	return fmt.Sprintf("%d..%d", o.Min, o.Max)
}

// Owners returns who owns which paths of the declared object k (none for most
// objects), in a stable order.
func (s *Snapshot) Owners(k Key) []Ownership { return s.owners[k] }

// MayCreate reports whether username may create the object k although git does
// not declare it: a copy an owner manages beside its declared target (Flagger's
// <target>-primary and <target>-canary).
func (s *Snapshot) MayCreate(username string, k Key) bool {
	return slices.Contains(s.creators[k.Namespace+"/"+k.Name], username)
}

// PathCovers reports whether path lies at or below pattern, segment by segment:
// a [*] segment of pattern matches any list item ([name=x], [0]).
func PathCovers(pattern, path string) bool {
	ps, cs := PathSegments(pattern), PathSegments(path)
	if len(cs) < len(ps) {
		return false
	}
	for i, p := range ps {
		if p != cs[i] && (p != "[*]" || !strings.HasPrefix(cs[i], "[")) {
			return false
		}
	}
	return true
}

// PathSegments splits a rendered field path into its fields and [...] items
// (spec.ports[port=80,protocol=TCP].name → spec, ports, [port=80,protocol=TCP],
// name); a bracket's quoted string may hold dots and brackets.
func PathSegments(p string) []string {
	var segs []string
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
		case '[':
			j := closingBracket(p, i)
			segs = append(segs, p[i:j])
			i = j
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			segs = append(segs, p[i:j])
			i = j
		}
	}
	return segs
}

// closingBracket returns the index just past the ] that closes the [ at i,
// skipping quoted strings (with backslash escapes); len(p) if there is none.
func closingBracket(p string, i int) int {
	quoted := false
	for j := i + 1; j < len(p); j++ {
		switch {
		case quoted && p[j] == '\\':
			j++
		case p[j] == '"':
			quoted = !quoted
		case !quoted && p[j] == ']':
			return j + 1
		}
	}
	return len(p)
}
