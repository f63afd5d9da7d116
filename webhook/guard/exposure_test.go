package guard

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	syncSA   = "system:serviceaccount:gitgate-system:gitgate"
	syncBot  = "gitops-bot"
	syncNS   = "gitgate-system"
	authnAPI = "authentication.k8s.io"
)

func rule(verbs, groups, resources []string, names ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources, ResourceNames: names}
}

func strs(s ...string) []string { return s }

func clusterRole(name string, rules ...rbacv1.PolicyRule) rbacv1.ClusterRole {
	return rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
}

func role(ns, name string, rules ...rbacv1.PolicyRule) rbacv1.Role {
	return rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Rules: rules}
}

func crb(name, clusterRole string, subjects ...rbacv1.Subject) rbacv1.ClusterRoleBinding {
	return rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: clusterRole}, Subjects: subjects}
}

func rb(ns, name, kind, role string, subjects ...rbacv1.Subject) rbacv1.RoleBinding {
	return rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		RoleRef: rbacv1.RoleRef{Kind: kind, Name: role}, Subjects: subjects}
}

func user(name string) rbacv1.Subject  { return rbacv1.Subject{Kind: rbacv1.UserKind, Name: name} }
func group(name string) rbacv1.Subject { return rbacv1.Subject{Kind: rbacv1.GroupKind, Name: name} }
func sa(ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}
}

// viaCRB and viaRB are the Via of crb(name, role) and rb(ns, name, kind, role).
func viaCRB(name, role string) Via {
	return Via{Binding: Ref{Kind: "ClusterRoleBinding", Name: name}, Role: Ref{Kind: "ClusterRole", Name: role}}
}

func viaRB(ns, name, kind, role string) Via {
	v := Via{Binding: Ref{Kind: "RoleBinding", Namespace: ns, Name: name}, Role: Ref{Kind: kind, Name: role}}
	if kind == "Role" {
		v.Role.Namespace = ns
	}
	return v
}

var mallory = Ref{Kind: "User", Name: "mallory"}

// editRules are the exposing rules of the default `edit` ClusterRole (aggregated
// from system:aggregate-to-edit), as stored.
var editRules = []rbacv1.PolicyRule{
	rule(strs("get", "list", "watch"), strs(""), strs("pods/attach", "pods/exec", "secrets")),
	rule(strs("impersonate"), strs(""), strs("serviceaccounts")),
	rule(strs("create", "delete", "deletecollection", "patch", "update"), strs(""), strs("pods", "pods/attach", "pods/exec")),
	rule(strs("create"), strs(""), strs("serviceaccounts/token")),
	rule(strs("create", "delete", "deletecollection", "patch", "update"), strs("apps"), strs("deployments")),
}

