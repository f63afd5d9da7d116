package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRendererFlags(t *testing.T) {
	tests := []struct {
		name     string
		flags    repoFlags
		wantFlux bool
		wantErr  string
	}{{
		name:  "kustomize by default",
		flags: repoFlags{paths: []string{"k8s"}, renderFlags: renderFlags{render: "kustomize"}},
	}, {
		name:     "flux over the whole repository",
		flags:    repoFlags{paths: []string{"."}, renderFlags: renderFlags{render: "flux", fluxSource: "flux-system/flux-system"}},
		wantFlux: true,
	}, {
		name:    "flux with --path",
		flags:   repoFlags{paths: []string{"k8s"}, renderFlags: renderFlags{render: "flux", fluxSource: "flux-system/flux-system"}},
		wantErr: "--render=flux reads the whole repository (its Kustomizations name the paths): drop --path",
	}, {
		name:    "a source without a namespace",
		flags:   repoFlags{paths: []string{"."}, renderFlags: renderFlags{render: "flux", fluxSource: "flux-system"}},
		wantErr: `--flux-source="flux-system": want namespace/name`,
	}, {
		name:    "an unknown renderer",
		flags:   repoFlags{paths: []string{"."}, renderFlags: renderFlags{render: "helm"}},
		wantErr: `--render="helm": want kustomize or flux`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.flags.renderer(nil)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if got := r != nil; got != tt.wantFlux {
				t.Errorf("a Flux renderer: %v, want %v", got, tt.wantFlux)
			}
		})
	}
}
