package flux

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// fakeValues is a ValueReader over fixed ConfigMaps and Secrets ("Kind/namespace/name").
type fakeValues map[string]map[string]string

func (f fakeValues) Values(_ context.Context, kind, namespace, name string) (map[string]string, error) {
	v, ok := f[kind+"/"+namespace+"/"+name]
	if !ok {
		return nil, fmt.Errorf("%s %s/%s: %w", kind, namespace, name, ErrNotFound)
	}
	return v, nil
}

// clusterValues are the values the fleet fixture's substituteFrom reads.
func clusterValues() fakeValues {
	return fakeValues{
		"ConfigMap/flux-system/cluster-vars": {"region": "eu-west-1", "cluster_name": "overridden-inline"},
		"Secret/flux-system/cluster-secrets": {"db_user": "s3cr3t-user\n"},
	}
}

// readTree returns the files under dir as a commit's files.
func readTree(t *testing.T, dir string) []gitindex.File {
	t.Helper()
	var files []gitindex.File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, gitindex.File{Path: filepath.ToSlash(rel), Data: data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// lineOf returns the 1-based line of the first line of the fixture file that contains text.
func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata/fleet", file))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, text)
	return 0
}

// buildFleet renders the fleet fixture in Flux mode.
func buildFleet(t *testing.T, files []gitindex.File, values ValueReader) (*gitindex.Snapshot, error) {
	t.Helper()
	r, err := New(Options{Values: values, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return gitindex.BuildContext(t.Context(), "0123456789abcdef", files, gitindex.BuildOptions{Repo: "fleet", Render: r})
}

// valueAt returns the value at a dotted path of test paths: fields (a dot
// inside a key escaped as \.) and [name=x] list items.
func valueAt(obj map[string]any, p string) any {
	var cur any = obj
	for _, seg := range splitTestPath(p) {
		if strings.HasPrefix(seg, "[name=") {
			want := strings.TrimSuffix(strings.TrimPrefix(seg, "[name="), "]")
			list, _ := cur.([]any)
			cur = nil
			for _, it := range list {
				if m, _ := it.(map[string]any); m["name"] == want {
					cur = m
				}
			}
			continue
		}
		m, _ := cur.(map[string]any)
		cur = m[seg]
	}
	return cur
}

func splitTestPath(p string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			i++
			cur.WriteByte(p[i])
		case p[i] == '.':
			out = append(out, cur.String())
			cur.Reset()
		case p[i] == '[':
			out = append(out, cur.String())
			cur.Reset()
			j := strings.IndexByte(p[i:], ']')
			out = append(out, p[i:i+j+1])
			i += j
			if i+1 < len(p) && p[i+1] == '.' {
				i++
			}
		default:
			cur.WriteByte(p[i])
		}
	}
	return append(out, cur.String())
}
