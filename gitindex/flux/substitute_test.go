package flux

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// smallFleet is one Kustomization (with the given postBuild) applying ./app:
// a ConfigMap using a variable with a default, and one that disables substitution.
func smallFleet(postBuild string) []gitindex.File {
	ks := "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: app, namespace: flux-system}\n" +
		"spec:\n  path: ./app\n  sourceRef: {kind: GitRepository, name: flux-system}\n" + postBuild
	return []gitindex.File{
		{Path: "ks.yaml", Data: []byte(ks)},
		{Path: "app/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: apps}\ndata:\n  level: ${level:=info}\n  who: ${who}\n")},
		{Path: "app/raw.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\n  namespace: apps\n" +
			"  annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}\ndata:\n  who: ${who}\n")},
	}
}

func TestSubstitution(t *testing.T) {
	tests := []struct {
		name      string
		postBuild string
		strict    bool
		want      map[string]map[string]any // ConfigMap name → data
		wantErr   string
	}{{
		name:      "no postBuild: the text stays",
		postBuild: "",
		want:      map[string]map[string]any{"cm": {"level": "${level:=info}", "who": "${who}"}, "raw": {"who": "${who}"}},
	}, {
		name:      "no variables: nothing is substituted (substituteStrategy WithVariables)",
		postBuild: "  postBuild: {substitute: {}}\n",
		want:      map[string]map[string]any{"cm": {"level": "${level:=info}", "who": "${who}"}, "raw": {"who": "${who}"}},
	}, {
		name:      "substituteStrategy Always: defaults apply, the undefined is empty (YAML null, as Flux renders it)",
		postBuild: "  postBuild: {substituteStrategy: Always}\n",
		want:      map[string]map[string]any{"cm": {"level": "info", "who": nil}, "raw": {"who": "${who}"}},
	}, {
		name:      "a variable; an object that disables substitution keeps its text",
		postBuild: "  postBuild: {substitute: {who: me, level: debug}}\n",
		want:      map[string]map[string]any{"cm": {"level": "debug", "who": "me"}, "raw": {"who": "${who}"}},
	}, {
		name:      "strict: an undefined variable without a default rejects the commit",
		postBuild: "  postBuild: {substitute: {level: debug}}\n",
		strict:    true,
		wantErr:   `ks.yaml:1: render app: post build failed for 'ConfigMap.v1.[noGrp]/cm': envsubst error: variable substitution failed: variable not set (strict mode): "who"`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(Options{Strict: tt.strict, TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			s, err := gitindex.BuildContext(t.Context(), "c1", smallFleet(tt.postBuild), gitindex.BuildOptions{Render: r})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]map[string]any{}
			for _, o := range s.Objects() {
				got[o.Name], _ = o.Object["data"].(map[string]any)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
		})
	}
}
