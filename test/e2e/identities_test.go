package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	gcServiceAccount = "system:serviceaccount:kube-system:generic-garbage-collector"
	nsServiceAccount = "system:serviceaccount:kube-system:namespace-controller"
)

// uniqueName is a DNS-1123 name of its own per call.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000_000)
}

// kcmModes runs f once with kube-controller-manager acting as itself
// (--use-service-account-credentials=false, as the suite starts it) and once with
// per-controller ServiceAccounts, restarting it in between and restoring false.
func kcmModes(t *testing.T, f func(t *testing.T, serviceAccounts bool)) {
	for _, sa := range []bool{false, true} {
		t.Run(fmt.Sprintf("use-service-account-credentials=%v", sa), func(t *testing.T) {
			if err := cp.RestartKCM(sa); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := cp.RestartKCM(false); err != nil {
					t.Error(err)
				}
			})
			f(t, sa)
		})
	}
}

// gcUser is the identity the garbage collector acts as in a credential mode.
func gcUser(serviceAccounts bool) string {
	if serviceAccounts {
		return gcServiceAccount
	}
	return "system:kube-controller-manager"
}

// declare commits objects to git under k8s/app/<name>.yaml, waits for gitgate to
// serve them and applies them as the sync identity; cleanup removes them from git
// and the cluster.
func declare(t *testing.T, name, manifests string) string {
	t.Helper()
	rel := "k8s/app/" + name + ".yaml"
	commitAndWait(t, map[string]string{rel: manifests}, "declare "+name, false)
	t.Cleanup(func() {
		kubectl(t, cp.Sync, "delete", "--wait=false", "--ignore-not-found", "-f", gitFile(rel))
		commitAndWait(t, map[string]string{rel: ""}, "remove "+name, false)
	})
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", gitFile(rel))
	return rel
}

// configMapAndService are a ConfigMap and a Service named name in staging.
func configMapAndService(name string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: %[1]s, namespace: staging}
data: {owner: git}
---
apiVersion: v1
kind: Service
metadata: {name: %[1]s, namespace: staging}
spec:
  selector: {app: %[1]s}
  ports: [{port: 80}]
