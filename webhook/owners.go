package webhook

import (
	"fmt"
	"strings"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// judgeOwned decides a change at a path that owners own (an HPA's target's
// spec.replicas, a caBundle cert-manager injects): an owning identity may set
// any value the ownership allows; nobody else may move it at all, not even to
// git's value, which is then only the initial one.
func judgeOwned(f *findings, in *input, c drift.Change, owners []gitindex.Ownership) {
	for _, o := range owners {
		if o.IsOwner(in.req.UserInfo.Username) && o.Allows(c.New) {
			return
		}
	}
	o := owners[0]
	within := ""
	if r := o.Range(); r != "" {
		within = ", within " + r
	}
	f.add(c, fmt.Sprintf("owned by %s (git: %s): only %s moves it%s; request has %s",
		o.By, o.Source, o.Who, within, show(c.New, false)))
}

// ownersAt returns the ownerships that cover path.
func ownersAt(owners []gitindex.Ownership, path string) []gitindex.Ownership {
	var out []gitindex.Ownership
	for _, o := range owners {
		if o.Owns(path) {
			out = append(out, o)
		}
	}
	return out
}

// ownerOnly returns, for a requester that is an owner of the object and nothing
// more (not a cluster controller, whose own rules stand), the note that denies
// it any change outside what it owns; "" for everyone else.
func ownerOnly(in *input, owners []gitindex.Ownership) string {
	if in.actor != actorHuman {
		return ""
	}
	var paths []string
	who := ""
	for _, o := range owners {
		if o.IsOwner(in.req.UserInfo.Username) {
			paths = append(paths, o.Paths...)
			who = o.Who
		}
	}
	if len(paths) == 0 {
		return ""
	}
	return fmt.Sprintf("%s owns only %s of this object (as %s); anything else changes in git", in.req.UserInfo.Username, strings.Join(paths, ", "), who)
}
