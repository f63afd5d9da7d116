package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// table is one markdown table; a last column named "goal" feeds the summary.
type table struct {
	header []string
	rows   [][]string
	// key is how many leading columns name a row in the goal summary (default
	// 1); name, if set, prefixes them.
	key  int
	name string
}

func (t table) write(w io.Writer) {
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(t.header, " | "), strings.Repeat("---|", len(t.header)))
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	fmt.Fprintln(w)
}

// section is one item of the report.
type section struct {
	title, intro string
	tables       []table
	notes        []string
	err          error
	took         time.Duration
}

// machine describes where the run happened.
type machine struct {
	nproc, cpu, goVersion, kernel string
	start                         time.Time
	loadStart, loadEnd            string
}

func newMachine() machine {
	m := machine{start: time.Now(), goVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, loadStart: loadavg()}
	m.nproc = fmt.Sprint(runtime.NumCPU())
	if out, err := exec.Command("nproc").Output(); err == nil {
		m.nproc = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("uname", "-sr").Output(); err == nil {
		m.kernel = strings.TrimSpace(string(out))
	}
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for l := range strings.Lines(string(info)) {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// subtitle is one line for the plot.
func (m machine) subtitle() string {
	return fmt.Sprintf("solid: gitgate, dashed: no-op · nproc %s, %s, %s, load avg %s", m.nproc, m.goVersion, m.start.UTC().Format("2006-01-02"), m.loadStart)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// markdown renders RESULTS.md.
func markdown(m machine, sections []section) []byte {
	var w bytes.Buffer
	fmt.Fprintf(&w, "# gitgate benchmarks\n\nWritten by `go run ./test/bench` (`make bench`) on %s; the run took %s.\n\n",
		m.start.UTC().Format("2006-01-02 15:04 MST"), time.Since(m.start).Round(time.Second))
	table{header: []string{"machine", ""}, rows: [][]string{
		{"`nproc`", m.nproc}, {"GOMAXPROCS", fmt.Sprint(runtime.GOMAXPROCS(0))}, {"CPU", m.cpu}, {"kernel", m.kernel},
		{"Go", m.goVersion}, {"date", m.start.UTC().Format(time.RFC3339)},
		{"load average (1, 5, 15 min) at start / end", m.loadStart + " / " + m.loadEnd},
	}}.write(&w)
	w.WriteString("Every figure stands next to a baseline measured in the same run, on the same machine, " +
		"and next to its goal (README.md, \"Benchmarks\") where there is one. The machine is shared " +
		"with other builds and test runs, so absolute numbers move between runs; the ratios to the same-run " +
		"baselines are the figures to read. Nothing here fails a build: a missed goal is reported, not enforced.\n\n")
	w.WriteString("## Goals\n\n")
	summary(sections).write(&w)
	for _, s := range sections {
		fmt.Fprintf(&w, "## %s\n\n", s.title)
		if s.intro != "" {
			fmt.Fprintf(&w, "%s\n\n", s.intro)
		}
		if s.err != nil {
			fmt.Fprintf(&w, "**Not measured:**\n\n```\n%s\n```\n\n", s.err)
		}
		for _, t := range s.tables {
			t.write(&w)
		}
		for _, n := range s.notes {
			fmt.Fprintf(&w, "%s\n\n", n)
		}
		fmt.Fprintf(&w, "_(%s)_\n\n", s.took.Round(time.Second))
	}
	return w.Bytes()
}

// summary collects every goal cell of every table.
func summary(sections []section) table {
	t := table{header: []string{"item", "where", "goal"}}
	for _, s := range sections {
		if s.err != nil && len(s.tables) == 0 {
			t.rows = append(t.rows, []string{s.title, "not measured", "see below"})
		}
		for _, tb := range s.tables {
			gi := len(tb.header) - 1
			if tb.header[gi] != "goal" {
				continue
			}
			for _, r := range tb.rows {
				if r[gi] == "" {
					continue
				}
				var where []string
				if tb.name != "" {
					where = append(where, tb.name)
				}
				for i := range max(tb.key, 1) {
					where = append(where, tb.header[i]+": "+r[i])
				}
				t.rows = append(t.rows, []string{s.title, strings.Join(where, ", "), r[gi]})
			}
		}
	}
	return t
}