`, name)
}

// ghostOwner is a merge patch that gives an object an owner that does not exist.
func ghostOwner(name string) string {
	return fmt.Sprintf(`{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"ghost-%s","uid":"6f1d7c2e-0000-4000-8000-%012d"}]}}`,
		name, time.Now().UnixNano()%1_000_000_000_000)
}

// auditedDenial reports whether the audit log holds a denied op of kind/name by user.
func auditedDenial(t *testing.T, user, op, kind, name string) bool {
	t.Helper()
	for _, l := range auditLines(t) {
		if strings.Contains(l, `"username":"`+user+`"`) && strings.Contains(l, `"operation":"`+op+`"`) &&
			strings.Contains(l, `"kind":"`+kind+`"`) && strings.Contains(l, `"name":"`+name+`"`) && strings.Contains(l, `"decision":"denied"`) {
			return true
		}
	}
	return false
}

// serviceAccountKubeconfig creates ServiceAccount ns/name and returns a kubeconfig
// that authenticates with a token of it (and nothing else).
func serviceAccountKubeconfig(t *testing.T, ns, name string) string {
	t.Helper()
	mustKubectl(t, cp.Admin, "-n", ns, "create", "serviceaccount", name)
	t.Cleanup(func() { kubectl(t, cp.Admin, "-n", ns, "delete", "serviceaccount", name) })
	token := strings.TrimSpace(mustKubectl(t, cp.Admin, "-n", ns, "create", "token", name, "--duration=1h"))
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["e2e"] = &clientcmdapi.Cluster{Server: cp.Config.Host, CertificateAuthorityData: cp.Config.CAData}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: name}
	cfg.CurrentContext = "e2e"
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A controller is an exact identity: a fresh kube-system ServiceAccount bound to
// edit, and a user in group system:nodes, are judged as humans; the garbage
// collector's and the namespace controller's own identities may delete a declared
// object only as their roles allow.
func TestControllerIdentities(t *testing.T) {
	name := uniqueName("ids")
	declare(t, name, configMapAndService(name))

	rogue := uniqueName("rogue")
	asRogue := serviceAccountKubeconfig(t, "kube-system", rogue)
	mustKubectl(t, cp.Admin, "-n", "staging", "create", "rolebinding", rogue, "--clusterrole=edit", "--serviceaccount=kube-system:"+rogue)
	t.Cleanup(func() { kubectl(t, cp.Admin, "-n", "staging", "delete", "rolebinding", rogue) })
	rogueUser := "system:serviceaccount:kube-system:" + rogue
	eventually(t, 20*time.Second, func() string {
		if out, _ := kubectl(t, asRogue, "-n", "staging", "auth", "can-i", "delete", "configmaps"); strings.TrimSpace(out) != "yes" {
			return "RBAC does not let the rogue account delete configmaps yet: " + out
		}
		return ""
	})
	out, ok := kubectl(t, asRogue, "-n", "staging", "delete", "configmap", name)
	denied(t, out, ok, "delete: the object is declared in git")
	out, ok = kubectl(t, asRogue, "-n", "staging", "patch", "service", name, "--type=merge", "-p", ghostOwner(name))
	denied(t, out, ok, "metadata.ownerReferences")

	out, ok = kubectl(t, cp.Admin, "-n", "staging", "delete", "configmap", name, "--as=mallory", "--as-group=system:nodes", "--as-group=system:masters")
	denied(t, out, ok, "delete: the object is declared in git")
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "delete", "configmap", name, "--as="+gcServiceAccount)
	denied(t, out, ok, "a controller deletes it only as the garbage collector")
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "delete", "configmap", name, "--as="+nsServiceAccount)
	denied(t, out, ok, "the namespace controller (in a terminating namespace)")

	for _, user := range []string{rogueUser, "mallory", gcServiceAccount, nsServiceAccount} {
		if !auditedDenial(t, user, "DELETE", "ConfigMap", name) {
			t.Errorf("no audited denial of %s's DELETE", user)
		}
	}
	mustKubectl(t, cp.Admin, "-n", "staging", "get", "configmap,service", name)
}

// gauge reads one unlabelled gauge from the shared gitgate's /metrics.
func gauge(t *testing.T, name string) float64 {
	t.Helper()
	var v float64
	eventually(t, 20*time.Second, func() string {
		m, err := gg.Metrics()
		if err != nil {
			return err.Error()
		}
		for line := range strings.Lines(m) {
			if rest, ok := strings.CutPrefix(line, name+" "); ok {
				if v, err = strconv.ParseFloat(strings.TrimSpace(rest), 64); err != nil {
					return err.Error()
				}
				return ""
			}
		}
		return "no " + name + " in /metrics"
	})
	return v
}

// Who can act as a controller identity is reported like who can act as the sync
// identity: impersonating system:kube-controller-manager is one more exposure.
func TestExposureOfControllerIdentity(t *testing.T) {
	const metric = "gitgate_controller_identity_exposures"
	grant, subject := uniqueName("act-as-kcm"), uniqueName("eve")
	n := gauge(t, metric)
	grantImpersonation(t.Context(), t, grant, subject, "users", "system:kube-controller-manager")
	eventually(t, 30*time.Second, func() string {
		if got := gauge(t, metric); got != n+1 {
			return fmt.Sprintf("%s = %v, want %v", metric, got, n+1)
		}
		return ""
	})
	log, err := os.ReadFile(filepath.Join(gg.Dir, "gitgate.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), `"subject":"User `+subject+`"`) || !strings.Contains(string(log), "act as a cluster controller identity") {
		t.Errorf("the log does not name %s as able to act as a controller identity", subject)
	}
	deleteGrant(t.Context(), t, grant)
	eventually(t, 30*time.Second, func() string {
		if got := gauge(t, metric); got != n {
			return fmt.Sprintf("%s = %v, want %v after the grant is gone", metric, got, n)
		}
		return ""
	})
}
