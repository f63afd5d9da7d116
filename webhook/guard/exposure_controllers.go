package guard

import (
	"cmp"
	"slices"
)

// PathImpersonateGroup: `impersonate` on `groups`, unrestricted or naming the group
// (kubelets are group system:nodes, with a system:node:<node> username anyone
// who can impersonate users can name).
const PathImpersonateGroup Path = "impersonate group"

// ControllerExposure is one subject that RBAC lets act as cluster controller
// identities — whose writes gitgate judges by those controllers' roles, not a
// human's rules. Identities lists which (usernames, or a group).
type ControllerExposure struct {
	Exposure
	Identities []string
}

// ControllerExposures lists who can act as the controller usernames or groups:
// the same paths as for the sync identity (impersonate, create token, create or
// write pods in a service account's namespace), and impersonating a group.
// Subjects that are themselves one of the controller usernames, and group
// system:masters, are not listed: they already are what they could become.
// Findings are merged per subject, binding and path, in a stable order.
func (r *RBAC) ControllerExposures(users, groups []string) []ControllerExposure {
	byFinding := map[Exposure][]string{}
	add := func(identity string, found []Exposure) {
		for _, e := range found {
			if !isIdentity(e.Subject, users) {
				byFinding[e] = append(byFinding[e], identity)
			}
		}
	}
	for _, u := range users {
		add(u, r.Exposures(u))
	}
	for _, g := range groups {
		add("group "+g, r.exposures("", []check{{path: PathImpersonateGroup, attrs: []attributes{
			{verb: "impersonate", resource: "groups", name: g},
			{verb: "impersonate:user-info", group: "authentication.k8s.io", resource: "groups", name: g},
		}}}))
	}
	out := make([]ControllerExposure, 0, len(byFinding))
	for e, ids := range byFinding {
		slices.Sort(ids)
		out = append(out, ControllerExposure{Exposure: e, Identities: ids})
	}
	slices.SortFunc(out, func(a, b ControllerExposure) int {
		return cmp.Or(compareExposures(a.Exposure, b.Exposure), slices.Compare(a.Identities, b.Identities))
	})
	return out
}

// isIdentity reports whether a subject is one of the controller usernames.
func isIdentity(s Ref, users []string) bool {
	switch s.Kind {
	case "User":
		return slices.Contains(users, s.Name)
	case "ServiceAccount":
		return slices.Contains(users, serviceAccountUser(s.Namespace, s.Name))
	}
	return false
}
