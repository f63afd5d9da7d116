package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// stepRender measures what rendering costs beside plain manifests, in the same
// run: gitindex's BenchmarkCharts (Helm charts of HelmReleases) and
// gitindex/flux's BenchmarkBuild (a Flux Kustomization with a prefix, a target
// namespace and substitution).
func stepRender(ctx context.Context) section {
	sec := section{title: "7. Rendering (Helm charts, Flux mode)", intro: "gitindex's `BenchmarkCharts` " +
		"(`go test -bench BenchmarkCharts -benchtime 3x ./gitindex/`): a commit of 1,000 objects, rendered from " +
		"HelmReleases' charts or read as plain manifests in the same run (× plain is the ratio); and gitindex/flux's " +
		"`BenchmarkBuild` (`-benchtime 3x`): 1,000 objects through a Flux Kustomization against plain kustomize " +
		"of the same folder."}
	charts, err := goBench(ctx, "./gitindex/", "^BenchmarkCharts$", "3x", 1, 10*time.Minute)
	if len(charts) > 0 {
		sec.tables = append(sec.tables, chartsTable(charts))
	}
	flux, ferr := goBench(ctx, "./gitindex/flux/", "^BenchmarkBuild$", "3x", 1, 10*time.Minute)
	if len(flux) > 0 {
		sec.tables = append(sec.tables, fluxTable(flux))
	}
	if err == nil {
		err = ferr
	}
	sec.err = err
	return sec
}

// chartsTable has one row per BenchmarkCharts case, its metrics as reported.
func chartsTable(lines []benchLine) table {
	t := table{header: []string{"case", "cpu-ms/chart", "cpu-ms/op", "heap-B/object", "× plain"}}
	for _, l := range lines {
		t.rows = append(t.rows, []string{l.name, metric(l, "cpu-ms/chart", "%.2f"), metric(l, "cpu-ms/op", "%.2f"),
			metric(l, "heap-B/object", "%.0f"), metric(l, "x-plain", "%.2f×")})
	}
	return t
}

// fluxTable compares the Flux build with plain kustomize's.
func fluxTable(lines []benchLine) table {
	t := table{header: []string{"mode", "ms/op", "B/op", "× kustomize"}}
	i := slices.IndexFunc(lines, func(l benchLine) bool { p, _ := l.part(1); return p == "kustomize" })
	for _, l := range lines {
		mode, _ := l.part(1)
		ratio := "baseline"
		if i >= 0 && mode != "kustomize" && lines[i].metrics["ns/op"] > 0 {
			ratio = fmt.Sprintf("%.2f×", l.metrics["ns/op"]/lines[i].metrics["ns/op"])
		}
		t.rows = append(t.rows, []string{mode, fmt.Sprintf("%.1f", l.metrics["ns/op"]/1e6), bytesIEC(l.metrics["B/op"]), ratio})
	}
	return t
}

// metric formats a metric the line reports, or "" when it has none.
func metric(l benchLine, unit, format string) string {
	v, ok := l.metrics[unit]
	if !ok {
		return ""
	}
	return fmt.Sprintf(format, v)
}
