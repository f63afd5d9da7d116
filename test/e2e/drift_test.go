package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// A change made while the webhook configuration was removed is found by the drift
// scan: `gitgate drift` and the PolicyReport both report it.
func TestDriftScanFindsUnguardedChange(t *testing.T) {
	mustKubectl(t, cp.Admin, "apply", "-f", filepath.Join("testdata", "policyreport-crd.yaml"))
	mustKubectl(t, cp.Admin, "wait", "--for=condition=Established", "crd/policyreports.wgpolicyk8s.io")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	vwc.Name = "gitgate"
	if err := cp.Client.Delete(ctx, vwc); err != nil {
		t.Fatal(err)
	}
	mustKubectl(t, cp.Admin, "-n", "staging", "patch", "configmap/nginx-config", "--type=merge", "-p", `{"data":{"greeting":"while nobody watched"}}`)
	if err := gg.Install(ctx, cp); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { restoreGreeting(t) })

	bin := filepath.Join(filepath.Dir(gg.Dir), "bin", "gitgate")
	out, err := exec.Command(bin, "drift", "--repo="+repo.Dir, "--path=k8s", "--kubeconfig="+cp.Admin).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "nginx-config") || !strings.Contains(string(out), "data.greeting") ||
		!strings.Contains(string(out), "k8s/app/configmap.yaml:7") { // the drifted field's line
		t.Fatalf("gitgate drift did not report the change (err %v):\n%s", err, out)
	}
	eventually(t, 30*time.Second, func() string {
		out, _ := kubectl(t, cp.Admin, "-n", "staging", "get", "policyreport/gitgate-drift", "-o", "jsonpath={.results[*].message}")
		if !strings.Contains(out, "data.greeting") {
			return "PolicyReport lacks the drift: " + out
		}
		return ""
	})
}
