package drift

// Change is one field whose value differs, annotated with what git declares.
//
// Values are the decoded JSON values (map[string]any, []any, string, int64, float64,
// bool); nil means the field is absent on that side.
type Change struct {
	// Path is the rendered field path (see the package doc).
	Path string
	// Declared reports whether git declares this path; Git is then git's value.
	Declared bool
	Git      any
	// Old and New are the values before and after the request (Old is nil for a
	// CREATE comparison, where only the object and git are compared).
	Old any
	New any
}

// TowardGit reports whether the change leaves the path at git's value.
func (c Change) TowardGit() bool {
	return c.Declared && Equal(c.Git, c.New)
}
