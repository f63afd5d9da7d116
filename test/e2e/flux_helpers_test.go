package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// Flux's kustomize-controller, started by the first Flux test and stopped by
// TestMain (stopFlux).
var (
	flux     *cluster.Flux
	fluxErr  error
	fluxOnce sync.Once
)

func needFlux(t *testing.T) *cluster.Flux {
	t.Helper()
	fluxOnce.Do(func() { flux, fluxErr = cp.StartFlux(t.Context()) })
	if fluxErr != nil {
		t.Fatalf("start flux: %v", fluxErr)
	}
	return flux
}

func stopFlux() {
	if flux != nil {
		flux.Stop()
	}
}

// fluxLabel selects a Flux test's namespace for the webhook of the gitgate that
// test starts, so it and the suite's shared gitgate judge disjoint namespaces.
const fluxLabel = "gitgate-e2e-flux"

// The article's Deployment and Service, in namespace %s.
const (
	fluxDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  namespace: %s
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.21
        ports:
        - containerPort: 80
`
	fluxService = `apiVersion: v1
kind: Service
metadata:
  name: nginx
  namespace: %s
spec:
  selector:
    app: nginx
  ports:
  - port: 80
    targetPort: 80
`
)

// fluxRepo is the article's layout for namespace ns (k8s/namespaces/staging.yaml,
// k8s/app/deployment.yaml with nginx, k8s/app/service.yaml) plus the Flux
// objects under flux/, committed to a repository of the test's own.
func fluxRepo(t *testing.T, ns string, extra map[string]string) *cluster.Repo {
	t.Helper()
	files := map[string]string{
		"k8s/namespaces/staging.yaml": fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    %s: %s\n", ns, fluxLabel, ns),
		"k8s/app/deployment.yaml":     fmt.Sprintf(fluxDeployment, ns),
		"k8s/app/service.yaml":        fmt.Sprintf(fluxService, ns),
	}
	for rel, content := range extra {
		files[rel] = content
	}
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), ns))
	if err != nil {
		t.Fatal(err)
	}
	for rel, content := range files {
		if err := r.WriteFile(rel, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit("the article's layout for " + ns); err != nil {
		t.Fatal(err)
	}
	return r
}

// kustomization is a Flux Kustomization applying path of GitRepository
// namespace/source, with prune; serviceAccount "" applies as Flux's own identity.
func kustomization(namespace, name, source, path, serviceAccount string) string {
	sa := ""
	if serviceAccount != "" {
		sa = "\n  serviceAccountName: " + serviceAccount
	}
	return fmt.Sprintf(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: %s
  namespace: %s
spec:
  interval: 1m
  retryInterval: 2s
  timeout: 1m
  path: %s
  prune: true%s
  sourceRef:
    kind: GitRepository
    name: %s
`, name, namespace, path, sa, source)
}

// fluxGitgate starts a gitgate on r (k8s/ and flux/, polled every second) with
// Flux's ServiceAccount among its sync users, whose webhook judges only the
// namespace labelled for ns.
func fluxGitgate(t *testing.T, r *cluster.Repo, ns string, args ...string) *cluster.Gitgate {
	t.Helper()
	g := startGitgate(t, ns, cp.Sync, append([]string{"--repo=" + r.Dir, "--path=k8s", "--path=flux", "--interval=1s",
		"--drift-interval=0", "--exposure-interval=0", "--sync-user=" + cluster.FluxUser}, args...)...)
	registerWebhook(t, g, ns, func(w *admissionregistrationv1.ValidatingWebhook) {
		w.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{fluxLabel: ns}}
	})
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	if err := g.WaitCommit(head, false, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return g
}

