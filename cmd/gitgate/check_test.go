package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Proposals: git's files with one change each.
var (
	webReplicas  = strings.Replace(readFixture("apps/web.yaml"), "replicas: 2", "replicas: 5", 1)
	webPort      = strings.Replace(readFixture("apps/web.yaml"), "targetPort: 8080", "targetPort: 9090", 1)
	webTeamLabel = strings.Replace(readFixture("apps/web.yaml"), "    app: web\nspec:\n  replicas", "    app: web\n    team: search\nspec:\n  replicas", 1)
	webNoLabel   = strings.Replace(readFixture("apps/web.yaml"), "  labels:\n    app: web\nspec:\n  replicas", "spec:\n  replicas", 1)
	tuningLevel  = strings.Replace(readFixture("apps/configs.yaml"), `level: "3"`, `level: "5"`, 1)
	flagsCache   = strings.Replace(readFixture("apps/configs.yaml"), `cache: "on"`, `cache: "off"`, 1)
	ingressPort  = strings.Replace(readFixture("apps/ingress.yaml"), "number: 80", "number: 8080", 1)
	secretPass   = strings.Replace(readFixture("apps/secret.yaml"), "not-a-real-password", "another", 1)
	stagingTheme = strings.Replace(readFixture("staging/settings.yaml"), "theme: dark", "theme: light", 1)
	widgetSwap   = "apiVersion: example.gitgate.dev/v1\nkind: Widget\nmetadata:\n  name: gadget\nspec:\n  size: 3\n  parts:\n  - name: nut\n    count: 4\n  - name: bolt\n    count: 4\n"
	newConfig    = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n"
)

func readFixture(rel string) string {
	data, err := os.ReadFile(filepath.Join(fixtureDir, rel))
	if err != nil {
		panic(err) // the fixture is part of the package
	}
	return string(data)
}

