package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestApplierRBACGroupsResourcesByAPIGroup(t *testing.T) {
	sub := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "sync"}
	objs := applierRBAC([]schema.GroupResource{
		{Resource: "configmaps"}, {Resource: "namespaces"}, {Group: "apps", Resource: "deployments"}, {Group: "apps", Resource: "statefulsets"},
	}, "applier", "gitgate-system", "inv", "lease", sub)
	if len(objs) != 4 {
		t.Fatalf("%d objects, want ClusterRole, ClusterRoleBinding, Role, RoleBinding", len(objs))
	}
	role := objs[0].(*rbacv1.ClusterRole)
	want := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps", "namespaces"}, Verbs: applierVerbs},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "statefulsets"}, Verbs: applierVerbs},
	}
	if diff := cmp.Diff(want, role.Rules); diff != "" {
		t.Errorf("ClusterRole rules (-want +got):\n%s", diff)
	}
	for _, r := range role.Rules {
		for _, v := range append(append(r.APIGroups, r.Resources...), r.Verbs...) {
			if v == "*" {
				t.Errorf("wildcard in %+v", r)
			}
		}
	}
	if b := objs[3].(*rbacv1.RoleBinding); b.Namespace != "gitgate-system" || b.Subjects[0] != sub || b.RoleRef.Kind != "Role" {
		t.Errorf("RoleBinding %+v", b)
	}
}
