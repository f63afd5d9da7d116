package guard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Path is how a subject can act as the sync identity.
type Path string

// The paths Exposures looks for. The last four exist only for a service-account
// sync identity.
const (
	PathImpersonateUser           Path = "impersonate user"
	PathImpersonateServiceAccount Path = "impersonate serviceaccount"
	PathCreateToken               Path = "create token"
	PathCreatePods                Path = "create pods" // a pod may mount the account's token
	// PathWriteWorkloads: creating or changing a workload (Deployment, Job, …) in
	// the account's namespace makes pods that may run as it.
	PathWriteWorkloads Path = "write workloads"
)

// workloads are the kinds whose pod templates a controller turns into pods.
var workloads = []attributes{
	{group: "apps", resource: "deployments"}, {group: "apps", resource: "replicasets"},
	{group: "apps", resource: "statefulsets"}, {group: "apps", resource: "daemonsets"},
	{group: "batch", resource: "jobs"}, {group: "batch", resource: "cronjobs"},
	{resource: "replicationcontrollers"},
}

// workloadWrites are the verbs on workloads that set a pod template: create, and
// update or patch of one that exists.
func workloadWrites() []attributes {
	var out []attributes
	for _, verb := range []string{"create", "update", "patch"} {
		for _, w := range workloads {
			w.verb = verb
			out = append(out, w)
		}
	}
	return out
}

// Ref names a subject, binding or role; Namespace is empty for cluster-scoped ones.
type Ref struct {
	Kind, Namespace, Name string
}

// String is how log lines name it: "Kind namespace/name".
func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Via is the binding, and the role it binds, that grant an Exposure.
type Via struct {
	Binding, Role Ref
}

// String is how log lines name it: "binding -> role".
func (v Via) String() string { return v.Binding.String() + " -> " + v.Role.String() }

// Exposure is one subject that RBAC lets act as the sync identity. RBAC can only
// grant, never deny, so gitgate cannot forbid these; it reports them.
type Exposure struct {
	Subject Ref
	Via     Via
	Path    Path
}

// RBAC is the cluster's roles and bindings, as stored (aggregated ClusterRoles
// carry their materialised rules).
type RBAC struct {
	ClusterRoles        []rbacv1.ClusterRole
	Roles               []rbacv1.Role
	ClusterRoleBindings []rbacv1.ClusterRoleBinding
	RoleBindings        []rbacv1.RoleBinding
}

// ListRBAC reads every role and binding of the cluster.
func ListRBAC(ctx context.Context, c client.Reader) (*RBAC, error) {
	var (
		crs  rbacv1.ClusterRoleList
		rs   rbacv1.RoleList
		crbs rbacv1.ClusterRoleBindingList
		rbs  rbacv1.RoleBindingList
	)
	for _, l := range []client.ObjectList{&crs, &rs, &crbs, &rbs} {
		if err := c.List(ctx, l); err != nil {
			return nil, fmt.Errorf("list %T: %w", l, err)
		}
	}
	return &RBAC{ClusterRoles: crs.Items, Roles: rs.Items, ClusterRoleBindings: crbs.Items, RoleBindings: rbs.Items}, nil
}

// Exposures lists who, besides syncUser itself and group system:masters, can act
// as syncUser according to the cluster's RBAC.
func Exposures(ctx context.Context, c client.Reader, syncUser string) ([]Exposure, error) {
	r, err := ListRBAC(ctx, c)
	if err != nil {
		return nil, err
	}
	return r.Exposures(syncUser), nil
}

// Exposures evaluates the roles and bindings for syncUser, in a stable order
// (subject, path, binding).
func (r *RBAC) Exposures(syncUser string) []Exposure {
	return r.exposures(syncUser, checksFor(syncUser))
}

// exposures evaluates checks against every binding; syncUser is the identity
// they are about, which is never its own exposure ("" for a group).
func (r *RBAC) exposures(syncUser string, checks []check) []Exposure {
	clusterRoles := make(map[string][]rbacv1.PolicyRule, len(r.ClusterRoles))
	for _, cr := range r.ClusterRoles {
		clusterRoles[cr.Name] = cr.Rules
	}
	roles := make(map[Ref][]rbacv1.PolicyRule, len(r.Roles))
	for _, role := range r.Roles {
		roles[Ref{Kind: "Role", Namespace: role.Namespace, Name: role.Name}] = role.Rules
	}
	var out []Exposure
	for _, b := range r.ClusterRoleBindings {
		if b.RoleRef.Kind != "ClusterRole" {
			continue
		}
		via := Via{Binding: Ref{Kind: "ClusterRoleBinding", Name: b.Name}, Role: Ref{Kind: "ClusterRole", Name: b.RoleRef.Name}}
		out = append(out, exposed(syncUser, "", b.Subjects, via, clusterRoles[b.RoleRef.Name], checks)...)
	}
	for _, b := range r.RoleBindings {
		via := Via{Binding: Ref{Kind: "RoleBinding", Namespace: b.Namespace, Name: b.Name}, Role: Ref{Kind: b.RoleRef.Kind, Name: b.RoleRef.Name}}
		rules := clusterRoles[b.RoleRef.Name]
		if b.RoleRef.Kind != "ClusterRole" {
			via.Role.Namespace = b.Namespace
			rules = roles[via.Role]
		}
		out = append(out, exposed(syncUser, b.Namespace, b.Subjects, via, rules, checks)...)
	}
	slices.SortFunc(out, compareExposures)
	return slices.Compact(out)
}

