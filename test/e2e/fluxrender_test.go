package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex"
	fluxrender "github.com/gitgate-dev/gitgate/gitindex/flux"
	"github.com/gitgate-dev/gitgate/test/cluster"
)

// fluxFleet is a Flux repository: a Kustomization of the GitRepository
// fluxNS/flux-system that applies ./k8s/app into ns with a name prefix, an
// images entry, a patch and variables (inline, and from a ConfigMap of the cluster).
func fluxFleet(fluxNS, ns string) map[string]string {
	return map[string]string{
		"clusters/staging/apps.yaml": fmt.Sprintf(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: %s
spec:
  interval: 10m
  path: ./k8s/app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  targetNamespace: %s
  namePrefix: staging-
  images:
    - name: nginx
      newTag: "1.27"
  patches:
    - target:
        kind: Deployment
        name: web
      patch: |
        - op: replace
          path: /spec/replicas
          value: 2
  postBuild:
    substitute:
      cluster_name: staging-eu
    substituteFrom:
      - kind: ConfigMap
        name: cluster-vars
      - kind: Secret
        name: not-there
        optional: true
`, fluxNS, ns),
		"k8s/app/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml, configmap.yaml]\n",
		"k8s/app/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.25
          env:
            - name: MODE
              value: live
            - name: REGION
              value: ${region}
`,
		"k8s/app/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  greeting: hello from ${cluster_name}\n",
	}
}

// renderFleet renders the repository as the test's Flux would apply it, with
// the same renderer gitgate runs, and writes the objects to one YAML file.
func renderFleet(t *testing.T, dir, fluxNS string) string {
	t.Helper()
	var files []gitindex.File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() == ".git" {
			return cmpSkip(err, d)
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files = append(files, gitindex.File{Path: filepath.ToSlash(rel), Data: data})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := fluxrender.New(fluxrender.Options{Source: types.NamespacedName{Namespace: fluxNS, Name: "flux-system"},
		Values: fluxrender.ClusterValues{Reader: cp.Client}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := gitindex.BuildContext(t.Context(), "render", files, gitindex.BuildOptions{Render: r})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, o := range s.Objects() {
		data, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		out.WriteString("---\n" + string(data))
	}
	p := filepath.Join(t.TempDir(), "rendered.yaml")
	if err := os.WriteFile(p, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// cmpSkip skips a .git folder while walking, and passes errors on.
func cmpSkip(err error, d fs.DirEntry) error {
	if err == nil && d != nil && d.IsDir() {
		return filepath.SkipDir
	}
	return err
}

// gitgate in Flux mode judges what Flux applies: kustomize-controller's
// identity applies the rendered objects (prefixed, in the target namespace,
// with substituted values and Flux's labels); a human's edits of them are
// denied at the line that sets each value: the manifest's, the Kustomization's
// patch, the inline variable, the substituteFrom entry.
func TestFluxRender(t *testing.T) {
	ns := uniqueName("fluxr")
	fluxNS, fluxUser := ns+"-flux", "system:serviceaccount:"+ns+"-flux:kustomize-controller"
	mustKubectl(t, cp.Admin, "create", "namespace", fluxNS)
	mustKubectl(t, cp.Admin, "create", "namespace", ns)
	t.Cleanup(func() { kubectl(t, cp.Admin, "delete", "namespace", ns, fluxNS, "--wait=false") })
	mustKubectl(t, cp.Admin, "-n", fluxNS, "create", "configmap", "cluster-vars", "--from-literal=region=eu-west-1")
	mustKubectl(t, cp.Admin, "-n", ns, "create", "rolebinding", "kustomize-controller", "--clusterrole=admin", "--serviceaccount="+fluxNS+":kustomize-controller")

	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "fleet"))
	if err != nil {
		t.Fatal(err)
	}
	fleet := fluxFleet(fluxNS, ns)
	for rel, content := range fleet {
		if err := r.WriteFile(rel, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit("a Flux fleet"); err != nil {
		t.Fatal(err)
	}
	g := startGitgate(t, ns, cp.Sync, "--repo="+r.Dir, "--render=flux", "--flux-source="+fluxNS+"/flux-system",
		"--sync-user="+fluxUser, "--interval=1s", "--drift-interval=0", "--exposure-interval=0")
	registerWebhook(t, g, "gitgate-"+ns, onlyNamespace(ns))

	rendered := renderFleet(t, r.Dir, fluxNS)
	eventually(t, 20*time.Second, func() string { // the webhook configuration takes effect
		out, ok := kubectl(t, cp.Admin, "-n", ns, "create", "configmap", "undeclared")
		if ok {
			kubectl(t, cp.Admin, "-n", ns, "delete", "configmap", "undeclared")
			return "an undeclared ConfigMap was created: " + out
		}
		return ""
	})
	out := mustKubectl(t, cp.Admin, "--as="+fluxUser, "apply", "--server-side", "--field-manager=kustomize-controller", "-f", rendered)
	for _, want := range []string{"deployment.apps/staging-web serverside-applied", "configmap/staging-web-config serverside-applied"} {
		if !strings.Contains(out, want) {
			t.Fatalf("Flux's apply: %q missing from:\n%s", want, out)
		}
	}
	got := mustKubectl(t, cp.Admin, "-n", ns, "get", "configmap", "staging-web-config", "-o", "jsonpath={.data.greeting}/{.metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/name}")
	if got != "hello from staging-eu/apps" {
		t.Fatalf("applied greeting/owner label %q, want hello from staging-eu/apps", got)
	}

	at := func(rel, text string) string { return fmt.Sprintf("%s:%d", rel, lineIn(t, fleet[rel], text)) }
	tests := []struct {
		name string
		args []string
		want []string
	}{{
		name: "a manifest's own value, on the prefixed object",
		args: []string{"set", "env", "deployment/staging-web", "MODE=debug"},
		want: []string{"staging-web", at("k8s/app/deployment.yaml", "value: live")},
	}, {
		name: "a value ${cluster_name} gives",
		args: []string{"patch", "configmap", "staging-web-config", "--type=merge", "-p", `{"data":{"greeting":"hello from prod"}}`},
		want: []string{"staging-web-config", "hello from staging-eu", at("clusters/staging/apps.yaml", "cluster_name: staging-eu")},
	}, {
		name: "a value substituteFrom gives",
		args: []string{"set", "env", "deployment/staging-web", "REGION=us-east-1"},
		want: []string{"eu-west-1", at("clusters/staging/apps.yaml", "- kind: ConfigMap")},
	}, {
		name: "replicas the Kustomization's patch sets",
		args: []string{"scale", "deployment/staging-web", "--replicas=5"},
		want: []string{"spec.replicas", at("clusters/staging/apps.yaml", "value: 2")},
	}, {
		name: "an image the Kustomization's images entry sets",
		args: []string{"set", "image", "deployment/staging-web", "web=nginx:1.28"},
		want: []string{"nginx:1.27", at("clusters/staging/apps.yaml", "- name: nginx")},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ok := kubectl(t, cp.Admin, append([]string{"-n", ns}, tt.args...)...)
			denied(t, out, ok, tt.want...)
			t.Logf("kubectl %s:\n%s", strings.Join(tt.args, " "), out)
		})
	}
	out = mustKubectl(t, cp.Admin, "--as="+fluxUser, "apply", "--server-side", "--field-manager=kustomize-controller", "-f", rendered)
	if strings.Contains(out, "denied") {
		t.Fatalf("Flux's re-apply was denied: %s", out)
	}
}

// lineIn returns the 1-based line of content's first line containing text.
func lineIn(t *testing.T, content, text string) int {
	t.Helper()
	for i, l := range strings.Split(content, "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	t.Fatalf("no line with %q", text)
	return 0
}
