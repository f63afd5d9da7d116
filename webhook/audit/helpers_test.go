package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// startLog creates a Log and runs its writer until the returned stop (also run at
// cleanup) cancels it; stop reports Start's error.
func startLog(t *testing.T, opts Options) (*Log, func()) {
	t.Helper()
	l, err := NewLog(t.Context(), opts)
	if err != nil {
		t.Fatalf("NewLog: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- l.Start(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("Start: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return l, stop
}

// writeLog writes records from..to-1 with a fresh Log on opts.Path and stops it.
func writeLog(t *testing.T, opts Options, from, to int) {
	t.Helper()
	l, stop := startLog(t, opts)
	for i := from; i < to; i++ {
		if !l.Record(testRecord(i)) {
			t.Fatalf("Record(%d) dropped", i)
		}
	}
	if err := l.Flush(t.Context()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	stop()
}

func tempLog(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "audit", "audit.log")
}

// readLines returns the lines of path, each with its newline.
func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(b, []byte("\n"))[:bytes.Count(b, []byte("\n"))]
}

func writeLines(t *testing.T, path string, lines [][]byte) {
	t.Helper()
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
}

// counter reads a counter's value from reg.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

// writeRecords writes recs with a fresh Log on opts.Path and stops it.
func writeRecords(t *testing.T, opts Options, recs ...Record) {
	t.Helper()
	l, stop := startLog(t, opts)
	for _, r := range recs {
		if !l.Record(r) {
			t.Fatal("Record dropped")
		}
	}
	if err := l.Flush(t.Context()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	stop()
}