func TestExposures(t *testing.T) {
	impersonateUsers := clusterRole("impersonate-users", rule(strs("impersonate"), strs(""), strs("users")))
	impersonateSAs := clusterRole("impersonate-sas", rule(strs("impersonate"), strs(""), strs("serviceaccounts")))
	tokens := clusterRole("tokens", rule(strs("create"), strs(""), strs("serviceaccounts/token")))
	for _, tc := range []struct {
		name     string
		syncUser string
		rbac     RBAC
		want     []Exposure
	}{{
		name: "impersonate user", syncUser: syncBot,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{impersonateUsers},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "impersonate-users", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaCRB("b", "impersonate-users"), Path: PathImpersonateUser}},
	}, {
		name: "impersonate user: resourceNames name the sync user", syncUser: syncBot,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{clusterRole("r", rule(strs("impersonate"), strs(""), strs("users"), "someone", syncBot))},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "r", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaCRB("b", "r"), Path: PathImpersonateUser}},
	}, {
		name: "impersonate user: resourceNames name someone else", syncUser: syncBot,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{clusterRole("r", rule(strs("impersonate"), strs(""), strs("users"), "someone"))},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "r", user("mallory"))}},
	}, {
		name: "impersonate user: a RoleBinding never grants a cluster-scoped request", syncUser: syncBot,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{impersonateUsers},
			RoleBindings: []rbacv1.RoleBinding{rb("team", "b", "ClusterRole", "impersonate-users", user("mallory"))}},
	}, {
		name: "impersonate user: wrong API group", syncUser: syncBot,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{clusterRole("r", rule(strs("impersonate"), strs("apps"), strs("users")))},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "r", user("mallory"))}},
	}, {
		name: "a service account's username is impersonated through serviceaccounts, not users", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{clusterRole("r", rule(strs("impersonate"), strs(""), strs("users"), syncSA))},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "r", user("mallory"))}},
	}, {
		name: "impersonate serviceaccount, cluster-wide", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{impersonateSAs},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "impersonate-sas", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaCRB("b", "impersonate-sas"), Path: PathImpersonateServiceAccount}},
	}, {
		name: "impersonate serviceaccount: resourceNames", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{
			clusterRole("named", rule(strs("impersonate"), strs(""), strs("serviceaccounts"), "gitgate")),
			clusterRole("other", rule(strs("impersonate"), strs(""), strs("serviceaccounts"), "builder")),
		}, ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b1", "named", user("mallory")), crb("b2", "other", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaCRB("b1", "named"), Path: PathImpersonateServiceAccount}},
	}, {
		name: "impersonate serviceaccount: constrained impersonation", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{clusterRole("r", rule(strs("impersonate:serviceaccount"), strs(authnAPI), strs("serviceaccounts")))},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "r", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaCRB("b", "r"), Path: PathImpersonateServiceAccount}},
	}, {
		name: "create token in the namespace", syncUser: syncSA,
		rbac: RBAC{Roles: []rbacv1.Role{role(syncNS, "r", rule(strs("create"), strs(""), strs("serviceaccounts/token"), "gitgate"))},
			RoleBindings: []rbacv1.RoleBinding{rb(syncNS, "b", "Role", "r", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaRB(syncNS, "b", "Role", "r"), Path: PathCreateToken}},
	}, {
		name: "create token: */token matches, serviceaccounts/* does not (RBAC does not expand it)", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{
			clusterRole("any-token", rule(strs("create"), strs(""), strs("*/token"))),
			clusterRole("sa-star", rule(strs("create"), strs(""), strs("serviceaccounts/*"))),
		}, ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b1", "any-token", user("mallory")), crb("b2", "sa-star", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaCRB("b1", "any-token"), Path: PathCreateToken}},
	}, {
		name: "create pods in the namespace; resourceNames never match a create", syncUser: syncSA,
		rbac: RBAC{Roles: []rbacv1.Role{
			role(syncNS, "pods", rule(strs("create"), strs(""), strs("pods"))),
			role(syncNS, "named", rule(strs("create"), strs(""), strs("pods"), "debug")),
		}, RoleBindings: []rbacv1.RoleBinding{rb(syncNS, "b1", "Role", "pods", user("mallory")), rb(syncNS, "b2", "Role", "named", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaRB(syncNS, "b1", "Role", "pods"), Path: PathCreatePods}},
	}, {
		name: "wildcards", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{clusterRole("all", rule(strs("*"), strs("*"), strs("*")))},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "all", user("mallory"))}},
		want: []Exposure{
			{Subject: mallory, Via: viaCRB("b", "all"), Path: PathCreatePods},
			{Subject: mallory, Via: viaCRB("b", "all"), Path: PathCreateToken},
			{Subject: mallory, Via: viaCRB("b", "all"), Path: PathImpersonateServiceAccount},
			{Subject: mallory, Via: viaCRB("b", "all"), Path: PathWriteWorkloads},
		},
	}, {
		name: "wildcards: resources * for a user", syncUser: syncBot,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{clusterRole("r", rule(strs("impersonate"), strs("*"), strs("*")))},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "r", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaCRB("b", "r"), Path: PathImpersonateUser}},
	}, {
		name: "RoleBinding to a ClusterRole: only in the binding's namespace", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{tokens}, RoleBindings: []rbacv1.RoleBinding{
			rb(syncNS, "here", "ClusterRole", "tokens", user("mallory")),
			rb("team", "elsewhere", "ClusterRole", "tokens", user("mallory")),
		}},
		want: []Exposure{{Subject: mallory, Via: viaRB(syncNS, "here", "ClusterRole", "tokens"), Path: PathCreateToken}},
	}, {
		name: "the default edit ClusterRole bound in the sync namespace", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{clusterRole("edit", editRules...)},
			RoleBindings: []rbacv1.RoleBinding{rb(syncNS, "devs-edit", "ClusterRole", "edit", group("devs"))}},
		want: []Exposure{
			{Subject: Ref{Kind: "Group", Name: "devs"}, Via: viaRB(syncNS, "devs-edit", "ClusterRole", "edit"), Path: PathCreatePods},
			{Subject: Ref{Kind: "Group", Name: "devs"}, Via: viaRB(syncNS, "devs-edit", "ClusterRole", "edit"), Path: PathCreateToken},
			{Subject: Ref{Kind: "Group", Name: "devs"}, Via: viaRB(syncNS, "devs-edit", "ClusterRole", "edit"), Path: PathImpersonateServiceAccount},
			{Subject: Ref{Kind: "Group", Name: "devs"}, Via: viaRB(syncNS, "devs-edit", "ClusterRole", "edit"), Path: PathWriteWorkloads},
		},
	}, {
		name: "write workloads: patching a Deployment in the namespace; reading does not count", syncUser: syncSA,
		rbac: RBAC{Roles: []rbacv1.Role{
			role(syncNS, "deploy-patcher", rule(strs("get", "patch"), strs("apps"), strs("deployments"))),
			role(syncNS, "job-reader", rule(strs("get", "list"), strs("batch"), strs("jobs"))),
		}, RoleBindings: []rbacv1.RoleBinding{rb(syncNS, "b1", "Role", "deploy-patcher", user("mallory")), rb(syncNS, "b2", "Role", "job-reader", user("mallory"))}},
		want: []Exposure{{Subject: mallory, Via: viaRB(syncNS, "b1", "Role", "deploy-patcher"), Path: PathWriteWorkloads}},
	}, {
		name: "skips system:masters and the sync identity itself", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{tokens},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "tokens", group("system:masters"), user(syncSA), sa(syncNS, "gitgate"))},
			// A RoleBinding's service account without a namespace is in the binding's.
			RoleBindings: []rbacv1.RoleBinding{rb(syncNS, "self", "ClusterRole", "tokens", sa("", "gitgate"))}},
	}, {
		name: "subjects: a service account, a ClusterRoleBinding's service account without namespace (matches nobody)", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{tokens},
			ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "tokens", sa("", "ci"), sa("ci", "deployer"))},
			RoleBindings:        []rbacv1.RoleBinding{rb(syncNS, "local", "ClusterRole", "tokens", sa("", "helper"))}},
		want: []Exposure{
			{Subject: Ref{Kind: "ServiceAccount", Namespace: "ci", Name: "deployer"}, Via: viaCRB("b", "tokens"), Path: PathCreateToken},
			{Subject: Ref{Kind: "ServiceAccount", Namespace: syncNS, Name: "helper"}, Via: viaRB(syncNS, "local", "ClusterRole", "tokens"), Path: PathCreateToken},
		},
	}, {
		name: "a binding to a missing role grants nothing", syncUser: syncSA,
		rbac: RBAC{ClusterRoleBindings: []rbacv1.ClusterRoleBinding{crb("b", "gone", user("mallory"))},
			RoleBindings: []rbacv1.RoleBinding{rb(syncNS, "b", "Role", "gone", user("mallory"))}},
	}, {
		name: "sorted by subject, path, binding; duplicates once", syncUser: syncSA,
		rbac: RBAC{ClusterRoles: []rbacv1.ClusterRole{tokens, impersonateSAs}, ClusterRoleBindings: []rbacv1.ClusterRoleBinding{
			crb("z", "tokens", user("zoe"), user("mallory"), user("mallory")),
			crb("a", "impersonate-sas", user("mallory")),
			crb("m", "tokens", user("mallory")),
		}},
		want: []Exposure{
			{Subject: mallory, Via: viaCRB("m", "tokens"), Path: PathCreateToken},
			{Subject: mallory, Via: viaCRB("z", "tokens"), Path: PathCreateToken},
			{Subject: mallory, Via: viaCRB("a", "impersonate-sas"), Path: PathImpersonateServiceAccount},
			{Subject: Ref{Kind: "User", Name: "zoe"}, Via: viaCRB("z", "tokens"), Path: PathCreateToken},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.rbac.Exposures(tc.syncUser)); diff != "" {
				t.Errorf("Exposures(%s) (-want +got):\n%s", tc.syncUser, diff)
			}
		})
	}
}

