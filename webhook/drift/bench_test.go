package drift

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// benchObjects indexes n objects: Deployments, Services and ConfigMaps in turn.
func benchObjects(b *testing.B, n int) []*gitindex.Object {
	b.Helper()
	docs := []string{gitDeploy, gitSvc, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {k: v}\n"}
	files := make([]gitindex.File, 0, n)
	for i := range n {
		doc := docs[i%len(docs)]
		for _, name := range []string{"name: nginx,", "name: web,", "name: c,"} {
			doc = strings.Replace(doc, name, fmt.Sprintf("name: o-%d,", i), 1)
		}
		files = append(files, gitindex.File{Path: fmt.Sprintf("k8s/o-%d.yaml", i), Data: []byte(doc)})
	}
	snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", files, gitindex.BuildOptions{Repo: "repo"})
	if err != nil {
		b.Fatal(err)
	}
	return snap.Objects()
}

// BenchmarkPrepare is the per-revision work: the desired state of 10k objects,
// from scratch (a first revision) and for a revision that shares them all (each
// later commit recomputes only the objects it changed).
func BenchmarkPrepare(b *testing.B) {
	objs := benchObjects(b, 10_000)
	schemas := NewBuiltinSchemas()
	New(schemas).Prepare(objs[:3]) // the schemas themselves load once per process
	b.Run("objects=10000/cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			New(schemas).Prepare(objs)
		}
	})
	b.Run("objects=10000/unchanged", func(b *testing.B) {
		c := New(schemas)
		c.Prepare(objs)
		b.ReportAllocs()
		for b.Loop() {
			c.Prepare(objs)
		}
	})
}
