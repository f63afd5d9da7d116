package e2e

import (
	"testing"
	"time"
)

const breakGlassNS = "breakglass-e2e"

// Break-glass covers the change that carries its ticket, and the applier leaves
// the object alone only within the ttl of the same revision's policy.
func TestBreakGlassTicketAndWindow(t *testing.T) {
	startOwnGate(t, "breakglass", breakGlassNS, []gitFileContent{
		{"k8s/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + breakGlassNS + "}\n"},
		{"k8s/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: " + breakGlassNS + "}\ndata: {color: blue}\n"},
		{"policies/config.rego", "package gitgate.config\n\nbreak_glass := {\"groups\": [\"gp-sre\"], \"ttl\": \"1h\"}\n"},
	}, "--apply", "--apply-interval=2s", "--leader-elect", "--leader-election-namespace=default",
		"--leader-election-id=breakglass-e2e", "--inventory=default/breakglass-e2e-inventory")
	alice, err := cp.AddUser("gp-sre-alice", "gp-sre")
	if err != nil {
		t.Fatal(err)
	}
	carol, err := cp.AddUser("gp-sre-carol", "gp-sre")
	if err != nil {
		t.Fatal(err)
	}
	color := func() string {
		return mustKubectl(t, cp.Admin, "-n", breakGlassNS, "get", "configmap/settings", "-o", "jsonpath={.data.color}")
	}
	patch := func(kubeconfig, annotations, value string) (string, bool) {
		return kubectl(t, kubeconfig, "-n", breakGlassNS, "patch", "configmap/settings", "--type=merge",
			"-p", `{"metadata":{"annotations":{`+annotations+`}},"data":{"color":"`+value+`"}}`)
	}
	until := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }

	mustOK := func(out string, ok bool) {
		t.Helper()
		if !ok {
			t.Fatalf("break-glass change denied: %s", out)
		}
	}
	mustOK(patch(alice, `"gitgate.dev/break-glass":"INC-1: checkout down","gitgate.dev/break-glass-until":"`+until(30*time.Minute)+`"`, "red"))
	time.Sleep(5 * time.Second) // two apply intervals
	if got := color(); got != "red" {
		t.Fatalf("the applier reverted a change inside the policy's window: color %s", got)
	}

	out, ok := patch(carol, "", "green")
	denied(t, out, ok, `data.color: git has "blue", request has "green"`)

	// A window longer than the policy's ttl (here set by the sync identity, as
	// any status write could once do) is not honoured: the applier reverts.
	mustKubectl(t, cp.Sync, "-n", breakGlassNS, "annotate", "--overwrite", "configmap/settings", "gitgate.dev/break-glass-until="+until(3*time.Hour))
	eventually(t, 15*time.Second, func() string {
		if got := color(); got != "blue" {
			return "color " + got + " not reverted to git's blue"
		}
		return ""
	})
}
