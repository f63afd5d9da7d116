package drift

import "github.com/gitgate-dev/gitgate/policy/wire"

// Change is one field whose value differs, annotated with what git declares.
//
// Values are the decoded JSON values (map[string]any, []any, string, int64, float64,
// bool); nil means the field is absent on that side.
type Change struct {
	// Path is the rendered field path (see the package doc).
	Path string
	// Declared reports whether git declares this path. Git is the desired value
	// there: git's, or the API server's default where git says nothing (nil
	// when the desired object does not have the path).
	Declared bool
	Git      any
	// Old and New are the values before and after the request (Old is nil for a
	// CREATE comparison, where only the object and git are compared).
	Old any
	New any
	// Repair reports that the change moves the path to its desired value, or
	// removes what the desired object does not have (set by Diff, schema-aware).
	Repair bool `json:"repair,omitempty"`
	// Pointer is the JSON pointer of New in the compared object, for a field
	// git does not declare found by Against (an extra, or a default someone
	// changed): what the applier removes to heal it (the API server defaults
	// it again).
	Pointer string `json:"pointer,omitempty"`
}

// TowardGit reports whether the change leaves the path at git's value (or
// removes what git does not declare).
func (c Change) TowardGit() bool { return c.Repair }

// Extra reports whether the change is a field the desired object does not have.
func (c Change) Extra() bool { return c.Git == nil && c.New != nil }

// Items returns the changes as the policy input and the audit record show
// them; nil for none.
func Items(changes []Change) []wire.DriftItem {
	if len(changes) == 0 {
		return nil
	}
	out := make([]wire.DriftItem, len(changes))
	for i, c := range changes {
		out[i] = wire.DriftItem{Path: c.Path, Declared: c.Declared, Git: c.Git, Old: c.Old, New: c.New}
	}
	return out
}
