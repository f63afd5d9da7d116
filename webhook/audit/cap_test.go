package audit

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHugeAnnotationWritesSmallLine is issue #20.6: a denied request with a 3 MiB
// annotation (as the webhook records it: the drift item and its reason) wrote a
// 3 MiB line; now the line stays about 1 KB and still says what was attempted.
func TestHugeAnnotationWritesSmallLine(t *testing.T) {
	huge := strings.Repeat("A", 3<<20)
	r := testRecord(0)
	r.DryRun = true
	r.Drift = []DriftItem{{Path: `metadata.annotations["x"]`, New: huge}}
	r.Reasons = []string{`metadata.annotations["x"]: request sets ` + huge}
	path := tempLog(t)
	writeRecords(t, Options{Path: path}, r)

	lines := readLines(t, path)
	if len(lines) != 1 || len(lines[0]) > 1500 {
		t.Fatalf("wrote %d line(s), the first %d bytes; want one line of about 1 KB", len(lines), len(lines[0]))
	}
	var got Record
	if err := json.Unmarshal(lines[0], &got); err != nil {
		t.Fatal(err)
	}
	capped, ok := got.Drift[0].New.(map[string]any)
	if !ok || capped["size"] != float64(len(huge)+2) || !strings.HasPrefix(capped["digest"].(string), "sha256:") ||
		capped["prefix"] != `"`+strings.Repeat("A", PrefixBytes-1) {
		t.Errorf("drift value = %v, want digest, %d-byte prefix and size %d", got.Drift[0].New, PrefixBytes, len(huge)+2)
	}
	if !strings.Contains(got.Reasons[0], `capped:`) || !strings.HasPrefix(got.Reasons[0], `metadata.annotations["x"]: request sets AAA`) {
		t.Errorf("reason = %.200q, want its prefix and a capped note", got.Reasons[0])
	}
	if _, err := Verify(path); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestBound(t *testing.T) {
	many := func(n int) ([]DriftItem, []string) {
		var d []DriftItem
		var r []string
		for i := range n {
			d = append(d, DriftItem{Path: fmt.Sprint("p", i), New: int64(i)})
			r = append(r, fmt.Sprint("reason ", i))
		}
		return d, r
	}
	d25, r25 := many(25)
	d20, r20 := many(20)
	tests := []struct {
		name string
		in   Record
		want Record
	}{
		{name: "small values kept", in: Record{Drift: []DriftItem{{Path: "a", Git: "x", New: map[string]any{"k": 1}}}},
			want: Record{Drift: []DriftItem{{Path: "a", Git: "x", New: map[string]any{"k": 1}}}}},
		{name: "over MaxItems counted", in: Record{Drift: d25, Reasons: r25},
			want: Record{Drift: d20, Reasons: r20, DriftOmitted: 5, ReasonsOmitted: 5}},
		{name: "exactly 1 KiB kept", in: Record{Drift: []DriftItem{{Path: "a", Old: strings.Repeat("b", MaxValueBytes-2)}}},
			want: Record{Drift: []DriftItem{{Path: "a", Old: strings.Repeat("b", MaxValueBytes-2)}}}},
		{name: "sealed without a key is masked", in: Record{Drift: MaskSecret([]DriftItem{{Path: "data", Git: "pw", New: "guess"}})},
			want: Record{Drift: []DriftItem{{Path: "data", Git: maskedValue, New: maskedValue}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bound(&tc.in, nil)
			if diff := cmp.Diff(tc.want, tc.in); diff != "" {
				t.Errorf("bound() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrefixCutsAtRune(t *testing.T) {
	s := strings.Repeat("a", PrefixBytes-1) + "é" // é is 2 bytes and straddles the cut
	if got := prefix(s); got != strings.Repeat("a", PrefixBytes-1) {
		t.Errorf("prefix = %q, want the a's only", got)
	}
}
