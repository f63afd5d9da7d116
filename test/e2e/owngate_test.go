package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// gitFileContent is one file of a test's own repository.
type gitFileContent struct{ rel, content string }

// ownGate is a gitgate of a test's own, on a repository of its own whose objects
// live in one namespace, with the shipped webhook configuration (named
// "gitgate-"+name) selecting only that namespace. The shared gitgate does not
// declare any of it, so it allows everything there.
type ownGate struct {
	*cluster.Gitgate
	ns, config string
}

// startOwnGate writes files into a new repository, applies those under k8s/ as
// the sync identity (in order; CRDs are waited for), starts a gitgate on it with args and
// registers its webhook configuration for ns.
func startOwnGate(t *testing.T, name, ns string, files []gitFileContent, args ...string) *ownGate {
	t.Helper()
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), name+"-repo"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := r.WriteFile(f.rel, f.content); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(f.rel, "k8s/") {
			applyAsSync(t, filepath.Join(r.Dir, f.rel), f.content)
		}
	}
	if err := r.Commit("fixture"); err != nil {
		t.Fatal(err)
	}
	g := startGitgate(t, name, cp.Sync, append([]string{"--repo=" + r.Dir, "--path=k8s", "--interval=1s",
		"--drift-interval=0", "--exposure-interval=0"}, args...)...)
	config := "gitgate-" + name
	registerWebhook(t, g, config, func(w *admissionregistrationv1.ValidatingWebhook) {
		w.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}}
	})
	return &ownGate{Gitgate: g, ns: ns, config: config}
}

// applyAsSync server-side applies one file as the sync identity and waits for a
// CRD to be served.
func applyAsSync(t *testing.T, path, content string) {
	t.Helper()
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", path)
	if strings.Contains(content, "kind: CustomResourceDefinition") {
		mustKubectl(t, cp.Sync, "wait", "--for=condition=Established", "--timeout=60s", "-f", path)
	}
}

// auditedDenial waits for a denied audit line of g that contains every want.
func (g *ownGate) auditedDenial(t *testing.T, want ...string) {
	t.Helper()
	eventually(t, 5*time.Second, func() string {
		data, err := os.ReadFile(g.AuditLog)
		if err != nil {
			return err.Error()
		}
		for _, l := range strings.Split(string(data), "\n") {
			if !strings.Contains(l, `"decision":"denied"`) {
				continue
			}
			all := true
			for _, w := range want {
				all = all && strings.Contains(l, w)
			}
			if all {
				return ""
			}
		}
		return "no denied audit line with " + strings.Join(want, ", ")
	})
}

// metricLine returns the line of g's metrics that starts with series, "" if none.
func metricLine(t *testing.T, g *cluster.Gitgate, series string) string {
	t.Helper()
	m, err := g.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(m, "\n") {
		if strings.HasPrefix(l, series) {
			return l
		}
	}
	return ""
}

// variantOf writes f into the test's temp dir and returns its path.
func variantOf(t *testing.T, f gitFileContent) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), filepath.Base(f.rel))
	if err := os.WriteFile(p, []byte(f.content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readFileOrEmpty returns a file's content, "" if it does not exist yet.
func readFileOrEmpty(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}
