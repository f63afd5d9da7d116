package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// podLimit is the shipped Deployment's memory limit.
const podLimit = 512 << 20

// stepBounds runs gitindex's BenchmarkLimits: the oversized commit
// rejected by the default bounds against the same commit built unbounded, and
// the largest revisions the defaults accept against the pod's limit.
func stepBounds(ctx context.Context) section {
	sec := section{title: "6. Bounds on one revision (gitindex)", intro: "gitindex's `BenchmarkLimits` (`go test -run '^$' -bench " +
		"BenchmarkLimits -benchtime 1x ./gitindex/`): files of tiny ConfigMaps (~54 bytes each; 260k make the issue's 14 MB file) " +
		"and Deployments of ~1.3 KB, generated in memory. `limits=default` runs as shipped (default bounds, GOMEMLIMIT 400 MiB), " +
		"`limits=none` as before there were bounds (neither). Peak heap is sampled every 2 ms; peak live is the heap the GC " +
		"found live; peak mapped is the Go runtime's memory not released to the OS (it carries over between cases in one " +
		"process: read it per case from separate runs). The goal: every accepted revision peaks below the pod's 512 MiB."}
	lines, err := goBench(ctx, "./gitindex/", "^BenchmarkLimits$", "1x", 1, 30*time.Minute)
	if len(lines) > 0 {
		sec.tables = []table{boundsTable(lines)}
	}
	sec.err = err
	return sec
}

func boundsTable(lines []benchLine) table {
	t := table{header: []string{"case", "result", "wall", "CPU", "peak heap", "peak live", "peak mapped", "goal"}, name: "BenchmarkLimits"}
	for _, l := range lines {
		name := strings.TrimPrefix(l.name, "BenchmarkLimits/")
		result, goal := fmt.Sprintf("accepted (%.0f objects)", l.metrics["objects"]), "–"
		if l.metrics["objects"] == 0 {
			result = "rejected"
		}
		if strings.Contains(name, "limits=default") && l.metrics["objects"] > 0 {
			goal = "met"
			if l.metrics["peak-mapped-MiB"]*(1<<20) >= podLimit {
				goal = "missed"
			}
			goal += " (< 512 MiB)"
		}
		t.rows = append(t.rows, []string{name, result, dur(time.Duration(l.metrics["s"] * float64(time.Second))),
			dur(time.Duration(l.metrics["cpu-s"] * float64(time.Second))), mibCell(l.metrics["peak-heap-MiB"]),
			mibCell(l.metrics["peak-live-MiB"]), mibCell(l.metrics["peak-mapped-MiB"]), goal})
	}
	return t
}

func mibCell(v float64) string { return fmt.Sprintf("%.0f MiB", v) }
