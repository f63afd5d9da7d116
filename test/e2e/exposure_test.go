package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// gitgate reports who RBAC lets act as the sync identity, and agrees with the API
// server: `impersonate` on `users` naming a service account's username is not a
// path (the API server checks `serviceaccounts` for such a username), `impersonate`
// on the `serviceaccounts` object is.
func TestExposureOfSyncIdentity(t *testing.T) {
	const (
		mallory    = "mallory"
		usersGrant = "gitgate-e2e-exposure-users"
		saGrant    = "gitgate-e2e-exposure-serviceaccount"
	)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	n := exposureGauge(t)
	logStart := logSize(t)

	u, err := cp.Env.AddUser(envtest.User{Name: mallory}, cp.Env.Config)
	if err != nil {
		t.Fatal(err)
	}
	asMallory := u.Config()
	asMallory.Impersonate.UserName = cluster.SyncUser
	impersonating, err := client.New(asMallory, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	whoAmI := func() (string, error) {
		r := &authenticationv1.SelfSubjectReview{}
		if err := impersonating.Create(ctx, r); err != nil {
			return "", err
		}
		return r.Status.UserInfo.Username, nil
	}

	// The users grant first: every pass that sees the serviceaccounts grant sees it too.
	grantImpersonation(ctx, t, usersGrant, mallory, "users", cluster.SyncUser)
	eventually(t, 20*time.Second, func() string {
		if !canImpersonate(ctx, t, mallory, "users", "", cluster.SyncUser) {
			return "RBAC does not yet grant mallory impersonate users"
		}
		return ""
	})
	if name, err := whoAmI(); !apierrors.IsForbidden(err) {
		t.Fatalf("impersonate users let mallory act as %s (%v); gitgate would not report it", name, err)
	}

	_, saName, _ := strings.Cut(strings.TrimPrefix(cluster.SyncUser, "system:serviceaccount:"), ":")
	grantImpersonation(ctx, t, saGrant, mallory, "serviceaccounts", saName)
	eventually(t, 20*time.Second, func() string {
		if name, err := whoAmI(); err != nil || name != cluster.SyncUser {
			return fmt.Sprintf("mallory cannot act as the sync identity yet: %q, %v", name, err)
		}
		return ""
	})
	eventually(t, 20*time.Second, func() string {
		if got := exposureGauge(t); got != n+1 {
			return fmt.Sprintf("gitgate_sync_identity_exposures = %v, want %v", got, n+1)
		}
		if !findingLogged(t, logStart, mallory, saGrant, "impersonate serviceaccount") {
			return "the log does not name mallory via " + saGrant
		}
		return ""
	})
	if findingLogged(t, logStart, mallory, usersGrant, "") {
		t.Errorf("gitgate reported %s, which the API server does not accept for a service account", usersGrant)
	}

	for _, name := range []string{saGrant, usersGrant} {
		deleteGrant(ctx, t, name)
	}
	eventually(t, 20*time.Second, func() string {
		if got := exposureGauge(t); got != n {
			return fmt.Sprintf("gitgate_sync_identity_exposures = %v, want %v after the grants are gone", got, n)
		}
		return ""
	})
}

// grantImpersonation creates a ClusterRole granting impersonate on resource
// (resourceNames: name) and binds it to user, both called grant.
func grantImpersonation(ctx context.Context, t *testing.T, grant, user, resource, name string) {
	t.Helper()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: grant}, Rules: []rbacv1.PolicyRule{{
		Verbs: []string{"impersonate"}, APIGroups: []string{""}, Resources: []string{resource}, ResourceNames: []string{name},
	}}}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: grant},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: grant},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}}}
	t.Cleanup(func() { deleteGrant(context.Background(), t, grant) })
	for _, o := range []client.Object{role, binding} {
		if err := cp.Client.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
}

func deleteGrant(ctx context.Context, t *testing.T, grant string) {
	t.Helper()
	meta := metav1.ObjectMeta{Name: grant}
	for _, o := range []client.Object{&rbacv1.ClusterRoleBinding{ObjectMeta: meta}, &rbacv1.ClusterRole{ObjectMeta: meta}} {
		if err := cp.Client.Delete(ctx, o); client.IgnoreNotFound(err) != nil {
			t.Errorf("delete %s: %v", grant, err)
		}
	}
}

// canImpersonate asks the API server's authorizer (SubjectAccessReview).
func canImpersonate(ctx context.Context, t *testing.T, user, resource, namespace, name string) bool {
	t.Helper()
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user,
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "impersonate", Resource: resource, Namespace: namespace, Name: name}}}
	if err := cp.Client.Create(ctx, sar); err != nil {
		t.Fatal(err)
	}
	return sar.Status.Allowed
}

// exposureGauge reads gitgate_sync_identity_exposures from the shared gitgate.
func exposureGauge(t *testing.T) float64 {
	t.Helper()
	var v float64
	eventually(t, 20*time.Second, func() string {
		m, err := gg.Metrics()
		if err != nil {
			return err.Error()
		}
		for line := range strings.Lines(m) {
			if rest, ok := strings.CutPrefix(line, "gitgate_sync_identity_exposures "); ok {
				if v, err = strconv.ParseFloat(strings.TrimSpace(rest), 64); err != nil {
					return err.Error()
				}
				return ""
			}
		}
		return "no gitgate_sync_identity_exposures in /metrics"
	})
	return v
}

func logSize(t *testing.T) int64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(gg.Dir, "gitgate.log"))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// findingLogged reports whether gitgate logged, after offset, a finding naming
// user via binding (and path, if given).
func findingLogged(t *testing.T, offset int64, user, binding, path string) bool {
	t.Helper()
	f, err := os.Open(filepath.Join(gg.Dir, "gitgate.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, 0); err != nil {
		t.Fatal(err)
	}
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		l := s.Text()
		if strings.Contains(l, "act as the sync identity") && strings.Contains(l, `"subject":"User `+user+`"`) &&
			strings.Contains(l, "ClusterRoleBinding "+binding+" ") && strings.Contains(l, `"path":"`+path) {
			return true
		}
	}
	return false
}
