package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/test/cluster"
	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/audit/kube"
)

// auditTrail is a pair of gitgate replicas writing signed, anchored audit logs,
// with their keys Secret and anchors ConfigMap in kube-system (outside the webhook).
type auditTrail struct {
	keys, anchors string // names in kube-system
}

func newAuditTrail(t *testing.T, name string) *auditTrail {
	t.Helper()
	a := &auditTrail{keys: name + "-keys", anchors: name + "-anchors"}
	cm := &corev1.ConfigMap{}
	cm.Namespace, cm.Name = "kube-system", a.anchors
	stale, _ := json.Marshal(audit.Checkpoint{Log: "gone-pod", Seq: 7, Time: time.Now().Add(-100 * 24 * time.Hour)})
	cm.Data = map[string]string{"gone-pod": string(stale)} // a pod deleted 100 days ago: pruned at start
	if err := cp.Client.Create(t.Context(), cm); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cp.Client.Delete(t.Context(), cm)
		s := &corev1.Secret{}
		s.Namespace, s.Name = "kube-system", a.keys
		_ = cp.Client.Delete(t.Context(), s)
	})
	return a
}

// start runs a replica whose log id is id.
func (a *auditTrail) start(t *testing.T, id string) *cluster.Gitgate {
	return startGitgate(t, id, cp.Sync, "--repo="+repo.Dir, "--path=k8s", "--drift-interval=0", "--exposure-interval=0",
		"--audit-keys-secret=kube-system/"+a.keys, "--audit-anchors=kube-system/"+a.anchors,
		"--audit-log-id="+id, "--audit-checkpoint-interval=300ms")
}

