package fluxskew

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/types"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

func TestAppliedCommit(t *testing.T) {
	tests := []struct {
		name, revision, want string
	}{
		{name: "branch and sha1", revision: "main@sha1:" + commit, want: commit},
		{name: "sha1 alone", revision: "sha1:" + commit, want: commit},
		{name: "the older branch/commit", revision: "main/" + commit, want: commit},
		{name: "never applied", revision: "", want: ""},
		{name: "an OCI digest names no commit", revision: "latest@sha256:abcd", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AppliedCommit(tt.revision); got != tt.want {
				t.Errorf("AppliedCommit(%q) = %q, want %q", tt.revision, got, tt.want)
			}
		})
	}
}

// The skew's age counts from the first read that found it and restarts after
// Flux catches up.
func TestSkewAge(t *testing.T) {
	key := types.NamespacedName{Namespace: "flux-system", Name: "apps"}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		inStep bool
		at     time.Duration
	}{
		{inStep: true, at: 0},
		{inStep: false, at: 10 * time.Second},
		{inStep: false, at: 25 * time.Second},
		{inStep: true, at: 30 * time.Second},
		{inStep: false, at: 40 * time.Second},
	}
	l := &Loop{since: map[types.NamespacedName]time.Time{}}
	var got []time.Duration
	for _, s := range steps {
		got = append(got, l.skewFor(key, s.inStep, t0.Add(s.at)))
	}
	want := []time.Duration{0, 0, 15 * time.Second, 0, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skew ages (-want +got):\n%s", diff)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
	}{
		{name: "one kustomization", opts: Options{Kustomizations: []types.NamespacedName{{Namespace: "flux-system", Name: "apps"}}}},
		{name: "none", opts: Options{}, wantErr: true},
		{name: "no namespace", opts: Options{Kustomizations: []types.NamespacedName{{Name: "apps"}}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.opts.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
