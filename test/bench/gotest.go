package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// benchLine is one result line of `go test -bench`.
type benchLine struct {
	name    string             // without the -GOMAXPROCS suffix
	metrics map[string]float64 // by unit: ns/op, B/op, allocs/op, heap-B/object, …
}

// part returns the i-th slash-separated part of the name (0 is BenchmarkX).
func (l benchLine) part(i int) (string, bool) {
	parts := strings.Split(l.name, "/")
	if i >= len(parts) {
		return "", false
	}
	return parts[i], true
}

// goBench runs the benchmarks matching pattern in pkg, as a developer would,
// and returns the parsed results and, on failure, the tail of the output.
// With count > 1 each metric is the median of the runs.
func goBench(ctx context.Context, pkg, pattern, benchtime string, count int, timeout time.Duration) ([]benchLine, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := []string{"test", "-run", "^$", "-bench", pattern, "-benchtime", benchtime, "-benchmem", "-count", strconv.Itoa(count), "-timeout", timeout.String(), pkg}
	logf("  go %s", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, goTool(), args...)
	cmd.Dir = cluster.RepoRoot()
	out, err := cmd.CombinedOutput()
	lines := medians(parseBench(string(out)))
	if err != nil {
		return lines, fmt.Errorf("go test %s: %w\n%s", pkg, err, tail(string(out), 12))
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("go test %s: no benchmark matches %q\n%s", pkg, pattern, tail(string(out), 12))
	}
	return lines, nil
}

// goTool is $GO (set by make) or go.
func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

func parseBench(out string) []benchLine {
	var lines []benchLine
	for l := range strings.Lines(out) {
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		bl := benchLine{name: name, metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				bl.metrics[f[i+1]] = v
			}
		}
		lines = append(lines, bl)
	}
	return lines
}

// medians merges the lines of one benchmark into one, metric by metric.
func medians(lines []benchLine) []benchLine {
	var out []benchLine
	runs := map[string][]benchLine{}
	for _, l := range lines {
		if _, seen := runs[l.name]; !seen {
			out = append(out, benchLine{name: l.name, metrics: map[string]float64{}})
		}
		runs[l.name] = append(runs[l.name], l)
	}
	for _, o := range out {
		for unit := range runs[o.name][0].metrics {
			var vs []float64
			for _, r := range runs[o.name] {
				vs = append(vs, r.metrics[unit])
			}
			slices.Sort(vs)
			o.metrics[unit] = vs[len(vs)/2]
		}
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// policyTable renders BenchmarkEvaluate with 0 rules (the built-in defaults
// only) as the baseline.
func policyTable(lines []benchLine) table {
	t := table{header: []string{"exception rules", "ns/op", "B/op", "allocs/op", "÷ 0 rules", "goal"}}
	var base float64
	for _, l := range lines {
		rules, _ := l.part(1)
		rules = strings.TrimPrefix(rules, "rules=")
		ns := l.metrics["ns/op"]
		r, g := "baseline", ""
		if rules == "0" {
			base = ns
		} else if base > 0 {
			r = fmt.Sprintf("%.2f×", ns/base)
		}
		if rules == "100" {
			g = goal(ns < 50e3, us(time.Duration(ns))+" < 50 µs")
		}
		t.rows = append(t.rows, []string{rules, us(time.Duration(ns)), bytesIEC(l.metrics["B/op"]),
			fmt.Sprintf("%.0f", l.metrics["allocs/op"]), r, g})
	}
	return t
}