// anchor returns the checkpoint anchored for id, or nil.
func (a *auditTrail) anchor(t *testing.T, id string) *audit.Checkpoint {
	t.Helper()
	c, err := (&kube.ConfigMapAnchor{Client: cp.Client, Namespace: "kube-system", Name: a.anchors}).Load(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// publicKey writes the keys Secret's public key to a file and returns its path.
func (a *auditTrail) publicKey(t *testing.T) string {
	t.Helper()
	s := &corev1.Secret{}
	if err := cp.Client.Get(t.Context(), client.ObjectKey{Namespace: "kube-system", Name: a.keys}, s); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.pub")
	if err := os.WriteFile(path, s.Data[kube.PublicKeyData], 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitAnchored waits until g's log ends with its anchored checkpoint: every line
// written is then provable.
func (a *auditTrail) waitAnchored(t *testing.T, g *cluster.Gitgate, id string) {
	t.Helper()
	eventually(t, 30*time.Second, func() string {
		last := lastLink(t, g.AuditLog)
		c := a.anchor(t, id)
		if c == nil || c.Seq+1 != last.Seq || c.LineHash != last.Hash {
			return fmt.Sprintf("anchor %+v, last line seq %d", c, last.Seq)
		}
		return ""
	})
}

type lineLink struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

func lastLink(t *testing.T, path string) lineLink {
	t.Helper()
	lines := fileLines(t, path)
	var l lineLink
	if len(lines) > 0 {
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &l); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func fileLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// deny sends g a dry-run AdmissionReview it denies: alice writing ConfigMap name in
// the governed namespace staging, with data and one annotation. Creating an
// undeclared name is denied as unknown; updating git's nginx-config (data given)
// to add the annotation is denied for that annotation (a drift item).
func deny(t *testing.T, g *cluster.Gitgate, uid, name string, data map[string]string, annotation string) {
	t.Helper()
	cm := func(annotations map[string]string) string {
		b, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": data,
			"metadata": map[string]any{"name": name, "namespace": "staging", "annotations": annotations}})
		return string(b)
	}
	op := `"operation":"CREATE"`
	if data != nil {
		op = `"operation":"UPDATE","oldObject":` + cm(nil)
	}
	body := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"` + uid + `",` +
		`"kind":{"group":"","version":"v1","kind":"ConfigMap"},"resource":{"group":"","version":"v1","resource":"configmaps"},` +
		`"namespace":"staging","name":"` + name + `",` + op + `,"userInfo":{"username":"alice"},"dryRun":true,"object":` +
		cm(map[string]string{"note": annotation}) + `}}`
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: g.TLSConfig()}, Timeout: 10 * time.Second}
	resp, err := c.Post(fmt.Sprintf("https://127.0.0.1:%d/validate", g.Port), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if !bytes.Contains(out, []byte(`"allowed":false`)) {
		t.Fatalf("review %s: %d %.500s, want a denial", uid, resp.StatusCode, out)
	}
}

// gitgateCLI runs the gitgate binary the e2e suite built.
func gitgateCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(filepath.Join(filepath.Dir(gg.Dir), "bin", "gitgate"), args...).CombinedOutput()
	return string(out), err
}

var findingLine = regexp.MustCompile(`(?m)^  (edited|missing|cut|reordered|duplicated|inserted|rewritten|restarted|bad-signature) seq .*$`)

// TestAuditTrailProvesItself (issue #19): two replicas write signed, anchored
// logs; one is SIGKILLed, loses its newest 3 lines while down and restarts; a line
// of the other is edited. verify reports exactly those — with the public key
// alone, and again with the anchors.
func TestAuditTrailProvesItself(t *testing.T) {
	trail := newAuditTrail(t, "audit-proves")
	a, b := trail.start(t, "audit-a"), trail.start(t, "audit-b")
	for i := range 5 {
		deny(t, a, fmt.Sprintf("audit-a-%d", i), fmt.Sprintf("audit-a-%d", i), nil, "x")
		deny(t, b, fmt.Sprintf("audit-b-%d", i), fmt.Sprintf("audit-b-%d", i), nil, "x")
	}
	trail.waitAnchored(t, a, "audit-a")
	trail.waitAnchored(t, b, "audit-b")
	if c := trail.anchor(t, "gone-pod"); c != nil {
		t.Errorf("stale anchor %+v kept, want it pruned", c)
	}

	b.Kill()
	lines := fileLines(t, b.AuditLog)
	cutFrom := lastLink(t, b.AuditLog).Seq - 2
	if err := os.WriteFile(b.AuditLog, []byte(strings.Join(lines[:len(lines)-3], "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.Restart(); err != nil {
		t.Fatal(err)
	}
	deny(t, b, "audit-b-after", "audit-b-after", nil, "x")

	lines = fileLines(t, a.AuditLog)
	edited := -1
	for i, l := range lines {
		if strings.Contains(l, `"uid":"audit-a-2"`) {
			edited, lines[i] = i, strings.Replace(l, `"username":"alice"`, `"username":"bob"`, 1)
		}
	}
	var editedSeq lineLink
	json.Unmarshal([]byte(lines[edited]), &editedSeq)
	if err := os.WriteFile(a.AuditLog, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("edited seq %d of %s; cut seq %d..%d of %s", editedSeq.Seq, a.AuditLog, cutFrom, cutFrom+2, b.AuditLog)

	want := []string{fmt.Sprintf("edited seq %d (", editedSeq.Seq), fmt.Sprintf("cut seq %d..%d (", cutFrom, cutFrom+2)}
	pub := trail.publicKey(t)
	for _, extra := range [][]string{nil, {"--anchors-from-cluster", "--anchors=kube-system/" + trail.anchors, "--kubeconfig=" + cp.Admin}} {
		out, err := gitgateCLI(t, append([]string{"audit", "verify", "--public-key=" + pub, a.AuditLog, b.AuditLog}, extra...)...)
		t.Logf("gitgate audit verify %v:\n%s", extra, out)
		found := findingLine.FindAllString(out, -1)
		if err == nil || len(found) != 2 || !strings.HasPrefix(strings.TrimSpace(found[0]), want[0]) || !strings.HasPrefix(strings.TrimSpace(found[1]), want[1]) {
			t.Errorf("verify %v: %v\n%s\nwant exactly %q", extra, err, out, want)
		}
	}
}

// TestAuditLineBounded (issue #20.6): a denied request carrying a 3 MiB annotation
// used to write a 3 MiB audit line; now about 1 KB, with the value's digest,
// prefix and size.
func TestAuditLineBounded(t *testing.T) {
	deny(t, gg, "audit-bounded", "nginx-config", map[string]string{"greeting": "hello from git"}, strings.Repeat("A", 3<<20))
	var line string
	eventually(t, 10*time.Second, func() string {
		for _, l := range auditLines(t) {
			if strings.Contains(l, `"uid":"audit-bounded"`) {
				line = l
				return ""
			}
		}
		return "no audit line for uid audit-bounded"
	})
	if len(line) > 2000 || !strings.Contains(line, `"size":3145730`) || !strings.Contains(line, `"digest":"sha256:`) {
		t.Errorf("audit line of %d bytes: %.600s\nwant about 1 KB with the value's digest and size", len(line), line)
	}
}