// TestCheck runs `gitgate check` on the fixture repository: {repo} in args
// is the repository, {prop} the folder of proposals. want lines must each be
// contained in a line of the output, in order.
func TestCheck(t *testing.T) {
	cases := []struct {
		name      string
		repoFiles map[string]string // over the fixture, in the commit
		proposals map[string]string
		stdin     string
		args      []string
		wantExit  int
		want      []string
	}{
		{name: "commit accepted", wantExit: 0,
			want: []string{": accepted: 14 objects, 2 policy files, 1 Rego tests passed"}},
		{name: "commit with invalid YAML names file:line", wantExit: 1,
			repoFiles: map[string]string{"apps/bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n"},
			want:      []string{"apps/bad.yaml:1: invalid YAML"}},
		{name: "commit whose Rego does not compile", wantExit: 1,
			repoFiles: map[string]string{"policies/broken.rego": "package gitgate\n\nimport rego.v1\n\ndeny contains msg if {\n  msg :=\n}\n"},
			want:      []string{"policies/broken.rego:7: rego_parse_error"}},
		{name: "commit whose Rego test fails", wantExit: 1,
			repoFiles: map[string]string{"policies/fail_test.rego": "package gitgate_test\n\nimport rego.v1\n\ntest_fails if {\n  1 == 2\n}\n"},
			want:      []string{"policies/fail_test.rego:5: Rego test data.gitgate_test.test_fails failed"}},
		{name: "git's own files, unchanged", args: []string{"-f", "{repo}/apps", "-f", "{repo}/staging", "-f", "{repo}/crds"}, wantExit: 0,
			want: []string{
				"/apps/configs.yaml:4: ConfigMap default/web-flags: allowed",
				"/apps/configs.yaml:10: ConfigMap default/web-tuning: allowed",
				"/apps/secret.yaml:1: Secret default/web-credentials: allowed",
				"/apps/web.yaml:2: Deployment.apps default/web: allowed",
				"/apps/web.yaml:24: Service default/web: allowed",
				"/apps/widget.yaml:1: Widget.example.gitgate.dev default/gadget: allowed",
				"12 object(s): 0 denied, 0 error(s)"}},
		{name: "kustomization on disk, unchanged", args: []string{"-k", "{repo}/kustomize/overlay"}, wantExit: 0,
			want: []string{"Deployment.apps shop/api: allowed", "Service shop/api: allowed"}},
		{name: "stdin", stdin: webReplicas, args: []string{"-f", "-"}, wantExit: 1,
			want: []string{"stdin:2: Deployment.apps default/web: denied", "- spec.replicas: git has 2, request has 5", "stdin:24: Service default/web: allowed"}},
		{name: "second document drifts", proposals: map[string]string{"web.yaml": webPort}, args: []string{"-f", "{prop}/web.yaml"}, wantExit: 1,
			want: []string{"{prop}/web.yaml:2: Deployment.apps default/web: allowed", "{prop}/web.yaml:24: Service default/web: denied",
				"- spec.ports[port=80,protocol=TCP].targetPort: git has 8080, request has 9090", "Change it in git at apps/web.yaml:34 "}},
		{name: "List item drifts, located at its line", proposals: map[string]string{"cm.yaml": tuningLevel}, args: []string{"-f", "{prop}"}, wantExit: 1,
			want: []string{"{prop}/cm.yaml:4: ConfigMap default/web-flags: allowed", "{prop}/cm.yaml:10: ConfigMap default/web-tuning: denied",
				`- data.level: git has "3", request has "5"`, "Change it in git at apps/configs.yaml:15 "}},
		{name: "policy exception allows", proposals: map[string]string{"cm.yaml": flagsCache}, args: []string{"-f", "{prop}/cm.yaml"}, wantExit: 0,
			want: []string{"{prop}/cm.yaml:4: ConfigMap default/web-flags: allowed"}},
		{name: "stringData Secret drifts at its key", proposals: map[string]string{"s.yaml": secretPass}, args: []string{"-f", "{prop}/s.yaml"}, wantExit: 1,
			want: []string{"- data.password: git has (hidden), request has (hidden)", "Change it in git at apps/secret.yaml:8 "}},
		{name: "list compared whole shows where it differs", proposals: map[string]string{"i.yaml": ingressPort}, args: []string{"-f", "{prop}/i.yaml"}, wantExit: 1,
			want: []string{"- spec.rules: differs at spec.rules[0].http.paths[0].backend.service.port.number: git has 80, request has 8080",
				"Change it in git at apps/ingress.yaml:16 "}},
		{name: "removed label said once, as removed", proposals: map[string]string{"w.yaml": webNoLabel}, args: []string{"-f", "{prop}/w.yaml"}, wantExit: 1,
			want: []string{`- metadata.labels.app: git has "web", request removes it`}},
		{name: "undeclared object denied in a governed namespace", proposals: map[string]string{"n.yaml": newConfig}, args: []string{"-f", "{prop}/n.yaml"}, wantExit: 1,
			want: []string{"ConfigMap default/extra: denied", "- create: not declared in git, and git manages ConfigMap objects in namespace default"}},
		{name: "--unknown=allow", proposals: map[string]string{"n.yaml": newConfig}, args: []string{"-f", "{prop}/n.yaml", "--unknown=allow"}, wantExit: 0,
			want: []string{"ConfigMap default/extra: allowed"}},
		{name: "strict mode denies an undeclared label", proposals: map[string]string{"w.yaml": webTeamLabel}, args: []string{"-f", "{prop}/w.yaml"}, wantExit: 1,
			want: []string{`- metadata.labels.team: not declared in git (strict mode), request sets "search"`}},
		{name: "--merge allows it", proposals: map[string]string{"w.yaml": webTeamLabel}, args: []string{"-f", "{prop}/w.yaml", "--merge"}, wantExit: 0,
			want: []string{"Deployment.apps default/web: allowed"}},
		{name: "--mode=warn", proposals: map[string]string{"w.yaml": webReplicas}, args: []string{"-f", "{prop}/w.yaml", "--mode=warn"}, wantExit: 0,
			want: []string{"Deployment.apps default/web: warned", "- spec.replicas: git has 2, request has 5"}},
		{name: ".gitgate.yaml warn mode for a namespace", proposals: map[string]string{"s.yaml": stagingTheme}, args: []string{"-f", "{prop}/s.yaml"}, wantExit: 0,
			want: []string{"ConfigMap staging/settings: warned"}},
		{name: "CRD schema from the commit: list keyed by name", proposals: map[string]string{"w.yaml": widgetSwap}, args: []string{"-f", "{prop}/w.yaml"}, wantExit: 0,
			want: []string{"Widget.example.gitgate.dev default/gadget: allowed"}},
		{name: "advice names --policy-path", proposals: map[string]string{"w.yaml": webReplicas},
			repoFiles: map[string]string{"policies/exceptions.rego": "", "policies/exceptions_test.rego": "", "rego/exceptions.rego": readFixture("policies/exceptions.rego")},
			args:      []string{"-f", "{prop}/w.yaml", "--policy-path", "rego"}, wantExit: 1,
			want: []string{"or add an exception under rego/."}},
		{name: "a document that is no object", proposals: map[string]string{"x.yaml": "kind: ConfigMap\n"}, args: []string{"-f", "{prop}/x.yaml"}, wantExit: 2,
			want: []string{"{prop}/x.yaml:1: error: not a Kubernetes object with kind and metadata.name"}},
		{name: "invalid YAML proposal", proposals: map[string]string{"x.yaml": "a: [b\n"}, args: []string{"-f", "{prop}/x.yaml"}, wantExit: 2,
			want: []string{"{prop}/x.yaml:1: invalid YAML"}},
		{name: "missing proposal", args: []string{"-f", "{prop}/absent.yaml"}, wantExit: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			repo := fixtureRepo(t, tc.repoFiles)
			prop := t.TempDir()
			for name, content := range tc.proposals {
				if err := os.WriteFile(filepath.Join(prop, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"check", "--repo", repo}
			for _, a := range tc.args {
				args = append(args, strings.NewReplacer("{repo}", repo, "{prop}", prop).Replace(a))
			}
			out, code := runGitgate(t, tc.stdin, args...)
			out = strings.NewReplacer(repo, "{repo}", prop, "{prop}").Replace(out)
			if diff := cmp.Diff(tc.wantExit, code); diff != "" {
				t.Errorf("exit code (-want +got):\n%s\noutput:\n%s", diff, out)
			}
			if missing := missingLines(out, tc.want); len(missing) > 0 {
				t.Errorf("output lacks, in order:\n%s\noutput:\n%s", strings.Join(missing, "\n"), out)
			}
		})
	}
}

// runGitgate runs the gitgate command line and returns its output and exit code.
func runGitgate(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	if err := cmd.ExecuteContext(t.Context()); err != nil {
		return out.String(), exitCode(err)
	}
	return out.String(), 0
}

// missingLines returns the wanted fragments not found, in order, in lines of out.
func missingLines(out string, want []string) []string {
	lines := strings.Split(out, "\n")
	var missing []string
	i := 0
	for _, w := range want {
		j := i
		for j < len(lines) && !strings.Contains(lines[j], w) {
			j++
		}
		if j == len(lines) {
			missing = append(missing, w)
			continue
		}
		i = j + 1
	}
	return missing
}
