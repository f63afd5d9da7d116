package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// MetricsReaderRole is the ClusterRole of manifests/rbac.yaml that may read
// gitgate's metrics.
const MetricsReaderRole = "gitgate-metrics-reader"

// ShippedClusterRole returns a ClusterRole of manifests/rbac.yaml by name.
func ShippedClusterRole(name string) (*rbacv1.ClusterRole, error) {
	data, err := os.ReadFile(filepath.Join(RepoRoot(), "manifests", "rbac.yaml"))
	if err != nil {
		return nil, err
	}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var role rbacv1.ClusterRole
		if err := yaml.Unmarshal([]byte(doc), &role); err != nil {
			return nil, fmt.Errorf("manifests/rbac.yaml: %w", err)
		}
		if role.Kind == "ClusterRole" && role.Name == name {
			return &role, nil
		}
	}
	return nil, fmt.Errorf("manifests/rbac.yaml has no ClusterRole %s", name)
}

// ServiceAccountToken creates ServiceAccount kube-system/name, binds it to the
// given ClusterRoles (rules copied under the name e2e-<name>, so that tests which
// install and delete the shipped RBAC leave it alone) and returns a token of it.
func (cp *ControlPlane) ServiceAccountToken(ctx context.Context, name string, roles ...*rbacv1.ClusterRole) (string, error) {
	sa := &corev1.ServiceAccount{}
	sa.Namespace, sa.Name = "kube-system", name
	if err := cp.Client.Create(ctx, sa); err != nil {
		return "", fmt.Errorf("create service account %s: %w", name, err)
	}
	for _, shipped := range roles {
		role := &rbacv1.ClusterRole{Rules: shipped.Rules}
		role.Name = "e2e-" + name + "-" + shipped.Name
		binding := &rbacv1.ClusterRoleBinding{
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: sa.Namespace, Name: sa.Name}},
		}
		binding.Name = role.Name
		if err := cp.Client.Create(ctx, role); err != nil {
			return "", fmt.Errorf("create cluster role %s: %w", role.Name, err)
		}
		if err := cp.Client.Create(ctx, binding); err != nil {
			return "", fmt.Errorf("create cluster role binding %s: %w", binding.Name, err)
		}
	}
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(24 * 3600))}}
	if err := cp.Client.SubResource("token").Create(ctx, sa, tr); err != nil {
		return "", fmt.Errorf("request a token of %s: %w", name, err)
	}
	return tr.Status.Token, nil
}

// metricsScraper gives the control plane a token that may read gitgate's metrics
// through the shipped gitgate-metrics-reader rules.
func (cp *ControlPlane) metricsScraper(ctx context.Context) error {
	role, err := ShippedClusterRole(MetricsReaderRole)
	if err != nil {
		return err
	}
	cp.MetricsToken, err = cp.ServiceAccountToken(ctx, "metrics-scraper", role)
	return err
}
