package apply

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
)

func TestBreakGlassActive(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	obj := func(note, until string) map[string]any {
		return map[string]any{"metadata": map[string]any{"annotations": map[string]any{
			vocab.BreakGlassAnnotation: note, vocab.BreakGlassUntilAnnotation: until}}}
	}
	for _, tt := range []struct {
		name   string
		obj    map[string]any
		window time.Duration
		want   bool
	}{
		{"inside the window", obj("INC-1: fire", "2026-11-26T12:00:00Z"), 4 * time.Hour, true},
		{"expired", obj("INC-1: fire", "2026-11-26T09:59:59Z"), 4 * time.Hour, false},
		{"beyond the policy's ttl", obj("INC-1: fire", "2026-11-26T15:00:00Z"), 4 * time.Hour, false},
		{"policy grants no break-glass", obj("INC-1: fire", "2026-11-26T12:00:00Z"), 0, false},
		{"beyond the absolute cap", obj("INC-1: fire", "2026-11-28T10:00:00Z"), 72 * time.Hour, false},
		{"no ticket annotation", obj("", "2026-11-26T12:00:00Z"), 4 * time.Hour, false},
		{"unparsable", obj("INC-1: fire", "tomorrow"), 4 * time.Hour, false},
	} {
		if got := breakGlassActive(tt.obj, now, tt.window); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAutoscaledReplicas(t *testing.T) {
	a := gitindex.Autoscaling{Min: 2, Max: 5}
	live := func(r int64) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"replicas": r}}}
	}
	for _, tt := range []struct {
		name string
		git  int64
		live *unstructured.Unstructured
		want int64
	}{
		{name: "the HPA's value within the range stays", git: 1, live: live(4), want: 4},
		{name: "at max", git: 3, live: live(5), want: 5},
		{name: "above max: git's value", git: 3, live: live(9), want: 3},
		{name: "below min: git's value brought into range", git: 1, live: live(0), want: 2},
		{name: "created: git's value brought into range", git: 1, want: 2},
		{name: "created: git's value within range", git: 3, want: 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			desired := map[string]any{"spec": map[string]any{"replicas": tt.git}}
			autoscaledReplicas(desired, tt.live, a)
			if got := desired["spec"].(map[string]any)["replicas"]; got != tt.want {
				t.Errorf("replicas = %v, want %d", got, tt.want)
			}
		})
	}
}
