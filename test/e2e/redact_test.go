package e2e

import (
	"crypto/subtle"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// gitHTTPServer serves r over HTTPS on loopback with `git http-backend`,
// accepting only token as the basic-auth user (the token-as-URL-user pattern);
// it returns the repository's URL without credentials, a CA file, and a switch
// that makes the server fail every request.
func gitHTTPServer(t *testing.T, r *cluster.Repo, token string) (url, caFile string, failing *atomic.Bool) {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	backend := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + filepath.Dir(r.Dir), "GIT_HTTP_EXPORT_ALL=1"},
	}
	failing = &atomic.Bool{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u, _, ok := req.BasicAuth()
		switch {
		case failing.Load():
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		case !ok || subtle.ConstantTimeCompare([]byte(u), []byte(token)) != 1:
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		default:
			backend.ServeHTTP(w, req)
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL + "/" + filepath.Base(r.Dir), caFile, failing
}

// TestCredentialsNeverLeakE2E runs gitgate on a repository URL carrying a token
// and scans every output for it: the denial kubectl prints (and its dry-run),
// the Events, the audit log, the metrics, gitgate's own log (start-up, serving,
// a failing fetch) and the CLI's output.
func TestCredentialsNeverLeakE2E(t *testing.T) {
	const ns, token = "redact-e2e", "ghp_E2EuniqueToken8815"
	r := boundsRepo(t, ns)
	plain, ca, failing := gitHTTPServer(t, r, token)
	withToken := strings.Replace(plain, "https://", "https://"+token+"@", 1)
	g := startGitgate(t, "redact", cp.Sync, "--repo="+withToken, "--git-ca-file="+ca, "--path=k8s", "--interval=1s", "--drift-interval=0", "--exposure-interval=0")
	registerWebhook(t, g, "gitgate-redact", onlyNamespace(ns))
	mustKubectl(t, cp.Sync, "apply", "-f", filepath.Join(r.Dir, "k8s"))
	t.Cleanup(func() { kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false") })

	outputs := map[string]string{}
	for _, dry := range []string{"--dry-run=none", "--dry-run=server"} {
		out, ok := kubectl(t, cp.Admin, "-n", ns, "patch", "configmap/settings", "--type=merge", "-p", `{"data":{"color":"red"}}`, dry)
		denied(t, out, ok, strings.TrimPrefix(plain, "https://"))
		outputs["denial "+dry] = out
	}
	eventually(t, 20*time.Second, func() string {
		outputs["events"] = mustKubectl(t, cp.Admin, "-n", ns, "get", "events", "-o", "yaml")
		if !contains(outputs["events"], "DriftDenied") {
			return "no DriftDenied event yet"
		}
		return ""
	})
	failing.Store(true)
	time.Sleep(3 * time.Second) // a few polls fail; their errors quote the URL
	audit, err := os.ReadFile(g.AuditLog)
	if err != nil {
		t.Fatal(err)
	}
	logged, err := os.ReadFile(filepath.Join(g.Dir, "gitgate.log"))
	if err != nil {
		t.Fatal(err)
	}
	outputs["audit log"], outputs["gitgate log"] = string(audit), string(logged)
	outputs["metrics"], _ = g.Metrics()
	cli, _ := exec.Command(filepath.Join(filepath.Dir(gg.Dir), "bin", "gitgate"), "drift", "--repo="+withToken, "--kubeconfig="+cp.Admin).CombinedOutput()
	outputs["gitgate drift"] = string(cli)

	for what, out := range outputs {
		if strings.Contains(out, token) {
			t.Errorf("%s leaks the token:\n%s", what, out)
		}
	}
	for what, want := range map[string]string{"gitgate log": "starting gitgate", "audit log": `"denied"`, "gitgate drift": "127.0.0.1"} {
		if !contains(outputs[what], want) {
			t.Errorf("%s lacks %q: the scan would see nothing", what, want)
		}
	}
	if !contains(outputs["gitgate log"], "503") && !contains(outputs["gitgate log"], "unavailable") {
		t.Errorf("gitgate log shows no failed fetch: the scan would not see go-git's errors")
	}
}
