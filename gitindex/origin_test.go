package gitindex

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// originRepo is an overlay (namespace, namePrefix, a patch, generators) over a
// base, a directory base in a sibling folder and a file of another folder.
var originRepo = map[string]string{
	"apps/web/base/kustomization.yaml": "resources: [svc-deploy.yaml]\nconfigMapGenerator:\n- name: base-env\n  literals: [A=1]\n",
	"apps/web/base/svc-deploy.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}]
---
# the web server
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-worker
spec:
  template:
    spec:
      containers:
      - name: worker
        image: worker:1
`,
	"apps/web/overlays/prod/kustomization.yaml": `namespace: prod
namePrefix: prod-
resources:
- ../../base
- ../../../common
- ../../../../shared/ns.yaml
patches:
- path: limits.yaml
configMapGenerator:
- name: settings
  literals: [color=blue]
- name: settings-extra
  literals: [size=xl]
images:
- {name: worker, newTag: "2"}
`,
	"apps/web/overlays/prod/limits.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {tier: web}\n" +
		"spec:\n  template:\n    spec:\n      containers:\n      - name: web\n        resources: {limits: {cpu: '1'}}\n",
	"apps/common/kustomization.yaml": "resources: [sa.yaml]\n",
	"apps/common/sa.yaml":            "# the apps' identity\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n",
	"shared/ns.yaml":                 "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n",
}

func TestKustomizeOrigins(t *testing.T) {
	var files []File
	for p, c := range originRepo {
		files = append(files, File{Path: p, Data: []byte(c)})
	}
	snap, err := Build("c", files, BuildOptions{Paths: []string{"apps"}})
	if err != nil {
		t.Fatal(err)
	}
	const base, prod = "apps/web/base/", "apps/web/overlays/prod/"
	tests := []struct {
		kind, name, path, want string // name: a regular expression
	}{
		{"Deployment", "prod-web", "", base + "svc-deploy.yaml:9"},
		{"Deployment", "prod-web", "spec.template.spec.containers[name=web].image", base + "svc-deploy.yaml:19"},
		{"Deployment", "prod-web", "spec.replicas", base + "svc-deploy.yaml:14"},
		{"Deployment", "prod-web", "spec.template.spec.containers[name=web].resources.limits.cpu", base + "svc-deploy.yaml:9"}, // the patch's
		{"Deployment", "prod-web", "metadata.labels.tier", base + "svc-deploy.yaml:9"},                                         // the patch's
		{"Deployment", "prod-web-worker", "spec.template.spec.containers[name=worker].name", base + "svc-deploy.yaml:29"},
		{"Deployment", "prod-web-worker", "spec.template.spec.containers[name=worker].image", base + "svc-deploy.yaml:21"}, // the overlay's images
		{"Deployment", "prod-web", "metadata.name", base + "svc-deploy.yaml:9"},                                            // prefixed
		{"Service", "prod-web", "spec.ports", base + "svc-deploy.yaml:6"},
		{"ServiceAccount", "prod-app", "metadata.name", "apps/common/sa.yaml:2"}, // prefixed; below a comment
		{"Namespace", "prod", "metadata.name", "shared/ns.yaml:4"},
		{"ConfigMap", "prod-settings-[a-z0-9]+", "data.color", prod + "kustomization.yaml:10"},
		{"ConfigMap", "prod-settings-extra-[a-z0-9]+", "data.size", prod + "kustomization.yaml:12"},
		{"ConfigMap", "prod-base-env-[a-z0-9]+", "data.A", base + "kustomization.yaml:3"},
	}
	for _, tt := range tests {
		o := findObject(t, snap, tt.kind, tt.name)
		if got := fmt.Sprintf("%s:%d", o.Path, o.LineOf(tt.path)); got != tt.want {
			t.Errorf("%s %s: LineOf(%q) at %s, want %s", tt.kind, o.Name, tt.path, got, tt.want)
		}
	}
	if n := snap.Len(); n != 8 {
		t.Errorf("%d objects, want 8", n)
	}
}

// findObject returns the one object of kind whose whole name matches pattern.
func findObject(t *testing.T, s *Snapshot, kind, pattern string) *Object {
	t.Helper()
	re := regexp.MustCompile("^" + pattern + "$")
	var found []*Object
	for _, o := range s.Objects() {
		if o.Kind == kind && re.MatchString(o.Name) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d objects %s %s, want 1", len(found), kind, pattern)
	}
	return found[0]
}

func TestWithBuildMetadata(t *testing.T) {
	const added = gitgateMetadata
	both := buildMetadata{origins: true, transformations: true}
	tests := []struct {
		name, in, want string
		asked          buildMetadata
	}{
		{"YAML", "resources: [a.yaml]\n", "resources: [a.yaml]\n" + added, buildMetadata{}},
		{"no final newline", "resources: [a.yaml]", "resources: [a.yaml]\n" + added, buildMetadata{}},
		{"empty", "", added, buildMetadata{}},
		{"asks for both itself", "buildMetadata: [transformerAnnotations, originAnnotations]\n",
			"buildMetadata: [transformerAnnotations, originAnnotations]\n", both},
		{"asks for origins itself", "buildMetadata: [originAnnotations]\n", "buildMetadata: [originAnnotations]\n",
			buildMetadata{origins: true}},
		{"asks for transformations itself", "buildMetadata: [transformerAnnotations]\n", "buildMetadata: [transformerAnnotations]\n",
			buildMetadata{transformations: true}},
		{"other build metadata", "buildMetadata:\n- managedByLabel\n", "buildMetadata:\n- managedByLabel\n", buildMetadata{}},
		{"JSON", `{"resources": ["a.yaml"]}`, `{"resources": ["a.yaml"]}`, buildMetadata{}},
		{"document end", "resources: [a.yaml]\n...\n", "resources: [a.yaml]\n...\n", buildMetadata{}},
		{"invalid", "resources: [a.yaml\n", "resources: [a.yaml\n", buildMetadata{}},
	}
	for _, tt := range tests {
		got, asked := withBuildMetadata([]byte(tt.in))
		if string(got) != tt.want || asked != tt.asked {
			t.Errorf("%s: got %q, %+v; want %q, %+v", tt.name, got, asked, tt.want, tt.asked)
		}
	}
}

// TestKustomizeDuplicateNamesKustomizations: two overlays of one base point at
// the same file; the message tells them apart.
func TestKustomizeDuplicateNamesKustomizations(t *testing.T) {
	overlay := File{Data: []byte("namespace: prod\nresources: [../base]\n")}
	a, b := overlay, overlay
	a.Path, b.Path = "apps/a/kustomization.yaml", "apps/b/kustomization.yaml"
	_, err := Build("c", []File{a, b,
		{Path: "apps/base/kustomization.yaml", Data: []byte("resources: [deploy.yaml]\n")},
		{Path: "apps/base/deploy.yaml", Data: []byte(deployment)},
	}, BuildOptions{})
	const want = "apps/base/deploy.yaml:1: duplicate Deployment.apps prod/web rendered by apps/b/kustomization.yaml " +
		"(also declared at apps/base/deploy.yaml:1, rendered by apps/a/kustomization.yaml)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to say %q", err, want)
	}
}

func TestOriginFileFind(t *testing.T) {
	f := &originFile{data: []byte("kind: Service\nmetadata: {name: web}\n---\nkind: Deployment\nmetadata: {name: web}\n" +
		"---\nkind: Deployment\nmetadata: {name: web-worker}\n---\nkind: List\nitems: []\n")}
	tests := []struct {
		kind, name string
		line       int
	}{
		{"Deployment", "web", 4},
		{"Deployment", "prod-web-v2", 4},     // prefix and suffix
		{"Deployment", "prod-web-worker", 7}, // the longest name it contains
		{"Deployment", "renamed", 4},         // the first of the kind
		{"Service", "other", 1},              // the only one of the kind
		{"ConfigMap", "settings", 1},         // the first document
	}
	for _, tt := range tests {
		if doc, ok := f.find(tt.kind, tt.name); !ok || doc.line != tt.line {
			t.Errorf("find(%s %s) = line %d, %v; want %d", tt.kind, tt.name, doc.line, ok, tt.line)
		}
	}
	if doc, _ := f.find("List", "x"); !doc.list {
		t.Error("a List document is not marked as one")
	}
}
