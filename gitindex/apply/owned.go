package apply

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// leaveOwned takes what owners own (gitindex.Ownership) out of desired, so that
// server-side apply neither reverts nor takes over an owner's fields: an owned
// field is left out of the apply, and the owner keeps it. Exceptions, all for
// a field git declares:
//   - on create, git's value is applied (brought into the owner's range): it is
//     the initial value;
//   - a live value outside the owner's range is set back to git's, brought into it;
//   - a field the applier still owns (nobody has moved it since it applied
//     git's value) keeps the live value, or leaving it out would delete it; the
//     apply then carries the live resourceVersion, so that an owner's write in
//     between makes it fail (and retry next run) instead of reverting the owner.
//
// An owned path through a list ([*]) is always left out. It reports whether
// desired pins the live resourceVersion.
func leaveOwned(desired, live *unstructured.Unstructured, owners []gitindex.Ownership, manager string) bool {
	pin := false
	for _, o := range owners {
		for _, p := range o.Paths {
			segs := gitindex.PathSegments(p)
			if !fieldsOnly(segs) {
				removeAt(desired.Object, segs)
				continue
			}
			pin = leaveField(desired.Object, live, o, segs, manager) || pin
		}
	}
	if pin {
		desired.SetResourceVersion(live.GetResourceVersion())
	}
	return pin
}

// leaveField decides one owned field path (fields only) of desired.
func leaveField(desired map[string]any, live *unstructured.Unstructured, o gitindex.Ownership, segs []string, manager string) bool {
	gitV, declared, _ := unstructured.NestedFieldNoCopy(desired, segs...)
	if live == nil {
		if declared && o.Bounded {
			_ = unstructured.SetNestedField(desired, clamp(gitV, o), segs...)
		}
		return false
	}
	liveV, found, _ := unstructured.NestedFieldNoCopy(live.Object, segs...)
	switch {
	case declared && found && !o.Allows(liveV):
		_ = unstructured.SetNestedField(desired, clamp(gitV, o), segs...)
		return false
	case declared && found && appliedBy(live.Object, manager, segs):
		_ = unstructured.SetNestedField(desired, liveV, segs...)
		return true
	}
	unstructured.RemoveNestedField(desired, segs...)
	return false
}

// clamp brings a whole number into a bounded ownership's range.
func clamp(v any, o gitindex.Ownership) any {
	n, ok := v.(int64)
	if !ok || !o.Bounded {
		return v
	}
	return min(max(n, o.Min), o.Max)
}

func fieldsOnly(segs []string) bool {
	for _, s := range segs {
		if s == "" || s[0] == '[' {
			return false
		}
	}
	return len(segs) > 0
}

// removeAt removes every field at segs from obj, [*] standing for each item of a list.
func removeAt(obj any, segs []string) {
	switch v := obj.(type) {
	case map[string]any:
		if len(segs) == 1 {
			delete(v, segs[0])
			return
		}
		if child, ok := v[segs[0]]; ok && len(segs) > 1 {
			removeAt(child, segs[1:])
		}
	case []any:
		if segs[0] != "[*]" || len(segs) < 2 {
			return
		}
		for _, it := range v {
			removeAt(it, segs[1:])
		}
	}
}

// appliedBy reports whether manager's server-side apply owns the field at segs
// in the object's managedFields.
func appliedBy(obj map[string]any, manager string, segs []string) bool {
	entries, _, _ := unstructured.NestedSlice(obj, "metadata", "managedFields")
	for _, e := range entries {
		m, _ := e.(map[string]any)
		if m["manager"] != manager || m["operation"] != "Apply" {
			continue
		}
		t, _ := m["fieldsV1"].(map[string]any)
		for _, s := range segs {
			t, _ = t["f:"+s].(map[string]any)
		}
		if t != nil {
			return true
		}
	}
	return false
}