// TestAuditShowRevisions: the log records each revision loaded, and
// `gitgate audit show` finds it.
func TestAuditShowRevisions(t *testing.T) {
	out, err := gitgateCLI(t, "audit", "show", "--decision=loaded", "-o", "json", gg.AuditLog)
	if err != nil {
		t.Fatalf("audit show: %v\n%s", err, out)
	}
	var r audit.Record
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &r); err != nil || r.Operation != audit.OperationLoad || len(r.Commit) != 40 {
		t.Errorf("audit show --decision=loaded: %v\n%s\nwant LOAD records with the commit", err, out)
	}
}

// TestApplierActionsAreAudited: the applier's create, self-heal revert and prune
// each write an audit record, and so do the revision loaded and a commit rejected.
func TestApplierActionsAreAudited(t *testing.T) {
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "audit-apply-repo"))
	if err != nil {
		t.Fatal(err)
	}
	ns := "audit-apply-e2e"
	for rel, content := range map[string]string{
		"k8s/namespace.yaml": strings.ReplaceAll(applyRepoNamespace, "apply-e2e", ns),
		"k8s/settings.yaml":  strings.ReplaceAll(applyRepoConfigMap, "apply-e2e", ns),
	} {
		if err := r.WriteFile(rel, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit("apply me"); err != nil {
		t.Fatal(err)
	}
	g := startGitgate(t, "audit-applier", cp.Sync,
		"--webhook=false", "--repo="+r.Dir, "--path=k8s", "--interval=1s", "--apply", "--apply-interval=1s",
		"--drift-interval=0", "--exposure-interval=0", "--inventory=default/audit-apply-e2e-inventory")
	t.Cleanup(func() { kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false") })
	waitApplied(t, ns, "configmap/settings", "namespace/"+ns)
	waitHealed(t, ns, "configmap/settings")
	waitPruned(t, r, "k8s/settings.yaml", ns, "configmap/settings")
	if err := r.WriteFile("k8s/broken.yaml", "kind: [\n"); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit("break it"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`"operation":"LOAD","gvk":{"group":"","version":"","kind":""},"name":"","dryRun":false,"decision":"loaded"`,
		`"operation":"APPLY","gvk":{"group":"","version":"v1","kind":"ConfigMap"},"namespace":"` + ns + `","name":"settings","dryRun":false,"decision":"created"`,
		`"decision":"reverted","mode":"","drift":[{"path":"data.color"`,
		`"operation":"PRUNE","gvk":{"group":"","version":"v1","kind":"ConfigMap"},"namespace":"` + ns + `","name":"settings","dryRun":false,"decision":"pruned"`,
		`"operation":"REJECT","gvk":{"group":"","version":"","kind":""},"name":"","dryRun":false,"decision":"rejected","mode":"","reasons":["`,
	}
	eventually(t, 10*time.Second, func() string {
		data, _ := os.ReadFile(g.AuditLog)
		for _, w := range want {
			if !strings.Contains(string(data), w) {
				return "no audit record with " + w + " in:\n" + string(data)
			}
		}
		return ""
	})
}