func TestSplitServiceAccount(t *testing.T) {
	for user, want := range map[string][2]string{
		syncSA:                         {syncNS, "gitgate"},
		"system:serviceaccount:ns":     {},
		"system:serviceaccount::name":  {},
		"system:serviceaccount:a:b:c":  {},
		"system:serviceaccounts:ns":    {},
		"gitops-bot":                   {},
		"system:serviceaccount:ns:bot": {"ns", "bot"},
	} {
		ns, name, ok := splitServiceAccount(user)
		if got := [2]string{ns, name}; ok != (want != [2]string{}) || ok && got != want {
			t.Errorf("splitServiceAccount(%q) = %q, %q, %v; want %q", user, ns, name, ok, want)
		}
	}
}

func ExampleRBAC_Exposures() {
	r := RBAC{
		ClusterRoles: []rbacv1.ClusterRole{clusterRole("edit", editRules...)},
		RoleBindings: []rbacv1.RoleBinding{rb("gitgate-system", "devs", "ClusterRole", "edit", group("devs"))},
	}
	for _, e := range r.Exposures("system:serviceaccount:gitgate-system:gitgate") {
		fmt.Printf("%s: %s via %s\n", e.Subject, e.Path, e.Via)
	}
	// Output:
	// Group devs: create pods via RoleBinding gitgate-system/devs -> ClusterRole edit
	// Group devs: create token via RoleBinding gitgate-system/devs -> ClusterRole edit
	// Group devs: impersonate serviceaccount via RoleBinding gitgate-system/devs -> ClusterRole edit
	// Group devs: write workloads via RoleBinding gitgate-system/devs -> ClusterRole edit
}
