package drift

import (
	"testing"
)

// TestQuantityRules has one row per quantity rule: resource quantities compare
// by value wherever they appear (requests, limits, claim sizes, emptyDir
// sizes), in the whole-object comparison and in the toward-git test alike.
func TestQuantityRules(t *testing.T) {
	c := New(NewBuiltinSchemas())
	const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers: [{name: c, image: c:1, resources: {requests: {cpu: CPU, memory: MEM}}}]\n  volumes: [{name: v, emptyDir: {sizeLimit: SIZE}}]\n"
	quantities := func(cpu, mem, size string) map[string]any {
		return obj(t, edit(pod, "CPU", cpu, "MEM", mem, "SIZE", size))
	}
	tests := []struct {
		name          string
		git, old, new map[string]any
		wantMatch     bool // Against(new, git) finds no difference at the quantities
		wantTowardGit bool // Diff(old, new) is a repair
	}{
		{name: "millicores and a decimal", git: quantities("0.5", "1Gi", "1Gi"), old: quantities("1", "1Gi", "1Gi"), new: quantities("500m", "1Gi", "1Gi"),
			wantMatch: true, wantTowardGit: true},
		{name: "binary suffixes", git: quantities("1", "1Gi", "1Gi"), old: quantities("1", "2Gi", "1Gi"), new: quantities("1", "1024Mi", "1Gi"),
			wantMatch: true, wantTowardGit: true},
		{name: "exponent and decimal suffix", git: quantities("1", "2e9", "1Gi"), old: quantities("1", "1G", "1Gi"), new: quantities("1", "2G", "1Gi"),
			wantMatch: true, wantTowardGit: true},
		{name: "a number in YAML is the same quantity as a string", git: quantities("2", "1Gi", "1Gi"), old: quantities("1", "1Gi", "1Gi"), new: quantities(`"2000m"`, "1Gi", "1Gi"),
			wantMatch: true, wantTowardGit: true},
		{name: "emptyDir size limit", git: quantities("1", "1Gi", "1Gi"), old: quantities("1", "1Gi", "2Gi"), new: quantities("1", "1Gi", "1073741824"),
			wantMatch: true, wantTowardGit: true},
		{name: "a request re-adding a removed quantity in another notation", git: quantities("0.5", "1Gi", "1Gi"),
			old: obj(t, edit(pod, "cpu: CPU, ", "", "MEM", "1Gi", "SIZE", "1Gi")), new: quantities("500m", "1Gi", "1Gi"),
			wantMatch: true, wantTowardGit: true},
		{name: "a different value", git: quantities("1", "1Gi", "1Gi"), old: quantities("1", "1Gi", "1Gi"), new: quantities("1001m", "1Gi", "1Gi")},
		{name: "1G is not 1Gi", git: quantities("1", "1Gi", "1Gi"), old: quantities("1", "1Gi", "1Gi"), new: quantities("1", "1G", "1Gi")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Desire(podGVK, tt.git)
			var declared []Change
			for _, ch := range c.Against(tt.new, d) {
				if ch.Declared {
					declared = append(declared, ch)
				}
			}
			if match := len(declared) == 0; match != tt.wantMatch {
				t.Errorf("Against matches git = %v, want %v (declared differences: %+v)", match, tt.wantMatch, declared)
			}
			changes := c.Diff(tt.old, tt.new, d)
			if len(changes) == 0 {
				t.Fatal("Diff found no change")
			}
			for _, ch := range changes {
				if ch.TowardGit() != tt.wantTowardGit {
					t.Errorf("Diff: %s toward git = %v, want %v", ch.Path, ch.TowardGit(), tt.wantTowardGit)
				}
			}
		})
	}
}
