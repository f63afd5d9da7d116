package yamlline

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// agreeWithNodes fails unless quickLine, where it answers, answers as the yaml.v3
// node walk does. Documents yaml.v3 cannot read are out of scope: gitindex only
// sees documents that Build parsed.
func agreeWithNodes(t *testing.T, doc, path string) {
	t.Helper()
	want, wok := nodeLine([]byte(doc), SplitPath(path))
	got, ok := quickLine([]byte(doc), SplitPath(path))
	if !ok || !wok {
		return
	}
	if got.Line != want.Line || !got.FlowTail && (got.Found != want.Found || got.Scalar != want.Scalar ||
		got.Known && want.Scalar && got.Value != want.Value) {
		t.Fatalf("path %s\n%s\nquickLine %+v, yaml.v3 walk %+v", path, doc, got, want)
	}
}

const quickDoc = `# a leading comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment   # trailing comment
  namespace: staging
  labels: {app: nginx, tier: "web"}
  annotations:
    "example.com/quoted": 'yes'
    note: >-
      folded text
      over lines
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx

  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
          protocol: TCP
        - {containerPort: 443}
      -
        name: sidecar
        args: ["--a", "--b"]
        env:
          - name: A
            value: "1"
          - name: B
            value: two words
      volumes: []
empty:
nulls: ~
`

func TestQuickLineAgreesWithNodes(t *testing.T) {
	paths := []string{
		"", "apiVersion", "metadata", "metadata.name", "metadata.labels", "metadata.labels.app",
		`metadata.annotations["example.com/quoted"]`, "metadata.annotations.note", "metadata.missing",
		"spec.replicas", "spec.selector.matchLabels.app", "spec.template.metadata.labels.app",
		"spec.template.spec.containers", "spec.template.spec.containers[name=nginx]",
		"spec.template.spec.containers[name=nginx].image", "spec.template.spec.containers[name=nginx].ports[containerPort=80,protocol=TCP]",
		"spec.template.spec.containers[name=nginx].ports[containerPort=443]", "spec.template.spec.containers[name=nginx].ports[containerPort=80].protocol",
		"spec.template.spec.containers[name=sidecar].args", "spec.template.spec.containers[name=sidecar].env[name=B].value",
		"spec.template.spec.containers[name=missing].image", "spec.template.spec.volumes", "empty", "nulls", "spec.replicas.deeper",
	}
	for _, p := range paths {
		agreeWithNodes(t, quickDoc, p)
	}
	// The common paths must not need yaml.v3.
	for _, p := range []string{"spec.replicas", "spec.template.spec.containers[name=nginx].image", "spec.template.spec.containers[name=sidecar].env[name=B].value", "metadata.labels.app"} {
		if _, ok := quickLine([]byte(quickDoc), SplitPath(p)); !ok {
			t.Errorf("quickLine gave up on %s", p)
		}
	}
	// Sequences indented as their key, and a document marker.
	flat := "---\nspec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: y\n  other: z\n"
	for _, p := range []string{"spec.containers[name=b].image", "spec.other", "spec.containers[name=c]"} {
		agreeWithNodes(t, flat, p)
		if _, ok := quickLine([]byte(flat), SplitPath(p)); !ok {
			t.Errorf("quickLine gave up on %s in the flat document", p)
		}
	}
	for _, odd := range []string{"a: &x 1\nb: *x\n", "a: !!str 1\n", "a:\n\tb: 1\n", "? a\n: b\n", "a: \"x\\ny\"\n", "a: 'it''s'\n", "a: {b: [1,\n  2]}\n", "- a\n- b\n", "plain\n"} {
		agreeWithNodes(t, odd, "a")
		agreeWithNodes(t, odd, "a.b")
	}
}

// FuzzQuickLine checks quickLine against the yaml.v3 walk on arbitrary documents.
func FuzzQuickLine(f *testing.F) {
	f.Add(quickDoc, "spec.template.spec.containers[name=nginx].ports[containerPort=80].protocol")
	f.Add(quickDoc, "metadata.labels.tier")
	f.Add("a:\n- b: 1\n  c: 2\n- b: 3\n", "a[b=3].c")
	f.Add("a:\n  b: |\n    x\n  c: d\n", "a.c")
	f.Fuzz(func(t *testing.T, doc, path string) {
		if len(doc) > 4096 || strings.Count(path, ".") > 8 {
			return
		}
		agreeWithNodes(t, doc, path)
	})
}

// TestQuickLineOnManifests walks every path of real manifests — the e2e fixture,
// the install, the demo — and of the fuzz corpus documents, comparing quickLine
// with the yaml.v3 walk, and counts how often quickLine has to give up.
func TestQuickLineOnManifests(t *testing.T) {
	var files []string
	for _, dir := range []string{"../../../test/e2e/testdata/repo", "../../../manifests", "../../../test/demo"} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 10 {
		t.Fatalf("only %d manifests found", len(files))
	}
	total, answered := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range strings.Split(string(data), "\n---\n") {
			var root yaml.Node
			if yaml.Unmarshal([]byte(doc), &root) != nil || len(root.Content) == 0 {
				continue
			}
			for _, p := range nodePaths(root.Content[0], "") {
				total++
				agreeWithNodes(t, doc, p)
				if _, ok := quickLine([]byte(doc), SplitPath(p)); ok {
					answered++
				}
			}
		}
	}
	t.Logf("%d paths in %d files; quickLine answered %d without yaml.v3", total, len(files), answered)
	if answered*10 < total*8 {
		t.Errorf("quickLine answered only %d of %d paths of plain manifests", answered, total)
	}
}

// nodePaths lists drift-style paths of every node under n: fields by name, list
// items of mappings by their first scalar key.
func nodePaths(n *yaml.Node, prefix string) []string {
	var out []string
	join := func(seg string) string {
		if prefix == "" || strings.HasPrefix(seg, "[") {
			return prefix + seg
		}
		return prefix + "." + seg
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			seg := k
			if strings.ContainsAny(k, ".[]") {
				seg = `["` + k + `"]`
			}
			p := join(seg)
			out = append(append(out, p), nodePaths(n.Content[i+1], p)...)
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if item.Kind == yaml.MappingNode && len(item.Content) >= 2 && item.Content[1].Kind == yaml.ScalarNode {
				p := join("[" + item.Content[0].Value + "=" + item.Content[1].Value + "]")
				out = append(append(out, p), nodePaths(item, p)...)
			}
		}
	}
	return out
}
