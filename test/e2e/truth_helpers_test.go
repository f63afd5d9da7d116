package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitgate-dev/gitgate/test/cluster"
	"github.com/gitgate-dev/gitgate/webhook/scan"
)

// realRepo is a gitgate serving testdata/realrepo: its webhook sees only the
// namespaces labelled gitgate-e2e=real (the repo's own); the applier and the
// drift scan run on demand (`gitgate apply --once`, `gitgate drift`).
type realRepo struct {
	repo *cluster.Repo
	g    *cluster.Gitgate
	// controller is a kubeconfig the webhook classifies as a cluster controller.
	controller string
}

func startRealRepo(t *testing.T) *realRepo {
	t.Helper()
	t.Cleanup(func() { // last: after the webhook registration is gone
		kubectl(t, cp.Sync, "delete", "namespace", "real-data", "real-shop", "--wait=false", "--ignore-not-found")
		kubectl(t, cp.Sync, "delete", "crd", "backuppolicies.real.gitgate.dev", "metrics.real.gitgate.dev", "--wait=false", "--ignore-not-found")
	})
	r, err := cluster.NewRepo(filepath.Join("testdata", "realrepo"), filepath.Join(t.TempDir(), "realrepo"))
	if err != nil {
		t.Fatal(err)
	}
	g := startGitgate(t, "truth", cp.Sync, "--repo="+r.Dir, "--path=k8s", "--interval=1s",
		"--drift-interval=0", "--exposure-interval=0")
	registerWebhook(t, g, "gitgate-truth", func(w *admissionregistrationv1.ValidatingWebhook) {
		w.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"gitgate-e2e": "real"}}
	})
	// `gitgate apply --once` keeps its inventory where the install puts it.
	// An earlier test (the install) may have left it terminating: wait it out.
	eventually(t, 2*time.Minute, func() string {
		if phase, _ := kubectl(t, cp.Admin, "get", "namespace", "gitgate-system", "-o", "jsonpath={.status.phase}"); phase == "Terminating" {
			return "namespace gitgate-system is still terminating"
		}
		return ""
	})
	if out, ok := kubectl(t, cp.Admin, "create", "namespace", "gitgate-system"); ok {
		t.Cleanup(func() { kubectl(t, cp.Admin, "delete", "namespace", "gitgate-system", "--wait=false") })
	} else if !strings.Contains(out, "AlreadyExists") {
		t.Fatal(out)
	}
	ctrl, err := cp.AddUser("system:serviceaccount:kube-system:statefulset-controller") // one of the exact controller identities
	if err != nil {
		t.Fatal(err)
	}
	return &realRepo{repo: r, g: g, controller: ctrl}
}

// applyActions are the actions `gitgate apply` prints.
var applyActions = map[string]bool{"created": true, "configured": true, "unchanged": true, "skipped": true, "pruned": true, "failed": true}

// applyOnce runs the applier once as the sync identity and returns, per action,
// the objects it took (e.g. "unchanged" → [...]), and its output.
func (rr *realRepo) applyOnce(t *testing.T) (map[string][]string, string) {
	t.Helper()
	out, err := gitgateCLI(t, "apply", "--once", "--repo="+rr.repo.Dir, "--path=k8s", "--kubeconfig="+cp.Sync)
	actions := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(line, " ") || strings.HasSuffix(f[0], ":") {
			continue // a diff line, or the summary
		}
		for i, w := range f {
			if applyActions[w] {
				actions[w] = append(actions[w], strings.Join(f[:i], " "))
				break
			}
		}
	}
	if err != nil && len(actions["failed"]) == 0 {
		t.Fatalf("gitgate apply: %v\n%s", err, out)
	}
	return actions, out
}

// driftReport runs `gitgate drift -o json` as the admin.
func (rr *realRepo) driftReport(t *testing.T) *scan.Report {
	t.Helper()
	out, err := gitgateCLI(t, "drift", "--repo="+rr.repo.Dir, "--path=k8s", "--kubeconfig="+cp.Admin, "-o", "json")
	rep := &scan.Report{}
	start, end := strings.Index(out, "{"), strings.LastIndex(out, "}")
	if start < 0 || end < start {
		t.Fatalf("gitgate drift (err %v) printed no report:\n%s", err, out)
	}
	if jerr := json.Unmarshal([]byte(out[start:end+1]), rep); jerr != nil {
		t.Fatalf("gitgate drift (err %v) printed no report: %v\n%s", err, jerr, out)
	}
	if (err == nil) != (len(rep.Findings) == 0) {
		t.Errorf("gitgate drift exit status %v disagrees with %d findings", err, len(rep.Findings))
	}
	return rep
}

// driftPaths renders a report's findings as "Kind ns/name: path, path".
func driftPaths(rep *scan.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		var paths []string
		for _, c := range f.Changes {
			paths = append(paths, c.Path)
		}
		if f.Missing {
			paths = append(paths, "(missing)")
		}
		out = append(out, f.Key.Kind+" "+f.Key.Namespace+"/"+f.Key.Name+": "+strings.Join(paths, ", "))
	}
	return out
}

// settle applies until nothing changes (a Pod waits for its namespace's
// ServiceAccount) and returns the last pass's output.
func (rr *realRepo) settle(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		acts, out := rr.applyOnce(t)
		if len(acts["configured"])+len(acts["created"])+len(acts["failed"]) == 0 {
			return out
		}
		time.Sleep(time.Second)
	}
	_, out := rr.applyOnce(t)
	t.Fatalf("the applier did not settle within 60s:\n%s", out)
	return ""
}

// asHuman runs kubectl as the admin (a human to gitgate).
func asHuman(t *testing.T, args ...string) (string, bool) {
	t.Helper()
	return kubectl(t, cp.Admin, args...)
}