// publish plays source-controller: GitRepository namespace/name now has r's HEAD
// as its artifact. It returns Flux's revision of it.
func publish(t *testing.T, r *cluster.Repo, namespace, name string) string {
	t.Helper()
	rev, err := needFlux(t).Source.Publish(t.Context(), cp.Client, r, namespace, name)
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// commitFiles writes files ("" removes one) and commits them.
func commitFiles(t *testing.T, r *cluster.Repo, msg string, files map[string]string) string {
	t.Helper()
	for rel, content := range files {
		var err error
		if content == "" {
			_, err = r.Git("rm", "-q", rel)
		} else {
			err = r.WriteFile(rel, content)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit(msg); err != nil {
		t.Fatal(err)
	}
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// ksStatus is a Kustomization's Ready status and reason, last applied revision
// and last handled reconcile request.
func ksStatus(t *testing.T, namespace, name string) (ready, applied, handled string) {
	t.Helper()
	out, _ := kubectl(t, cp.Admin, "-n", namespace, "get", "kustomization.kustomize.toolkit.fluxcd.io", name, "-o",
		`jsonpath={.status.conditions[?(@.type=="Ready")].status}:{.status.conditions[?(@.type=="Ready")].reason}|{.status.lastAppliedRevision}|{.status.lastHandledReconcileAt}`)
	parts := strings.SplitN(strings.TrimSpace(out)+"||", "|", 3)
	return parts[0], parts[1], strings.TrimRight(parts[2], "|")
}

// waitFluxApplied waits until Kustomization namespace/name is Ready with revision applied.
func waitFluxApplied(t *testing.T, namespace, name, revision string) {
	t.Helper()
	eventually(t, 90*time.Second, func() string {
		ready, applied, _ := ksStatus(t, namespace, name)
		if ready != "True:ReconciliationSucceeded" || applied != revision {
			return fmt.Sprintf("Kustomization %s/%s: Ready %s, applied %q, want True with %q (controller log: %s)",
				namespace, name, ready, applied, revision, filepath.Join(cp.Dir, "kustomize-controller.log"))
		}
		return ""
	})
}

// deniedCount is the sum of g's gitgate_decisions_total{decision="denied"}.
func deniedCount(t *testing.T, g *cluster.Gitgate) float64 {
	t.Helper()
	m, err := g.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, l := range strings.Split(m, "\n") {
		if strings.HasPrefix(l, "gitgate_decisions_total{") && strings.Contains(l, `decision="denied"`) {
			var v float64
			if _, err := fmt.Sscan(l[strings.LastIndex(l, " ")+1:], &v); err != nil {
				t.Fatalf("metric line %q: %v", l, err)
			}
			sum += v
		}
	}
	return sum
}

// fluxDenials returns g's audit lines that deny a write by user.
func fluxDenials(t *testing.T, g *cluster.Gitgate, user string) []string {
	t.Helper()
	var out []string
	for _, l := range gitgateAudit(t, g) {
		if strings.Contains(l, `"username":"`+user+`"`) && strings.Contains(l, `"decision":"denied"`) {
			out = append(out, l)
		}
	}
	return out
}

// gitgateMetric is the value of one series of g's metrics (written as the
// exposition prints it); -1 when absent.
func gitgateMetric(t *testing.T, g *cluster.Gitgate, series string) float64 {
	t.Helper()
	m, err := g.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	return metricValue(m, series)
}

// waitSkew waits until g reports that Kustomization ks last applied commit
// applied while g enforces enforced, with the skew flag that follows.
func waitSkew(t *testing.T, g *cluster.Gitgate, ks, applied, enforced string) {
	t.Helper()
	want := 0.0
	if applied != enforced {
		want = 1
	}
	info := fmt.Sprintf(`gitgate_flux_applied_info{applied=%q,enforced=%q,kustomization=%q}`, applied, enforced, ks)
	eventually(t, 30*time.Second, func() string {
		if v := gitgateMetric(t, g, info); v != 1 {
			return "no " + info + " 1"
		}
		if v := gitgateMetric(t, g, `gitgate_flux_revision_skew{kustomization="`+ks+`"}`); v != want {
			return fmt.Sprintf("gitgate_flux_revision_skew %v, want %v", v, want)
		}
		return ""
	})
}
