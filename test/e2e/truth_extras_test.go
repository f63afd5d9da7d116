package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

const ledgerContainers = "      containers:\n      - name: db\n"

func testExtrasAtCreate(t *testing.T, rr *realRepo) {
	sidecar := realVariant(t, rr, "k8s/data/ledger.yaml", ledgerContainers,
		"      hostNetwork: true\n      containers:\n      - name: sidecar\n        image: registry.example/miner:1\n        securityContext:\n          privileged: true\n      - name: db\n")
	out, ok := asHuman(t, "create", "-f", sidecar)
	denied(t, out, ok, "CREATE of StatefulSet.apps real-data/ledger denied", "spec.template.spec.hostNetwork: not declared in git",
		"spec.template.spec.containers[name=sidecar]: not declared in git")

	nodePort := realVariant(t, rr, "k8s/data/services.yaml", "  name: ledger-api\n  namespace: real-data\nspec:\n",
		"  name: ledger-api\n  namespace: real-data\nspec:\n  type: NodePort\n  externalIPs: [203.0.113.7]\n")
	out, ok = asHuman(t, "create", "-f", nodePort)
	denied(t, out, ok, "CREATE of Service real-data/ledger-api denied", "spec.externalIPs: not declared in git", `spec.type: git leaves the default "ClusterIP", request has "NodePort"`)

	hostPID := realVariant(t, rr, "k8s/data/debug-pod.yaml", "spec:\n",
		"spec:\n  hostPID: true\n  volumes:\n  - name: host\n    hostPath:\n      path: /\n")
	out, ok = asHuman(t, "create", "-f", hostPID)
	denied(t, out, ok, "CREATE of Pod real-data/ledger-debug denied", "spec.hostPID: not declared in git", "spec.volumes")
}

func testExtrasAtUpdate(t *testing.T, rr *realRepo) {
	out, ok := asHuman(t, "-n", "real-data", "set", "env", "statefulset/ledger", "FOO=bar")
	denied(t, out, ok, "env[name=FOO]", "not declared in git (strict mode)")
	out, ok = asHuman(t, "-n", "real-data", "patch", "service/ledger-api", "--type=merge", "-p", `{"spec":{"externalIPs":["203.0.113.7"]}}`)
	denied(t, out, ok, "spec.externalIPs")
	out, ok = asHuman(t, "-n", "real-data", "patch", "statefulset/ledger", "--type=merge", "-p", `{"spec":{"template":{"spec":{"hostPID":true}}}}`)
	denied(t, out, ok, "spec.template.spec.hostPID")
}

// testRepairs drifts objects as the sync identity (allowed), then has a human put
// git back in ways the old comparison denied.
func testRepairs(t *testing.T, rr *realRepo) {
	ledger := rr.repo.Dir + "/k8s/data/ledger.yaml"
	repairs := []struct {
		name          string
		drift, repair []string
		kubeconfig    string
	}{
		{name: "a quantity by value: git 0.5, request 500m",
			drift:  []string{"patch", "statefulset/ledger", "--type=json", "-p", `[{"op":"replace","path":"/spec/template/spec/containers/0/resources/requests/cpu","value":"750m"}]`},
			repair: []string{"apply", "-f", ledger}},
		{name: "a list item re-added with the server's protocol",
			drift:  []string{"patch", "service/ledger-api", "--type=json", "-p", `[{"op":"remove","path":"/spec/ports/1"}]`},
			repair: []string{"apply", "-f", rr.repo.Dir + "/k8s/data/services.yaml"}},
		{name: "an env fieldRef re-added, the server adds its apiVersion",
			drift:  []string{"patch", "statefulset/ledger", "--type=json", "-p", `[{"op":"remove","path":"/spec/template/spec/containers/0/env/1"}]`},
			repair: []string{"apply", "--server-side", "--force-conflicts", "-f", ledger}},
		{name: "removing an env var someone else added (kubectl set env FOO-)", kubeconfig: rr.controller,
			drift:  []string{"set", "env", "statefulset/ledger", "FOO=bar"},
			repair: []string{"set", "env", "statefulset/ledger", "FOO-"}},
	}
	for _, r := range repairs {
		t.Run(r.name, func(t *testing.T) {
			kc := r.kubeconfig
			if kc == "" {
				kc = cp.Sync
			}
			mustKubectl(t, kc, append([]string{"-n", "real-data"}, r.drift...)...)
			if rep := rr.driftReport(t); len(rep.Findings) == 0 {
				t.Fatal("the drift to repair is not there")
			}
			if out, ok := asHuman(t, append([]string{"-n", "real-data"}, r.repair...)...); !ok {
				t.Fatalf("repair denied: %s", out)
			}
			if rep := rr.driftReport(t); len(rep.Findings) > 0 {
				t.Errorf("drift left after the repair:\n%s", strings.Join(driftPaths(rep), "\n"))
			}
		})
	}
}