// exposed returns the findings of one binding: namespace is a RoleBinding's (its
// rules apply there only), or "" for a ClusterRoleBinding.
func exposed(syncUser, namespace string, subjects []rbacv1.Subject, via Via, rules []rbacv1.PolicyRule, checks []check) []Exposure {
	var out []Exposure
	for _, c := range checks {
		if namespace != "" && c.namespace != namespace || !c.granted(rules) {
			continue
		}
		for _, s := range subjects {
			if sub, ok := subject(s, namespace, syncUser); ok {
				out = append(out, Exposure{Subject: sub, Via: via, Path: c.path})
			}
		}
	}
	return out
}

// subject names s, or reports false for those that are allowed to act as the sync
// identity anyway: itself and cluster admins. A RoleBinding's service account
// without a namespace is in the binding's namespace, as RBAC resolves it.
func subject(s rbacv1.Subject, bindingNamespace, syncUser string) (Ref, bool) {
	ref := Ref{Kind: s.Kind, Name: s.Name}
	switch s.Kind {
	case rbacv1.UserKind:
		return ref, s.Name != syncUser
	case rbacv1.GroupKind:
		return ref, s.Name != "system:masters"
	case rbacv1.ServiceAccountKind:
		ref.Namespace = cmp.Or(s.Namespace, bindingNamespace)
		return ref, ref.Namespace != "" && serviceAccountUser(ref.Namespace, ref.Name) != syncUser
	}
	return ref, false
}

func compareExposures(a, b Exposure) int {
	return cmp.Or(
		cmp.Compare(a.Subject.String(), b.Subject.String()),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Via.String(), b.Via.String()),
	)
}

const serviceAccountPrefix = "system:serviceaccount:"

func serviceAccountUser(namespace, name string) string {
	return serviceAccountPrefix + namespace + ":" + name
}

// splitServiceAccount returns the namespace and name of a service account's
// username.
func splitServiceAccount(user string) (namespace, name string, ok bool) {
	rest, ok := strings.CutPrefix(user, serviceAccountPrefix)
	if !ok {
		return "", "", false
	}
	namespace, name, ok = strings.Cut(rest, ":")
	return namespace, name, ok && namespace != "" && name != "" && !strings.Contains(name, ":")
}

// check is one authorization the API server makes on a path to the sync identity;
// any of attrs suffices. namespace is "" for a cluster-scoped request, which
// RoleBindings never grant.
type check struct {
	path      Path
	namespace string
	attrs     []attributes
}

type attributes struct {
	verb, group, resource, subresource, name string
}

// checksFor returns the checks for syncUser. The API server authorizes
// impersonating a service account's username as `impersonate` on its
// `serviceaccounts` object, never on `users`; constrained impersonation (KEP-5284)
// asks for `impersonate:<mode>` in authentication.k8s.io instead.
func checksFor(syncUser string) []check {
	ns, name, ok := splitServiceAccount(syncUser)
	if !ok {
		return []check{{path: PathImpersonateUser, attrs: []attributes{
			{verb: "impersonate", resource: "users", name: syncUser},
			{verb: "impersonate:user-info", group: "authentication.k8s.io", resource: "users", name: syncUser},
		}}}
	}
	return []check{
		{path: PathImpersonateServiceAccount, namespace: ns, attrs: []attributes{
			{verb: "impersonate", resource: "serviceaccounts", name: name},
			{verb: "impersonate:serviceaccount", group: "authentication.k8s.io", resource: "serviceaccounts", name: name},
		}},
		{path: PathCreateToken, namespace: ns, attrs: []attributes{{verb: "create", resource: "serviceaccounts", subresource: "token", name: name}}},
		{path: PathCreatePods, namespace: ns, attrs: []attributes{{verb: "create", resource: "pods"}}},
		{path: PathWriteWorkloads, namespace: ns, attrs: workloadWrites()},
	}
}

func (c check) granted(rules []rbacv1.PolicyRule) bool {
	for _, r := range rules {
		for _, a := range c.attrs {
			if a.allowedBy(r) {
				return true
			}
		}
	}
	return false
}

// allowedBy matches a rule as the RBAC authorizer does: `*` for verbs, groups and
// resources, `*/subresource`, and resourceNames (which never match a create
// without a name).
func (a attributes) allowedBy(r rbacv1.PolicyRule) bool {
	if !matches(r.Verbs, a.verb) || !matches(r.APIGroups, a.group) {
		return false
	}
	if len(r.ResourceNames) > 0 && !slices.Contains(r.ResourceNames, a.name) {
		return false
	}
	resource := a.resource
	if a.subresource != "" {
		resource += "/" + a.subresource
	}
	for _, res := range r.Resources {
		if res == rbacv1.ResourceAll || res == resource || a.subresource != "" && res == "*/"+a.subresource {
			return true
		}
	}
	return false
}

func matches(granted []string, want string) bool {
	return slices.Contains(granted, "*") || slices.Contains(granted, want)
}
