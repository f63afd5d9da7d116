package wire

// User is the authenticated requester, as the API server reports it.
type User struct {
	Username string              `json:"username"`
	UID      string              `json:"uid,omitempty"`
	Groups   []string            `json:"groups,omitempty"`
	Extra    map[string][]string `json:"extra,omitempty"`
}

// GVK is the group, version and kind of the requested object.
type GVK struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// DriftItem is one field whose requested value does not match git. A nil Git,
// Old or New means the field is absent on that side.
type DriftItem struct {
	// Path names the field, e.g. spec.replicas,
	// spec.template.spec.containers[name=nginx].image or
	// metadata.annotations["example.com/key"] (map keys that are not plain
	// identifiers are quoted in brackets).
	Path string `json:"path"`
	// Declared reports whether git declares this path.
	Declared bool `json:"declared"`
	Git      any  `json:"git,omitempty"`
	Old      any  `json:"old,omitempty"`
	New      any  `json:"new,omitempty"`
}
