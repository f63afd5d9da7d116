package gitindex

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fakeRenderer returns fixed renderings, counting its calls.
type fakeRenderer struct {
	renderings []Rendering
	err        error
	calls      int
}

func (f *fakeRenderer) Plan(context.Context, TreeReader) ([]Rendering, error) {
	f.calls++
	return f.renderings, f.err
}

// renderFiles is a commit with a kustomization (namePrefix a-) and a plain manifest.
func renderFiles() []File {
	return []File{
		{Path: "app/kustomization.yaml", Data: []byte("resources: [cm.yaml]\nnamePrefix: a-\n")},
		{Path: "app/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  greeting: hi ${who}\n  plain: x\n")},
		{Path: "plain/other.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n")},
		{Path: "ks.yaml", Data: []byte("kind: Settings\nspec:\n  images: []\n  vars:\n    who: world\n")},
	}
}

// withWho replaces ${who} as a Finish step would.
func withWho(_ context.Context, obj map[string]any) (map[string]any, error) {
	if data, ok := obj["data"].(map[string]any); ok {
		data["greeting"] = strings.ReplaceAll(data["greeting"].(string), "${who}", "world")
	}
	return obj, nil
}

func TestBuildWithRenderer(t *testing.T) {
	overlay := []byte("resources: [cm.yaml]\nnamePrefix: b-\nnamespace: team\n")
	tests := []struct {
		name      string
		rendering Rendering
		wantKeys  []string
		wantAt    map[string]string // drift path of b-cm → SourceOf file:line
		wantErr   string
	}{{
		name: "the rendering's kustomization replaces the commit's, and only it is indexed",
		rendering: Rendering{Path: "ks.yaml", Line: 1, Dir: "app", KustomizationFile: "kustomization.yaml", Kustomization: overlay,
			Vars: map[string]int{"who": 5}, Finish: withWho},
		wantKeys: []string{"ConfigMap team/b-cm"},
		wantAt:   map[string]string{"data.greeting": "ks.yaml:5", "data.plain": "app/cm.yaml:7"},
	}, {
		name: "a folder without a kustomization",
		rendering: Rendering{Path: "ks.yaml", Line: 1, Dir: "plain", KustomizationFile: "kustomization.yaml",
			Kustomization: []byte("resources: [other.yaml]\n")},
		wantKeys: []string{"ConfigMap default/other"},
		wantAt:   map[string]string{},
	}, {
		name: "a failing Finish rejects the commit at the rendering's line",
		rendering: Rendering{Path: "ks.yaml", Line: 3, Dir: "app", KustomizationFile: "kustomization.yaml", Kustomization: overlay,
			Finish: func(context.Context, map[string]any) (map[string]any, error) { return nil, errors.New("no value") }},
		wantErr: "ks.yaml:3: render app: no value",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Build("c1", renderFiles(), BuildOptions{Render: &fakeRenderer{renderings: []Rendering{tt.rendering}}})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range s.Objects() {
				keys = append(keys, o.Key.String())
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			o, _ := s.Lookup(Key{Kind: "ConfigMap", Namespace: "team", Name: "b-cm"})
			got := map[string]string{}
			for p := range tt.wantAt {
				file, line := o.SourceOf(p)
				got[p] = fmt.Sprintf("%s:%d", file, line)
			}
			if diff := cmp.Diff(tt.wantAt, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("SourceOf (-want +got):\n%s", diff)
			}
		})
	}
}

// A rendering may read more than the commit (values from the cluster): the next
// Build renders it again instead of reusing its objects; a Plan error rejects the commit.
func TestBuildWithRendererNeverReuses(t *testing.T) {
	r := &fakeRenderer{renderings: []Rendering{{Path: "ks.yaml", Line: 1, Dir: "app", KustomizationFile: "kustomization.yaml",
		Kustomization: []byte("resources: [cm.yaml]\n"), Finish: withWho}}}
	first, err := Build("c1", renderFiles(), BuildOptions{Render: r})
	if err != nil {
		t.Fatal(err)
	}
	finished := 0
	r.renderings[0].Finish = func(ctx context.Context, obj map[string]any) (map[string]any, error) {
		finished++
		return withWho(ctx, obj)
	}
	if _, err := Build("c2", renderFiles(), BuildOptions{Render: r, Previous: first}); err != nil {
		t.Fatal(err)
	}
	if finished != 1 {
		t.Errorf("Finish ran %d times on the next Build, want 1 (rendered again)", finished)
	}
	r.err = errors.New("ks.yaml:1: cannot read values")
	_, err = Build("c3", renderFiles(), BuildOptions{Render: r})
	var be *BuildError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "cannot read values") {
		t.Errorf("error %v, want a *BuildError with the Plan's", err)
	}
}
