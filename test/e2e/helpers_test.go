package e2e

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// kubectl runs kubectl as the given user (cp.Admin or cp.Sync) and returns its
// combined output and whether it succeeded.
func kubectl(t *testing.T, kubeconfig string, args ...string) (string, bool) {
	t.Helper()
	out, err := cp.Kubectl(kubeconfig, args...).CombinedOutput()
	return string(out), err == nil
}

// mustKubectl fails the test when kubectl fails.
func mustKubectl(t *testing.T, kubeconfig string, args ...string) string {
	t.Helper()
	out, ok := kubectl(t, kubeconfig, args...)
	if !ok {
		t.Fatalf("kubectl %s: %s", strings.Join(args, " "), out)
	}
	return out
}

// denied asserts kubectl failed with a gitgate denial containing every want.
func denied(t *testing.T, out string, ok bool, want ...string) {
	t.Helper()
	if ok {
		t.Fatalf("expected a denial, kubectl succeeded: %s", out)
	}
	if !strings.Contains(out, "denied the request") || !strings.Contains(out, "gitgate:") {
		t.Fatalf("expected a gitgate denial, got: %s", out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("denial does not mention %q:\n%s", w, out)
		}
	}
}

// gitFile returns the path of a file in the watched repository.
func gitFile(rel string) string { return filepath.Join(repo.Dir, rel) }

// variant writes a copy of a git file with replacements into the test's temp dir.
func variant(t *testing.T, rel string, replace ...string) string {
	t.Helper()
	data, err := os.ReadFile(gitFile(rel))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("%s does not contain %q", rel, replace[i])
		}
		s = strings.ReplaceAll(s, replace[i], replace[i+1])
	}
	p := filepath.Join(t.TempDir(), filepath.Base(rel))
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// eventually retries f until it returns "" or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, f func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if last = f(); last == "" {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("not true after %s: %s", timeout, last)
}

func readGit(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(gitFile(rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// auditLines returns the audit log's lines.
func auditLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(gg.AuditLog)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func x509ParseCertificate(der []byte) (*x509.Certificate, error) { return x509.ParseCertificate(der) }

// startGitgate runs a gitgate besides the shared one, in a folder of its own next
// to the shared one's, and stops it when the test ends.
func startGitgate(t *testing.T, name, kubeconfig string, args ...string) *cluster.Gitgate {
	t.Helper()
	dir := filepath.Join(filepath.Dir(gg.Dir), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	g, err := cluster.StartGitgate(filepath.Join(filepath.Dir(gg.Dir), "bin", "gitgate"), dir, kubeconfig, args...)
	if err != nil {
		t.Fatal(err)
	}
	g.MetricsToken = cp.MetricsToken
	t.Cleanup(g.Stop)
	return g
}

// registerWebhook installs g's webhook configuration (manifests/webhook.yaml pointed
// at g) under name, each webhook changed by edit, and deletes it when the test
// ends, before g stops.
func registerWebhook(t *testing.T, g *cluster.Gitgate, name string, edit func(*admissionregistrationv1.ValidatingWebhook)) *admissionregistrationv1.ValidatingWebhookConfiguration {
	t.Helper()
	vwc, err := g.WebhookConfiguration()
	if err != nil {
		t.Fatal(err)
	}
	vwc.Name = name
	for i := range vwc.Webhooks {
		edit(&vwc.Webhooks[i])
	}
	if err := cp.Client.Create(t.Context(), vwc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Client.Delete(context.Background(), vwc) })
	return vwc
}

// selectNoNamespace keeps a second gitgate's webhook from doubling the main one.
func selectNoNamespace(w *admissionregistrationv1.ValidatingWebhook) {
	w.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"gitgate-e2e": "never"}}
}
