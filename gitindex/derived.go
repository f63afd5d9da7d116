package gitindex

// Holds returns how many declared objects live in namespace (0 for one git
// declares only as a Namespace, or not at all).
func (s *Snapshot) Holds(namespace string) int { return s.held[namespace] }

// InNamespace returns one declared object in namespace (the first by path and
// line), for messages that name what a namespace holds.
func (s *Snapshot) InNamespace(namespace string) (*Object, bool) {
	var first *Object
	for _, o := range s.objects {
		if o.Namespace == namespace && (first == nil || o.Path < first.Path || o.Path == first.Path && o.Line < first.Line) {
			first = o
		}
	}
	return first, first != nil
}

// derive fills in what the snapshot knows from its objects as a whole: the
// objects each namespace holds and who owns which fields of them.
func (s *Snapshot) derive() {
	s.held = map[string]int{}
	for k := range s.objects {
		if k.Namespace != "" {
			s.held[k.Namespace]++
		}
	}
	s.deriveOwners()
}

// integer reads a whole JSON number as decoded from YAML or JSON.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}
