package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// commitAndWait commits files (path → content; "" deletes) and waits until gitgate
// serves the commit, or has rejected it when rejected is true.
func commitAndWait(t *testing.T, files map[string]string, msg string, rejected bool) {
	t.Helper()
	for rel, content := range files {
		var err error
		if content == "" {
			_, err = repo.Git("rm", "-q", "--ignore-unmatch", rel)
		} else {
			err = repo.WriteFile(rel, content)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := repo.Commit(msg); err != nil {
		t.Fatal(err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	if err := gg.WaitCommit(head, rejected, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

const greetingPatch = `{"data":{"greeting":"%s"}}`

// patchGreeting patches nginx-config's declared data.greeting as the human admin.
func patchGreeting(t *testing.T, value string, extra ...string) (string, bool) {
	t.Helper()
	return kubectl(t, cp.Admin, append([]string{"-n", "staging", "patch", "configmap/nginx-config", "--type=merge", "-p", fmt.Sprintf(greetingPatch, value)}, extra...)...)
}

func restoreGreeting(t *testing.T) {
	t.Helper()
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--force-conflicts", "--field-manager=gitgate", "-f", gitFile("k8s/app/configmap.yaml"))
}

func TestExceptionInGit(t *testing.T) {
	const file = "policies/greeting.rego"
	commitAndWait(t, map[string]string{file: `package gitgate

exceptions contains {"id": "greeting-experiment", "reason": "A/B test of the greeting", "paths": ["data.greeting"]} if {
	input.request.kind.kind == "ConfigMap"
	input.request.name == "nginx-config"
}
`}, "allow greeting experiment", false)
	t.Cleanup(func() { restoreGreeting(t) })
	out, ok := patchGreeting(t, "experiment")
	if !ok {
		t.Fatalf("exception in git did not allow the change: %s", out)
	}
	found := false
	for _, l := range auditLines(t) {
		if strings.Contains(l, `"decision":"excepted"`) && strings.Contains(l, "greeting-experiment") {
			found = true
		}
	}
	if !found {
		t.Error("no excepted audit record naming greeting-experiment")
	}
	// Removing the exception from git closes the gate again.
	commitAndWait(t, map[string]string{file: ""}, "end greeting experiment", false)
	out, ok = patchGreeting(t, "experiment-2")
	denied(t, out, ok, "data.greeting")
}

func TestExpiredException(t *testing.T) {
	const file = "policies/expired.rego"
	commitAndWait(t, map[string]string{file: `package gitgate

exceptions contains {"id": "old-freeze", "reason": "expired window", "expires": "2020-01-01T00:00:00Z"} if {
	input.request.name == "nginx-config"
}
`}, "expired exception", false)
	t.Cleanup(func() { commitAndWait(t, map[string]string{file: ""}, "drop expired exception", false) })
	out, ok := patchGreeting(t, "late")
	denied(t, out, ok, `exception "old-freeze" expired`)
}

func TestBreakGlass(t *testing.T) {
	const file = "policies/breakglass.rego"
	commitAndWait(t, map[string]string{file: `package gitgate.config

break_glass := {"groups": ["oncall"], "ttl": "2h"}
`}, "enable break-glass for oncall", false)
	t.Cleanup(func() {
		restoreGreeting(t)
		commitAndWait(t, map[string]string{file: ""}, "disable break-glass", false)
	})
	oncall, err := cp.AddUser("bob", "oncall")
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	patch := func(kubeconfig, note string) (string, bool) {
		p := fmt.Sprintf(`{"metadata":{"annotations":{"gitgate.dev/break-glass":%q,"gitgate.dev/break-glass-until":%q}},"data":{"greeting":"emergency"}}`, note, until)
		return kubectl(t, kubeconfig, "-n", "staging", "patch", "configmap/nginx-config", "--type=merge", "-p", p)
	}
	out, ok := patch(oncall, "no ticket here")
	denied(t, out, ok, "data.greeting")
	out, ok = patch(cp.Admin, "INC-42: pager storm")
	denied(t, out, ok, "data.greeting")
	if out, ok = patch(oncall, "INC-42: pager storm"); !ok {
		t.Fatalf("break-glass with ticket and reason by oncall was denied: %s", out)
	}
	eventually(t, 5*time.Second, func() string {
		for _, l := range auditLines(t) {
			if strings.Contains(l, `"breakGlass":"INC-42: pager storm"`) && strings.Contains(l, `"username":"bob"`) {
				return ""
			}
		}
		return "no audit record marked breakGlass"
	})
}

func TestBrokenRegoKeepsPreviousPolicy(t *testing.T) {
	const good, bad = "policies/keep.rego", "policies/broken.rego"
	commitAndWait(t, map[string]string{good: `package gitgate

exceptions contains {"id": "keep", "reason": "kept while a broken commit is rejected", "paths": ["data.greeting"]} if {
	input.request.name == "nginx-config"
}
`}, "exception that must survive", false)
	t.Cleanup(func() {
		restoreGreeting(t)
		commitAndWait(t, map[string]string{good: "", bad: ""}, "clean up", false)
	})
	commitAndWait(t, map[string]string{good: "", bad: "package gitgate\n\nexceptions contains {\"id\": if\n"}, "broken rego", true)
	// The broken commit also removed the exception, but it was rejected as a
	// whole: the previous revision, exception included, keeps serving.
	if out, ok := patchGreeting(t, "still-excepted"); !ok {
		t.Fatalf("previous policy no longer serving: %s", out)
	}
}