func testAbsentIsNotEmpty(t *testing.T, rr *realRepo) {
	remove := `[{"op":"remove","path":"/data/FEATURE_X"}]`
	out, ok := asHuman(t, "-n", "real-data", "patch", "configmap/ledger-config", "--type=json", "-p", remove)
	denied(t, out, ok, `data.FEATURE_X: git has "", request removes it`)
	mustKubectl(t, cp.Sync, "-n", "real-data", "patch", "configmap/ledger-config", "--type=json", "-p", remove)
	got := strings.Join(driftPaths(rr.driftReport(t)), "\n")
	if !strings.Contains(got, "ConfigMap real-data/ledger-config: data.FEATURE_X") {
		t.Errorf("gitgate drift does not report the removed entry:\n%s", got)
	}
	rr.settle(t)
	if out := mustKubectl(t, cp.Admin, "-n", "real-data", "get", "configmap/ledger-config", "-o", "jsonpath={.data}"); !strings.Contains(out, `"FEATURE_X":""`) {
		t.Errorf("the applier did not restore FEATURE_X: %s", out)
	}
}

// testExtraHealed: an env var added through an identity the webhook lets add
// undeclared fields (a cluster controller's) is reported by `gitgate drift` with
// git's location and removed by the applier, which then leaves the object alone.
func testExtraHealed(t *testing.T, rr *realRepo) {
	mustKubectl(t, rr.controller, "-n", "real-data", "set", "env", "statefulset/ledger", "LEAK=1")
	rep := rr.driftReport(t)
	got := strings.Join(driftPaths(rep), "\n")
	if !strings.Contains(got, "StatefulSet real-data/ledger: spec.template.spec.containers[name=db].env[name=LEAK]") {
		t.Fatalf("gitgate drift does not report the extra env var:\n%s", got)
	}
	acts, out := rr.applyOnce(t)
	if fmt.Sprint(acts["configured"]) != "[StatefulSet.apps real-data/ledger]" {
		t.Errorf("want only the StatefulSet configured:\n%s", out)
	}
	env := mustKubectl(t, cp.Admin, "-n", "real-data", "get", "statefulset/ledger", "-o", "jsonpath={.spec.template.spec.containers[0].env[*].name}")
	if strings.Contains(env, "LEAK") {
		t.Errorf("the applier left the extra env var: %s", env)
	}
	if rep := rr.driftReport(t); len(rep.Findings) > 0 {
		t.Errorf("drift after the heal:\n%s", strings.Join(driftPaths(rep), "\n"))
	}
	if acts, out := rr.applyOnce(t); len(acts["configured"]) > 0 {
		t.Errorf("the applier rewrote objects after the heal:\n%s", out)
	}
}

// testLargeCRDException commits a CRD of about 500 KB (its schema generated
// here) and changes it by hand within an exception's paths: allowed and
// recorded as excepted, where the input cap used to deny every such change.
func testLargeCRDException(t *testing.T, rr *realRepo) {
	crd := largeCRD(2400)
	if len(crd) < 500_000 {
		t.Fatalf("generated CRD is %d bytes, want 500 KB", len(crd))
	}
	if err := rr.repo.WriteFile("k8s/data/metric-crd.yaml", crd); err != nil {
		t.Fatal(err)
	}
	if err := rr.repo.Commit("a large CRD"); err != nil {
		t.Fatal(err)
	}
	head, err := rr.repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	if err := rr.g.WaitCommit(head, false, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	rr.settle(t)
	patch := `[{"op":"replace","path":"/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/m7/description","value":"tuned by hand"}]`
	if out, ok := asHuman(t, "patch", "crd/metrics.real.gitgate.dev", "--type=json", "-p", patch); !ok {
		t.Fatalf("change covered by an exception denied: %s", out)
	}
	audit, err := os.ReadFile(rr.g.AuditLog)
	if err != nil || !strings.Contains(string(audit), `"metric-schema-docs"`) {
		t.Errorf("audit log does not record the exception (err %v)", err)
	}
	out, ok := asHuman(t, "label", "crd/metrics.real.gitgate.dev", "team=x")
	denied(t, out, ok, "metadata.labels.team")
	if strings.Contains(out, "too large") {
		t.Errorf("denial blames the input size: %s", out)
	}
}

// largeCRD renders a CRD whose schema has n described string properties.
func largeCRD(n int) string {
	var b strings.Builder
	b.WriteString(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: metrics.real.gitgate.dev
spec:
  group: real.gitgate.dev
  scope: Namespaced
  names: {kind: Metric, plural: metrics}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
`)
	for i := range n {
		fmt.Fprintf(&b, "              m%d: {type: string, description: %q}\n", i, strings.Repeat(fmt.Sprintf("metric %d ", i), 24)[:170])
	}
	return b.String()
}
