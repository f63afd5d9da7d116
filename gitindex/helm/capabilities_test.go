package helm

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestCapabilities(t *testing.T) {
	tests := []struct {
		name, version, wantVersion, wantErr string
	}{
		{name: "the default", wantVersion: DefaultKubeVersion},
		{name: "given", version: "v1.31.4", wantVersion: "v1.31.4"},
		{name: "not a version", version: "latest", wantErr: `kube version "latest"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caps, err := capabilities(tt.version)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if caps.KubeVersion.Version != tt.wantVersion {
				t.Errorf("KubeVersion %s, want %s", caps.KubeVersion.Version, tt.wantVersion)
			}
			if !caps.APIVersions.Has("apps/v1") {
				t.Error("apps/v1 is not among the API versions")
			}
		})
	}
}

// DefaultKubeVersion follows the client-go of go.mod (v0.X.* is Kubernetes v1.X).
func TestDefaultKubeVersionFollowsClientGo(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*k8s\.io/client-go v0\.(\d+)\.`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("no k8s.io/client-go in go.mod")
	}
	if want := "v1." + string(m[1]) + ".0"; DefaultKubeVersion != want {
		t.Errorf("DefaultKubeVersion = %s, go.mod's client-go is Kubernetes %s", DefaultKubeVersion, want)
	}
}
