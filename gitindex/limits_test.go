package gitindex

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tinyConfigMaps is a file of n tiny ConfigMaps, the cheapest objects per byte.
func tinyConfigMaps(n, from int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n", from+i)
	}
	return b.String()
}

func TestBuildLimits(t *testing.T) {
	list := "apiVersion: v1\nkind: List\nitems:\n" + strings.Repeat("- {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}\n", 1)
	kustomized := []File{
		{Path: "k/kustomization.yaml", Data: []byte("resources: [cms.yaml]\nnamePrefix: p-\n")},
		{Path: "k/cms.yaml", Data: []byte(tinyConfigMaps(20, 0))},
	}
	for _, tc := range []struct {
		name      string
		files     []File
		previous  []File // built first without limits, then reused
		limits    Limits
		wantLimit string // "" = accepted
	}{
		{name: "under every bound", files: []File{{Path: "a.yaml", Data: []byte(tinyConfigMaps(100, 0))}}, limits: Limits{MaxObjects: 100, MaxManifestBytes: 1 << 20, MaxIndexMemory: 1 << 20}},
		{name: "objects", files: []File{{Path: "a.yaml", Data: []byte(tinyConfigMaps(101, 0))}}, limits: Limits{MaxObjects: 100}, wantLimit: LimitObjects},
		{name: "objects across files", files: []File{{Path: "a.yaml", Data: []byte(tinyConfigMaps(60, 0))}, {Path: "b.yaml", Data: []byte(tinyConfigMaps(60, 60))}}, limits: Limits{MaxObjects: 100}, wantLimit: LimitObjects},
		{name: "List items count", files: []File{{Path: "a.yaml", Data: []byte(strings.Replace(list, "- {", strings.Repeat("- {apiVersion: v1, kind: ConfigMap, metadata: {name: y}}\n", 3)+"- {", 1))}}, limits: Limits{MaxObjects: 3}, wantLimit: LimitObjects},
		{name: "reused objects count", previous: []File{{Path: "a.yaml", Data: []byte(tinyConfigMaps(80, 0))}}, files: []File{{Path: "a.yaml", Data: []byte(tinyConfigMaps(80, 0))}, {Path: "b.yaml", Data: []byte(tinyConfigMaps(30, 80))}}, limits: Limits{MaxObjects: 100}, wantLimit: LimitObjects},
		{name: "rendered objects count", files: kustomized, limits: Limits{MaxObjects: 19}, wantLimit: LimitObjects},
		{name: "rendered under the bound", files: kustomized, limits: Limits{MaxObjects: 20}},
		{name: "bytes", files: []File{{Path: "a.yaml", Data: []byte(tinyConfigMaps(100, 0))}}, limits: Limits{MaxManifestBytes: 1000}, wantLimit: LimitManifestBytes},
		{name: "bytes of an unused file count", files: []File{{Path: "a.yaml", Data: []byte(tinyConfigMaps(1, 0))}, {Path: "policies/big.rego", Data: make([]byte, 2000)}}, limits: Limits{MaxManifestBytes: 1000}, wantLimit: LimitManifestBytes},
		{name: "memory", files: []File{{Path: "a.yaml", Data: []byte(tinyConfigMaps(100, 0))}}, limits: Limits{MaxIndexMemory: 99 * docCost(50)}, wantLimit: LimitIndexMemory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var prev *Snapshot
			if tc.previous != nil {
				prev = mustBuild(t, tc.previous, BuildOptions{})
			}
			_, err := Build("c", tc.files, BuildOptions{Limits: tc.limits, Previous: prev})
			var limit *LimitError
			got := ""
			if errors.As(err, &limit) {
				got = limit.Limit
			} else if err != nil {
				t.Fatalf("Build: %v, want a *LimitError or none", err)
			}
			if diff := cmp.Diff(tc.wantLimit, got); diff != "" {
				t.Fatalf("exceeded limit (-want +got):\n%s\nerror: %v", diff, err)
			}
			var build *BuildError
			if err != nil && (!errors.As(err, &build) || !strings.Contains(err.Error(), "commit c rejected: ") || len(build.Problems) != 1) {
				t.Errorf("a commit over a bound is rejected like any bad commit, with one reason: %v", err)
			}
		})
	}
}
