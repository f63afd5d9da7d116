package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
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
	// Cluster controllers fail open: a scale by the sync identity still rolls out
	// (the deployment controller resizes the ReplicaSet, which creates pods).
	mustKubectl(t, cp.Sync, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=4")
	t.Cleanup(func() { kubectl(t, cp.Sync, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=3") })
	eventually(t, 60*time.Second, func() string {
		out, _ := kubectl(t, cp.Admin, "-n", "staging", "get", "pods", "-l", "app=nginx", "-o", "name")
		if n := len(strings.Fields(out)); n < 4 {
			return fmt.Sprintf("%d nginx pods while gitgate is down, want 4", n)
		}
		return ""
	})
	if err := gg.Restart(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	mustKubectl(t, cp.Sync, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=3")
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=13")
	denied(t, out, ok, "spec.replicas: git has 3, request has 13")
	if got := mustKubectl(t, cp.Admin, "-n", "staging", "get", "deployment/nginx-deployment", "-o", "jsonpath={.spec.replicas}"); got != "3" {
		t.Fatalf("replicas = %s after the crash", got)
	}
}

// loadResult counts what a stream of admission requests got while gitgate was
// killed and restarted under it.
type loadResult struct {
	mu                                             sync.Mutex
	driftAdmitted                                  []string
	explained, notLoaded, failedCall, other, toGit int
	otherSample                                    string
}

func (r *loadResult) record(drift bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err == nil && drift:
		r.driftAdmitted = append(r.driftAdmitted, time.Now().Format(time.StampMilli))
	case err == nil:
		r.toGit++
	case strings.Contains(err.Error(), "denied the request") && strings.Contains(err.Error(), "gitgate:"):
		r.explained++
	case strings.Contains(err.Error(), "gitgate has not loaded git yet"):
		r.notLoaded++ // the restarted process before its first revision
	case strings.Contains(err.Error(), "failed calling webhook"):
		r.failedCall++
	default:
		r.other++
		r.otherSample = err.Error()
	}
}

// Killing gitgate in the middle of steady admission traffic — drift attempts and
// changes back to git from two clients — admits no drift at any moment: requests in
// flight and requests while it is down fail closed, and the restarted process
// explains its denials and lets git's values through again.
func TestKillUnderLoadNeverAdmitsDrift(t *testing.T) {
	cfg := rest.CopyConfig(cp.Config)
	cfg.QPS, cfg.Burst = 200, 400
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	res := &loadResult{}
	var after atomic.Bool // set once the restarted gitgate is ready
	var afterExplained, afterToGit atomic.Int64
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
				var err error
				drift := i%3 != 2
				switch i % 3 {
				case 0: // kubectl scale
					s := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "nginx-deployment", Namespace: "staging"}, Spec: autoscalingv1.ScaleSpec{Replicas: int32(20 + w)}}
					_, err = cs.AppsV1().Deployments("staging").UpdateScale(rctx, "nginx-deployment", s, metav1.UpdateOptions{})
				case 1: // kubectl patch of a declared field
					_, err = cs.CoreV1().ConfigMaps("staging").Patch(rctx, "nginx-config", types.MergePatchType, fmt.Appendf(nil, greetingPatch, fmt.Sprintf("load %d/%d", w, i)), metav1.PatchOptions{})
				default: // the value git has
					_, err = cs.CoreV1().ConfigMaps("staging").Patch(rctx, "nginx-config", types.MergePatchType, fmt.Appendf(nil, greetingPatch, "hello from git"), metav1.PatchOptions{})
				}
				cancel()
				if ctx.Err() != nil {
					return
				}
				res.record(drift, err)
				if after.Load() {
					if err == nil && !drift {
						afterToGit.Add(1)
					} else if err != nil && strings.Contains(err.Error(), "gitgate:") {
						afterExplained.Add(1)
					}
				}
			}
		}()
	}
	restarted := false
	t.Cleanup(func() {
		stop()
		wg.Wait()
		if !restarted {
			_ = gg.Restart()
		}
	})
	time.Sleep(2 * time.Second)
	gg.Kill()
	time.Sleep(3 * time.Second)
	if err := gg.Restart(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	after.Store(true)
	eventually(t, 30*time.Second, func() string {
		if afterExplained.Load() == 0 || afterToGit.Load() == 0 {
			return fmt.Sprintf("after restart: %d explained denials, %d changes to git's value", afterExplained.Load(), afterToGit.Load())
		}
		return ""
	})
	stop()
	wg.Wait()
	t.Logf("under load: %d explained denials, %d failed calls while down, %d not-loaded-yet denials, %d changes to git's value, %d other errors",
		res.explained, res.failedCall, res.notLoaded, res.toGit, res.other)
	if len(res.driftAdmitted) > 0 {
		t.Errorf("drift admitted %d times, at %v", len(res.driftAdmitted), res.driftAdmitted)
	}
	if res.failedCall == 0 {
		t.Errorf("no request failed while gitgate was down: the kill did not land under load")
	}
	if res.other > 0 {
		t.Errorf("%d requests failed otherwise, e.g. %s", res.other, res.otherSample)
	}
	if got := mustKubectl(t, cp.Admin, "-n", "staging", "get", "deployment/nginx-deployment", "-o", "jsonpath={.spec.replicas}"); got != "3" {
		t.Errorf("replicas = %s after the load", got)
	}
	if got := mustKubectl(t, cp.Admin, "-n", "staging", "get", "configmap/nginx-config", "-o", "jsonpath={.data.greeting}"); got != "hello from git" {
		t.Errorf("greeting = %q after the load", got)
	}
}

// A corrupt object in the repository (a damaged disk, a broken mirror) makes the
// fetch fail; gitgate keeps enforcing the last good revision, counts the failure and
// serves the new commit as soon as the object is whole again.
func TestCorruptRepositoryKeepsServing(t *testing.T) {
	good, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	const rel = "k8s/app/corrupt-note.yaml"
	content := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: corrupt-note, namespace: staging}\ndata: {at: %q}\n", time.Now().Format(time.RFC3339Nano))
	if err := repo.WriteFile(rel, content); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { commitAndWait(t, map[string]string{rel: ""}, "remove the corrupt note", false) })
	git := func(args ...string) string {
		t.Helper()
		out, err := repo.Git(args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	git("add", rel)
	blob := git("rev-parse", ":"+rel)
	commit := git("commit-tree", git("write-tree"), "-p", "HEAD", "-m", "a commit whose blob gets corrupted")
	loose := filepath.Join(repo.Dir, ".git", "objects", blob[:2], blob[2:])
	whole, err := os.ReadFile(loose)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(loose, append([]byte("not zlib"), whole[8:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	failures := func() float64 {
		m, _ := gg.Metrics()
		return metricValue(m, "gitgate_revision_failures_total")
	}
	before := failures()
	git("update-ref", "refs/heads/main", commit)
	eventually(t, 20*time.Second, func() string {
		if failures() <= before {
			return "no fetch failure counted yet"
		}
		return ""
	})
	if m, _ := gg.Metrics(); !strings.Contains(m, fmt.Sprintf("gitgate_revision_info{commit=%q} 1", good)) {
		t.Fatalf("gitgate no longer serves %s after the corrupt fetch", good)
	}
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=14")
	denied(t, out, ok, "spec.replicas: git has 3", "@"+good[:7])
	if err := os.WriteFile(loose, whole, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := gg.WaitCommit(commit, false, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

// metricValue returns the value of an unlabelled metric in Prometheus text, or -1.
func metricValue(text, name string) float64 {
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}
