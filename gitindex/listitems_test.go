package gitindex

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadProposedListItemLines(t *testing.T) {
	cases := []struct {
		name string
		data string
		want []int // each object's line
	}{
		{name: "items at column 0, kind after them",
			data: "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n# a comment\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\nkind: ConfigMapList\n",
			want: []int{3, 7}},
		{name: "indented items, second document",
			data: "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\nkind: List\napiVersion: v1\nitems:\n  - kind: Secret\n    apiVersion: v1\n    metadata:\n      name: s\n  - kind: Secret\n    apiVersion: v1\n    metadata:\n      name: t\n",
			want: []int{1, 8, 12}},
		{name: "flow items: the List's line",
			data: "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}, {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}]\n",
			want: []int{1, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs, problems := ReadProposed([]byte(tc.data))
			if len(problems) > 0 {
				t.Fatalf("problems: %v", problems)
			}
			var got []int
			for _, o := range objs {
				got = append(got, o.Line)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListItemLineOf: a field of a List item is found in its item, not in the
// List's first item or at the List's line.
func TestListItemLineOf(t *testing.T) {
	data := "apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    k: \"1\"\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n  data:\n    k: \"2\"\n"
	snap, err := Build("c", []File{{Path: "cms.yaml", Data: []byte(data)}}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, name := range []string{"a", "b"} {
		o, ok := snap.Lookup(Key{Kind: "ConfigMap", Namespace: "default", Name: name})
		if !ok {
			t.Fatalf("ConfigMap %s not indexed", name)
		}
		file, line := o.SourceOf("data.k")
		got = append(got, o.Source(), fmt.Sprintf("%s:%d", file, line))
	}
	want := []string{"cms.yaml:4", "cms.yaml:9", "cms.yaml:10", "cms.yaml:15"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("object and data.k lines (-want +got):\n%s", diff)
	}
}
