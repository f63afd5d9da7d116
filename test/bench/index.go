package main

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// indexStat is gitindex.Build in-process for one size, against the floor of
// any index: decoding the same YAML into maps.
type indexStat struct {
	objects, files int
	build, yaml    cost
	oneFile        time.Duration
}

// cost is what one run of a function took.
type cost struct {
	wall, cpu time.Duration // cpu: process CPU time, all threads (GC included)
	heap      float64       // live heap left per object
}

const benchCommit = "0123456789abcdef0123456789abcdef01234567"

// buildIndex builds the snapshot of n objects, timing the cold build, the heap
// it holds and a rebuild after a one-file change, then the YAML floor.
func buildIndex(n int) (*gitindex.Snapshot, indexStat, error) {
	files := repoFiles(n)
	st := indexStat{objects: n, files: len(files)}
	opts := gitindex.BuildOptions{Repo: "bench", Paths: []string{"k8s"}}
	var snap *gitindex.Snapshot
	var err error
	st.build = measureCost(n, func() { snap, err = gitindex.Build(benchCommit, files, opts) })
	if err != nil {
		return nil, st, fmt.Errorf("build %d objects: %w", n, err)
	}
	changed := slices.Clone(files)
	i := len(files) / 2
	changed[i] = gitindex.File{Path: files[i].Path, Data: bytes.ReplaceAll(files[i].Data, []byte(":v1.0.0"), []byte(":v1.0.1"))}
	opts.Previous = snap
	t := time.Now()
	if _, err := gitindex.Build("fedcba9876543210fedcba9876543210fedcba98", changed, opts); err != nil {
		return nil, st, fmt.Errorf("one-file build: %w", err)
	}
	st.oneFile = time.Since(t)
	var objs []map[string]any
	st.yaml = measureCost(n, func() { objs, err = decodeYAML(files) })
	runtime.KeepAlive(objs)
	return snap, st, err
}

// measureCost runs f and returns its time and the heap it left live per object.
// Whatever f keeps must stay reachable from the caller until this returns.
func measureCost(n int, f func()) cost {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t, cpu := time.Now(), cpuTime()
	f()
	c := cost{wall: time.Since(t), cpu: cpuTime() - cpu}
	runtime.GC()
	runtime.ReadMemStats(&after)
	c.heap = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
	return c
}

func (c cost) String() string { return dur(c.wall) + " / " + dur(c.cpu) }

// decodeYAML decodes every document as sigs.k8s.io/yaml does (YAML → JSON → maps).
func decodeYAML(files []gitindex.File) ([]map[string]any, error) {
	var objs []map[string]any
	for _, f := range files {
		for doc := range bytes.SplitSeq(f.Data, []byte("---\n")) {
			var m map[string]any
			if err := yaml.Unmarshal(doc, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
			objs = append(objs, m)
		}
	}
	return objs, nil
}

// indexTable renders the in-process index measurements.
func indexTable(stats []indexStat) table {
	t := table{header: []string{"objects", "files", "YAML decode (baseline), wall / CPU", "Build, cold, wall / CPU", "CPU ÷ baseline",
		"Build, one file changed", "heap/object: decoded maps (baseline)", "heap/object: snapshot", "goal"}, name: "Build in-process"}
	for _, s := range stats {
		var g []string
		if s.objects == 10_000 {
			g = append(g, goal(s.build.wall < 2*time.Second, "cold Build "+dur(s.build.wall)+" < 2 s"))
		}
		g = append(g, goal(s.build.heap < 4096, bytesIEC(s.build.heap)+"/object < 4 KiB"))
		t.rows = append(t.rows, []string{fmt.Sprint(s.objects), fmt.Sprint(s.files), s.yaml.String(), s.build.String(), ratio(s.build.cpu, s.yaml.cpu),
			dur(s.oneFile), bytesIEC(s.yaml.heap), bytesIEC(s.build.heap), joinGoals(g)})
	}
	return t
}

// buildBenchTable renders gitindex's BenchmarkBuild.
func buildBenchTable(lines []benchLine) table {
	t := table{header: []string{"objects", "cold: clone + read + Build", "cold: Build only", "one file: Build", "one-file commit: fetch + Build", "heap/object", "goal"}, name: "BenchmarkBuild"}
	sizes := []string{}
	for _, l := range lines {
		if n, ok := l.part(1); ok && !slices.Contains(sizes, n) {
			sizes = append(sizes, n)
		}
	}
	get := func(size, sub, unit string) (float64, string) {
		for _, l := range lines {
			if n, _ := l.part(1); n == size {
				if s, _ := l.part(2); s == sub {
					if v, ok := l.metrics[unit]; ok {
						return v, ""
					}
				}
			}
		}
		return 0, "–"
	}
	cell := func(size, sub string) string {
		if v, miss := get(size, sub, "ns/op"); miss == "" {
			return dur(time.Duration(v))
		}
		return "–"
	}
	for _, size := range sizes {
		cold, _ := get(size, "cold-source+build", "ns/op")
		commit, _ := get(size, "one-file-commit", "ns/op")
		heap, miss := get(size, "heap", "heap-B/object")
		heapCell := "–"
		if miss == "" {
			heapCell = bytesIEC(heap)
		}
		g := []string{goal(commit > 0 && commit < 50e6, "one-file commit "+dur(time.Duration(commit))+" < 50 ms"), goal(miss == "" && heap < 4096, heapCell+"/object < 4 KiB")}
		if size == "objects=10000" {
			g = append([]string{goal(cold > 0 && cold < 2e9, "cold "+dur(time.Duration(cold))+" < 2 s")}, g...)
		}
		t.rows = append(t.rows, []string{size[len("objects="):], cell(size, "cold-source+build"), cell(size, "cold-build"),
			cell(size, "one-file-build"), cell(size, "one-file-commit"), heapCell, joinGoals(g)})
	}
	return t
}
