package e2e

import (
	"strings"
	"testing"
)

// .gitgate.yaml in git switches a namespace to warn mode: the change is allowed and
// kubectl prints gitgate's explanation as a warning; it is audited as "warned".
func TestWarnModeFromGit(t *testing.T) {
	commitAndWait(t, map[string]string{".gitgate.yaml": "namespaces:\n  staging:\n    mode: warn\n"}, "staging in warn mode", false)
	t.Cleanup(func() {
		commitAndWait(t, map[string]string{".gitgate.yaml": ""}, "staging back to enforce", false)
		restoreGreeting(t)
	})
	out, ok := patchGreeting(t, "warned")
	if !ok {
		t.Fatalf("warn mode denied: %s", out)
	}
	if !strings.Contains(out, "Warning:") || !strings.Contains(out, "data.greeting") {
		t.Errorf("kubectl printed no gitgate warning: %s", out)
	}
	found := false
	for _, l := range auditLines(t) {
		if strings.Contains(l, `"decision":"warned"`) && strings.Contains(l, `"mode":"warn"`) {
			found = true
		}
	}
	if !found {
		t.Error("no warned audit record")
	}
}
