package scan

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// fakeLister is a client.Reader that lists live objects from memory (the API
// server, in production) and records which kinds were listed.
type fakeLister struct {
	live   []string // YAML documents
	errs   map[string]error
	listed []string
}

func (f *fakeLister) Get(context.Context, client.ObjectKey, client.Object, ...client.GetOption) error {
	return errors.New("fakeLister: the scan only lists")
}

func (f *fakeLister) List(_ context.Context, list client.ObjectList, _ ...client.ListOption) error {
	ul := list.(*unstructured.UnstructuredList)
	gvk := ul.GroupVersionKind()
	kind := strings.TrimSuffix(gvk.Kind, "List")
	f.listed = append(f.listed, kind)
	if err := f.errs[kind]; err != nil {
		return err
	}
	for _, doc := range f.live {
		var u unstructured.Unstructured
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			return err
		}
		if u.GroupVersionKind() == gvk.GroupVersion().WithKind(kind) {
			ul.Items = append(ul.Items, u)
		}
	}
	return nil
}

const (
	scanConfigMaps = `apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: shop}
data:
  color: blue
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: shop}
data: {size: "1"}
`
	scanWidget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec: {size: 1}\n"
	liveA      = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop, uid: u1, resourceVersion: '4'}\ndata: {color: blue}\n"
	liveB      = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: shop, uid: u2}\ndata: {size: \"1\"}\n"
	liveWidget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec: {size: 1}\n"
)

// TestScan has one row per outcome of a scan: a match, a drifted or missing
// object (with the git line to change), extras by who set them, and kinds the
// cluster cannot list.
func TestScan(t *testing.T) {
	snap, err := gitindex.Build("c0ffee", []gitindex.File{
		{Path: "k8s/cm.yaml", Data: []byte(scanConfigMaps)},
		{Path: "k8s/widget.yaml", Data: []byte(scanWidget)},
	}, gitindex.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	noWidgets := map[string]error{"Widget": &meta.NoKindMatchError{GroupKind: schema.GroupKind{Group: "example.com", Kind: "Widget"}}}
	byKubectl := edit(liveB, "uid: u2}", "uid: u2, managedFields: [{manager: kubectl-edit, operation: Update, fieldsV1: {f:data: {f:extra: {}}}}]}", `size: "1"}`, `size: "1", extra: x}`)
	byApplier := edit(byKubectl, "kubectl-edit", "gitgate")
	tests := []struct {
		name       string
		live       []string
		errs       map[string]error
		entitled   []string
		want       []Finding
		wantErrors []string
	}{
		{name: "live objects match git", live: []string{liveA, liveB, liveWidget}},
		{name: "a missing object: the object's line", live: []string{liveA, liveWidget}, want: []Finding{
			{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "b"}, Source: "k8s/cm.yaml:7", Missing: true}}},
		{name: "a drifted value: the field's line", live: []string{edit(liveA, "blue", "red"), liveB, liveWidget}, want: []Finding{
			{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "a"}, Source: "k8s/cm.yaml:5", Changes: []drift.Change{
				{Path: "data.color", Declared: true, Git: "blue", New: "red"}}}}},
		{name: "the same name in another namespace is another object", live: []string{edit(liveA, "namespace: shop", "namespace: other"), liveB, liveWidget},
			want: []Finding{{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "a"}, Source: "k8s/cm.yaml:1", Missing: true}}},
		{name: "an extra someone set is drift: the line of its nearest declared parent", live: []string{liveA, byKubectl, liveWidget}, want: []Finding{
			{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "b"}, Source: "k8s/cm.yaml:10", Changes: []drift.Change{
				{Path: "data.extra", New: "x", Pointer: "/data/extra"}}}}},
		{name: "an extra the applier set is not (default entitled)", live: []string{liveA, byApplier, liveWidget}},
		{name: "entitled replaces the default", entitled: []string{"kubectl-edit"}, live: []string{liveA, byApplier, liveWidget}, want: []Finding{
			{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "b"}, Source: "k8s/cm.yaml:10", Changes: []drift.Change{
				{Path: "data.extra", New: "x", Pointer: "/data/extra"}}}}},
		{name: "findings ordered by git line", live: []string{edit(liveA, "blue", "red"), liveWidget}, want: []Finding{
			{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "a"}, Source: "k8s/cm.yaml:5", Changes: []drift.Change{
				{Path: "data.color", Declared: true, Git: "blue", New: "red"}}},
			{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "b"}, Source: "k8s/cm.yaml:7", Missing: true}}},
		{name: "findings ordered by line number, not as text", live: []string{edit(liveA, "blue", "red"), byKubectl, liveWidget}, want: []Finding{
			{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "a"}, Source: "k8s/cm.yaml:5", Changes: []drift.Change{
				{Path: "data.color", Declared: true, Git: "blue", New: "red"}}},
			{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "b"}, Source: "k8s/cm.yaml:10", Changes: []drift.Change{
				{Path: "data.extra", New: "x", Pointer: "/data/extra"}}}}},
		{name: "a kind not served is an error, the others are scanned", live: []string{edit(liveA, "blue", "red"), liveB}, errs: noWidgets,
			want: []Finding{{Key: gitindex.Key{Kind: "ConfigMap", Namespace: "shop", Name: "a"}, Source: "k8s/cm.yaml:5", Changes: []drift.Change{
				{Path: "data.color", Declared: true, Git: "blue", New: "red"}}}},
			wantErrors: []string{"Widget: kind not served by the cluster: no matches for kind \"Widget\" in group \"example.com\""}},
		{name: "a failed LIST is an error", live: []string{liveA, liveB}, errs: map[string]error{"Widget": errors.New("boom")},
			wantErrors: []string{"Widget: list example.com/v1, Kind=Widget: boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lister := &fakeLister{live: tt.live, errs: tt.errs}
			s := &Scanner{Reader: lister, Comparer: drift.New(drift.NewBuiltinSchemas()), Entitled: tt.entitled}
			rep, err := s.Scan(t.Context(), snap)
			if err != nil {
				t.Fatal(err)
			}
			want := &Report{Commit: "c0ffee", Objects: 3, Findings: tt.want, Errors: tt.wantErrors}
			if diff := cmp.Diff(want, rep, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Scan (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"ConfigMap", "Widget"}, lister.listed, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("one LIST per kind (-want +got):\n%s", diff)
			}
		})
	}
}

// edit replaces each old with its new in s, failing loudly when old is missing.
func edit(s string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			panic("edit: " + pairs[i] + " not found")
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}
