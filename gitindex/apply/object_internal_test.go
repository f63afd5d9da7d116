package apply

import (
	"testing"
	"time"

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
