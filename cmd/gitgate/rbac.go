package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex/source"
)

type rbacFlags struct {
	drift                           driftFlags
	name, inventory, serviceAccount string
	user, leaseName                 string
}

// applierVerbs are what the applier does to the kinds git declares: read and
// compare, server-side apply (create, patch), prune (delete).
var applierVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete"}

func newRBACCommand() *cobra.Command {
	f := &rbacFlags{}
	cmd := &cobra.Command{
		Use:   "rbac",
		Short: "Print least-privilege RBAC for the applier: write access to exactly the kinds git declares",
		Long: "Prints a ClusterRole granting the applier's verbs on the resources of the kinds the repository declares " +
			"(instead of the install's `*` grant), its ClusterRoleBinding, and a Role and RoleBinding for the inventory " +
			"ConfigMap and the leader Lease. Re-run it when git starts declaring a new kind: until then the applier " +
			"reports that kind as forbidden.",
		RunE: func(cmd *cobra.Command, _ []string) error { return runRBAC(cmd.Context(), cmd.OutOrStdout(), f) },
	}
	fs := cmd.Flags()
	f.drift.repoFlags.bind(fs, "", "main")
	fs.StringVar(&f.name, "name", "gitgate-applier", "name of the ClusterRole, Role and their bindings")
	fs.StringVar(&f.inventory, "inventory", "gitgate-system/gitgate-inventory", "namespace/name of the applier's inventory ConfigMap (as for serve)")
	fs.StringVar(&f.serviceAccount, "service-account", "gitgate-system/gitgate-applier", "namespace/name of the ServiceAccount the applier runs as")
	fs.StringVar(&f.user, "user", "", "bind this username instead of --service-account")
	fs.StringVar(&f.leaseName, "leader-election-id", "gitgate-applier", "the applier's leader Lease (as for serve; in the inventory's namespace)")
	return cmd
}

func runRBAC(ctx context.Context, out io.Writer, f *rbacFlags) error {
	invNS, invName, ok := strings.Cut(f.inventory, "/")
	if !ok {
		return fmt.Errorf("--inventory must be namespace/name, not %q", f.inventory)
	}
	subject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: f.user}
	if f.user == "" {
		ns, name, ok := strings.Cut(f.serviceAccount, "/")
		if !ok {
			return fmt.Errorf("--service-account must be namespace/name, not %q", f.serviceAccount)
		}
		subject = rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}
	}
	snap, err := f.drift.snapshot(ctx)
	if err != nil {
		return err
	}
	objs := applierRBAC(snap.Resources(), f.name, invNS, invName, f.leaseName, subject)
	fmt.Fprintf(out, "# gitgate rbac: the applier's access to the %d resource(s) %s@%s declares.\n",
		len(snap.Resources()), source.Redact(f.drift.repo), snap.ShortCommit())
	for _, o := range objs {
		data, err := yaml.Marshal(o)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "---\n%s", data)
	}
	return nil
}

// applierRBAC builds the ClusterRole (one rule per API group) and the Role for
// the inventory, the Lease and events in the inventory's namespace (the applier's
// --leader-election-namespace must be that one), each bound to subject.
func applierRBAC(resources []schema.GroupResource, name, invNS, invName, lease string, subject rbacv1.Subject) []runtime.Object {
	role := &rbacv1.ClusterRole{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, gr := range resources {
		n := len(role.Rules)
		if n == 0 || role.Rules[n-1].APIGroups[0] != gr.Group {
			role.Rules = append(role.Rules, rbacv1.PolicyRule{APIGroups: []string{gr.Group}, Verbs: applierVerbs})
			n++
		}
		role.Rules[n-1].Resources = append(role.Rules[n-1].Resources, gr.Resource)
	}
	ns := &rbacv1.Role{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: invNS},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{invName}, Verbs: []string{"get", "update", "patch"}},
			{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"create"}},
			{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{lease}, Verbs: []string{"get", "update", "patch"}},
			{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"create"}},
			{APIGroups: []string{"", "events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
		}}
	ref := func(kind string) rbacv1.RoleRef {
		return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: name}
	}
	return []runtime.Object{
		role,
		&rbacv1.ClusterRoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: ref("ClusterRole"), Subjects: []rbacv1.Subject{subject}},
		ns,
		&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: invNS}, RoleRef: ref("Role"), Subjects: []rbacv1.Subject{subject}},
	}
}
