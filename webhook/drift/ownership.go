package drift

import (
	"slices"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// Unowned drops the changes that are an owner's to make: at a path an
// ownership covers, with a value it allows (any value, or one within its
// range). The drift scan and the applier count only what is left, so a field
// a controller owns is neither drift nor reverted.
func Unowned(changes []Change, owners []gitindex.Ownership) []Change {
	if len(owners) == 0 {
		return changes
	}
	return slices.DeleteFunc(changes, func(c Change) bool { return OwnedValue(c, owners) })
}

// OwnedValue reports whether an ownership covers c's path and allows its new value.
func OwnedValue(c Change, owners []gitindex.Ownership) bool {
	for _, o := range owners {
		if o.Owns(c.Path) && o.Allows(c.New) {
			return true
		}
	}
	return false
}
