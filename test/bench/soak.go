package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitgate-dev/gitgate/webhook/audit"
)

// soakSample is one chunk of the soak: traffic, answers and the process's state.
type soakSample struct {
	at           time.Duration
	kind         string
	sent, denied int
	p50, p99     time.Duration
	heap         uint64
	goroutines   int
}

// runSoak drives mixed traffic (git's own file, allowed; a manual scale, denied and
// audited) at a fixed rate for d, in chunks, and samples heap and goroutines after
// each chunk. The handler writes a real hash-chained audit log.
func runSoak(ctx context.Context, srv *server, dir string, bodies [][]byte, d time.Duration, rate int) ([]soakSample, error) {
	files := make([]string, 2)
	for i := range files {
		files[i] = filepath.Join(dir, fmt.Sprintf("soak-%d.json", i))
		if err := os.WriteFile(files[i], bodies[i], 0o600); err != nil {
			return nil, err
		}
	}
	caFile := filepath.Join(dir, "soak-ca.crt")
	if err := os.WriteFile(caFile, srv.ca, 0o600); err != nil {
		return nil, err
	}
	const chunk = 15 * time.Second
	var out []soakSample
	for start, i := time.Now(), 0; time.Since(start) < d; i++ {
		lo := loadOpts{caFile: caFile, bodyFile: files[i%2], rate: rate, conns: 16, warmup: 100 * time.Millisecond, duration: chunk}
		dr, err := srv.drive(ctx, lo, pathGitgate)
		if err != nil {
			return out, err
		}
		s := soakSample{at: time.Since(start).Round(time.Second), kind: reviewCases[i%2].name, sent: dr.res.Sent, denied: dr.res.Errors}
		lat := make([]time.Duration, len(dr.res.Latencies))
		for j, ns := range dr.res.Latencies {
			lat[j] = time.Duration(ns)
		}
		dist := newDist(lat)
		s.p50, s.p99 = dist.q(0.50), dist.q(0.99)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		s.heap, s.goroutines = ms.HeapAlloc, runtime.NumGoroutine()
		out = append(out, s)
		logf("  soak %s: %s %d sent, %d denied, p99 %s, heap %s, %d goroutines", s.at, s.kind, s.sent, s.denied, s.p99, bytesIEC(float64(s.heap)), s.goroutines)
	}
	return out, nil
}

// soakAuditor gives the soak's handler a real audit log.
func soakAuditor(ctx context.Context, dir string) (*audit.Log, error) {
	l, err := audit.NewLog(ctx, audit.Options{Path: filepath.Join(dir, "soak-audit.log"), Registerer: prometheus.NewRegistry()})
	if err != nil {
		return nil, err
	}
	go func() { _ = l.Start(ctx) }()
	return l, nil
}

func soakMarkdown(samples []soakSample, d time.Duration, rate int, auditFile string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# gitgate soak\n\nWritten by `go run ./test/bench -soak %s -soak-rate %d` on %s: gitgate's TLS webhook (10000 objects indexed, a real audit log) under an open-loop load alternating, every 15 s, `kubectl apply` of git's own file (allowed) and a manual scale (denied, audited). After each chunk: a GC, then the live heap and the goroutine count. Latency is recorded for allowed answers only (the load generator counts a denial as not allowed), so denied chunks show their count and no percentiles.\n\n", d, rate, time.Now().UTC().Format(time.RFC3339))
	b.WriteString("| t | traffic | sent | denied | p50 | p99 | live heap | goroutines |\n|---|---|---|---|---|---|---|---|\n")
	for _, s := range samples {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %s | %d |\n", s.at, s.kind, s.sent, s.denied, s.p50.Round(time.Microsecond), s.p99.Round(time.Microsecond), bytesIEC(float64(s.heap)), s.goroutines)
	}
	if n := len(samples); n >= 2 {
		fmt.Fprintf(&b, "\nFirst → last chunk: live heap %s → %s, goroutines %d → %d.\n", bytesIEC(float64(samples[0].heap)), bytesIEC(float64(samples[n-1].heap)), samples[0].goroutines, samples[n-1].goroutines)
	}
	if fi, err := os.Stat(auditFile); err == nil {
		fmt.Fprintf(&b, "Audit log written: %s (verify with `gitgate audit verify`).\n", bytesIEC(float64(fi.Size())))
	}
	return []byte(b.String())
}
