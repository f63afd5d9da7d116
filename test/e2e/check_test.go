package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// TestCheckAgreesWithWebhook proposes changes to git's objects twice: to the
// live webhook (kubectl apply, replace or create, --dry-run=server, as a
// human) and to
// `gitgate check -f` on the same repository and commit. For every object the
// two must give the same decision and the same message, and that decision must
// be the expected one.
func TestCheckAgreesWithWebhook(t *testing.T) {
	list := "apiVersion: v1\nkind: List\nitems:\n" + indentItem(readGit(t, "k8s/app/configmap.yaml")) + indentItem(readGit(t, "k8s/app/service.yaml"))
	cases := []struct {
		name    string
		verb    string // apply or replace (git declares the objects), or create
		content string
		want    map[string]bool // object → allowed
	}{
		{name: "git's own file", verb: "apply", content: readGit(t, deployFile),
			want: map[string]bool{"Deployment.apps staging/nginx-deployment": true}},
		{name: "scaled", verb: "apply", content: strings.Replace(readGit(t, deployFile), "replicas: 3", "replicas: 6", 1),
			want: map[string]bool{"Deployment.apps staging/nginx-deployment": false}},
		{name: "declared key removed", verb: "replace", content: strings.Replace(readGit(t, "k8s/app/configmap.yaml"), "data:\n  greeting: hello from git\n", "data:\n  other: x\n", 1),
			want: map[string]bool{"ConfigMap staging/nginx-config": false}},
		{name: "undeclared label added", verb: "replace", content: strings.Replace(readGit(t, "k8s/app/configmap.yaml"), "  namespace: staging\n", "  namespace: staging\n  labels:\n    team: red\n", 1),
			want: map[string]bool{"ConfigMap staging/nginx-config": false}},
		{name: "Service port", verb: "replace", content: strings.Replace(readGit(t, "k8s/app/service.yaml"), "targetPort: 80", "targetPort: 8080", 1),
			want: map[string]bool{"Service staging/nginx": false}},
		{name: "custom resource keyed list", verb: "replace", content: strings.Replace(readGit(t, "k8s/app/greeting.yaml"), "weight: 1", "weight: 5", 1),
			want: map[string]bool{"Greeting.demo.gitgate.dev staging/hello": false}},
		{name: "List with one item drifting", verb: "replace", content: strings.Replace(list, "hello from git", "hello from a human", 1),
			want: map[string]bool{"ConfigMap staging/nginx-config": false, "Service staging/nginx": true}},
		{name: "undeclared object in a governed namespace", verb: "create",
			content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: check-extra\n  namespace: staging\ndata:\n  a: b\n",
			want:    map[string]bool{"ConfigMap staging/check-extra": false}},
	}
	bin := filepath.Join(filepath.Dir(gg.Dir), "bin", "gitgate")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "proposal.yaml")
			if err := os.WriteFile(file, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			check := checkDecisions(t, bin, file)
			// The webhook compares a custom resource structurally until it has
			// fetched its schema from the API server (off the request path).
			eventually(t, 30*time.Second, func() string {
				out, _ := kubectl(t, cp.Admin, tc.verb, "--dry-run=server", "-f", file)
				if diff := cmp.Diff(webhookDecisions(out, tc.want), check); diff != "" {
					return fmt.Sprintf("check and the webhook disagree (-webhook +check):\n%s\nkubectl:\n%s", diff, out)
				}
				return ""
			})
			got := map[string]bool{}
			for k, d := range check {
				got[k] = d.Allowed
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decisions (-want +got):\n%s", diff)
			}
		})
	}
}

// decision is one object's answer: allowed, or denied with the message.
type decision struct {
	Allowed bool
	Message string
}

// gitgateMessage matches the first line of a gitgate denial, naming the object.
var gitgateMessage = regexp.MustCompile(`^gitgate: [A-Z]+ of (\S+ \S+) `)

// webhookDecisions reads kubectl's output: each denial's message, the others
// (objects of want not denied) allowed.
func webhookDecisions(out string, want map[string]bool) map[string]decision {
	got := map[string]decision{}
	for _, part := range strings.Split(out, "denied the request: ")[1:] {
		msg := part
		if i := strings.Index(msg, "\nError from server"); i >= 0 {
			msg = msg[:i]
		}
		msg = strings.TrimRight(msg, "\n")
		if m := gitgateMessage.FindStringSubmatch(msg); m != nil {
			got[m[1]] = decision{Message: msg}
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			got[k] = decision{Allowed: true}
		}
	}
	return got
}

// checkDecisions runs gitgate check -f on the shared repository as kubectl's
// admin and reads its answer per object.
func checkDecisions(t *testing.T, bin, file string) map[string]decision {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, "check", "--repo", repo.Dir, "--path", "k8s", "--user", cluster.AdminUser,
		"--group", "system:masters", "--group", "system:authenticated", "-f", file)
	data, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 {
		t.Fatalf("gitgate check: %v\n%s", err, data)
	}
	got := map[string]decision{}
	var key string
	var msg []string
	flush := func() {
		if key != "" {
			got[key] = decision{Message: strings.Join(msg, "\n")}
		}
		key, msg = "", nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		if body, ok := strings.CutPrefix(line, "    "); ok && key != "" {
			msg = append(msg, body)
			continue
		}
		flush()
		head, verdict, _ := cutLast(line, ": ")
		_, k, _ := strings.Cut(head, ": ")
		switch {
		case verdict == "denied":
			key = k
		case strings.HasPrefix(verdict, "allowed"):
			got[k] = decision{Allowed: true}
		}
	}
	flush()
	return got
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// indentItem makes a manifest an item of a List's items.
func indentItem(manifest string) string {
	lines := strings.Split(strings.TrimRight(manifest, "\n"), "\n")
	for i, l := range lines {
		if i == 0 {
			lines[i] = "- " + l
		} else {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
