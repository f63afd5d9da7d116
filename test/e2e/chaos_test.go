package e2e

import (
	"os"
	"strings"
	"testing"
	"time"
)

// An unreachable repository never drops the revision being served: drift is still
// denied, the failure is exported, and gitgate recovers by itself.
func TestUnreachableRepositoryKeepsServing(t *testing.T) {
	moved := repo.Dir + ".gone"
	if err := os.Rename(repo.Dir, moved); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := os.Rename(moved, repo.Dir); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(restore)
	eventually(t, 20*time.Second, func() string {
		m, _ := gg.Metrics()
		if strings.Contains(m, "gitgate_revision_failures_total 0") || !strings.Contains(m, "gitgate_revision_failures_total") {
			return "no fetch failure counted yet"
		}
		return ""
	})
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=12")
	denied(t, out, ok, "spec.replicas: git has 3")
	restore()
	commitAndWait(t, map[string]string{"k8s/app/chaos-note.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: chaos-note, namespace: staging}\ndata: {a: b}\n"}, "after the outage", false)
}

// A crashed gitgate fails closed (failurePolicy: Fail) and, restarted, enforces again
// without manual steps.
func TestCrashFailsClosedAndRecovers(t *testing.T) {
	gg.Kill()
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = gg.Restart()
		}
	})
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=13")
	if ok {
		t.Fatalf("drift admitted while gitgate was down: %s", out)
	}
	if !strings.Contains(out, "failed calling webhook") {
		t.Errorf("unexpected failure while down: %s", out)
	}
	if err := gg.Restart(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=13")
	denied(t, out, ok, "spec.replicas: git has 3, request has 13")
	if got := mustKubectl(t, cp.Admin, "-n", "staging", "get", "deployment/nginx-deployment", "-o", "jsonpath={.spec.replicas}"); got != "3" {
		t.Fatalf("replicas = %s after the crash", got)
	}
}
