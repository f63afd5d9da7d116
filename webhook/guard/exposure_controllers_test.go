package guard

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestControllerExposures(t *testing.T) {
	const (
		kcm = "system:kube-controller-manager"
		gc  = "system:serviceaccount:kube-system:generic-garbage-collector"
		rs  = "system:serviceaccount:kube-system:replicaset-controller"
	)
	users, groups := []string{kcm, gc, rs}, []string{"system:nodes"}
	r := &RBAC{
		ClusterRoles: []rbacv1.ClusterRole{
			clusterRole("tokens", rule(strs("create"), strs(""), strs("serviceaccounts/token"))),
			clusterRole("impersonate-kcm", rule(strs("impersonate"), strs(""), strs("users"), kcm)),
			clusterRole("impersonate-nodes", rule(strs("impersonate"), strs(""), strs("groups"), "system:nodes")),
			clusterRole("admin-all", rule(strs("*"), strs("*"), strs("*"))),
		},
		Roles: []rbacv1.Role{role("kube-system", "pods", rule(strs("create"), strs(""), strs("pods")))},
		ClusterRoleBindings: []rbacv1.ClusterRoleBinding{
			crb("kcm-tokens", "tokens", user(kcm)),                 // a controller identity itself: not listed
			crb("mallory-kcm", "impersonate-kcm", user("mallory")), // acts as kube-controller-manager
			crb("oncall-nodes", "impersonate-nodes", group("oncall")),
			crb("masters", "admin-all", group("system:masters")),
		},
		RoleBindings: []rbacv1.RoleBinding{
			rb("kube-system", "rs-pods", "Role", "pods", sa("kube-system", "replicaset-controller")),
			rb("kube-system", "dev-pods", "Role", "pods", user("dev")), // runs pods as any kube-system account
		},
	}
	got := r.ControllerExposures(users, groups)
	want := []ControllerExposure{
		{Exposure: Exposure{Subject: Ref{Kind: "Group", Name: "oncall"}, Via: viaCRB("oncall-nodes", "impersonate-nodes"), Path: PathImpersonateGroup},
			Identities: []string{"group system:nodes"}},
		{Exposure: Exposure{Subject: Ref{Kind: "User", Name: "dev"}, Via: viaRB("kube-system", "dev-pods", "Role", "pods"), Path: PathCreatePods},
			Identities: []string{gc, rs}},
		{Exposure: Exposure{Subject: Ref{Kind: "User", Name: "mallory"}, Via: viaCRB("mallory-kcm", "impersonate-kcm"), Path: PathImpersonateUser},
			Identities: []string{kcm}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ControllerExposures (-want +got):\n%s", diff)
	}
}
