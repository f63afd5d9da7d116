package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// `gitgate check --user` honours field owners as the webhook does: a KEDA
// ScaledObject in git gives web's spec.replicas to keda-operator.
func TestCheckOwners(t *testing.T) {
	const keda = "system:serviceaccount:keda:keda-operator"
	scaledObject := "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: web}\nspec: {scaleTargetRef: {name: web}, maxReplicaCount: 6}\n"
	tests := []struct {
		name     string
		proposal string
		user     string
		wantExit int
		want     []string
	}{
		{name: "the owner within its range", proposal: webReplicas, user: keda, want: []string{"Deployment.apps default/web: allowed"}},
		{name: "a human", proposal: webReplicas, user: "alice", wantExit: 1,
			want: []string{"Deployment.apps default/web: denied", "spec.replicas: owned by ScaledObject.keda.sh default/web (git: apps/keda.yaml:1): only KEDA moves it, within 0..6; request has 5"}},
		{name: "the owner beyond its range", proposal: strings.Replace(webReplicas, "replicas: 5", "replicas: 7", 1), user: keda, wantExit: 1,
			want: []string{"within 0..6; request has 7"}},
		{name: "the owner touches a label", proposal: webTeamLabel, user: keda, wantExit: 1, want: []string{keda + " owns only spec.replicas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := fixtureRepo(t, map[string]string{"apps/keda.yaml": scaledObject})
			prop := filepath.Join(t.TempDir(), "web.yaml")
			if err := os.WriteFile(prop, []byte(tt.proposal), 0o644); err != nil {
				t.Fatal(err)
			}
			out, code := runGitgate(t, "", "check", "--repo", repo, "-f", prop, "--user", tt.user)
			if diff := cmp.Diff(tt.wantExit, code); diff != "" {
				t.Errorf("exit code (-want +got):\n%s\noutput:\n%s", diff, out)
			}
			if missing := missingLines(out, tt.want); len(missing) > 0 {
				t.Errorf("output lacks, in order:\n%s\noutput:\n%s", strings.Join(missing, "\n"), out)
			}
		})
	}
}
