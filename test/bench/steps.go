package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// stepHandler runs item 1 for every size and returns the handler over
// cfg.serveSize objects for items 2 and 3, and the index measurements.
func stepHandler(ctx context.Context, cfg config) (section, []indexStat, admission.Handler) {
	sec := section{title: "1. Handler in-process", intro: handlerIntro(len(cfg.lim.bodies[0]), cfg.sizes, cfg.lim)}
	var stats []handlerStats
	var idx []indexStat
	var keep admission.Handler
	for _, n := range cfg.sizes {
		logf("  index of %d objects", n)
		snap, st, err := buildIndex(n)
		if err != nil {
			sec.err = err
			return sec, idx, nil
		}
		idx = append(idx, st)
		h, err := newHandler(ctx, snap, discardAuditor{})
		if err != nil {
			sec.err = err
			return sec, idx, nil
		}
		logf("  handler with %d objects", n)
		hs, err := runHandler(ctx, h, n, cfg.lim)
		if err != nil {
			sec.err = err
			return sec, idx, nil
		}
		stats = append(stats, hs)
		if n == cfg.served() {
			keep = h
		}
		runtime.GC()
	}
	debug.FreeOSMemory()
	sec.tables, sec.notes = []table{handlerTable(stats)}, handlerNotes(stats)
	return sec, idx, keep
}

func handlerIntro(reqBytes int, sizes []int, lim limits) string {
	return fmt.Sprintf("`Handler.Handle` called in-process on a decoded `admission.Request`: a Deployment UPDATE "+
		"whose AdmissionReview is %s (the live object with defaults, managedFields and status, twice), with %s "+
		"objects indexed (nine Deployments and a ConfigMap per file). Baselines on the same request: a no-op handler "+
		"(`admission.Allowed`) and one that only decodes `object` and `oldObject` with utiljson, as most webhooks do (gitgate "+
		"uses its own single-pass decoder that skips `managedFields`). `update-nodrift` is "+
		"`kubectl apply` of git's own file (allowed); `update-drift` scales by hand (denied: message and audit record "+
		"built); `sync-identity` is the sync identity's write. Each row: 200 warm-up calls, then up to %d calls or "+
		"%s; allocs/op from `runtime.MemStats`; CPU ns/op is process CPU time (getrusage, all threads, GC included).",
		bytesIEC(float64(reqBytes)), joinInts(sizes, "/"), lim.iters, lim.time)
}

func tlsIntro(o tlsOpts, objects int) string {
	return fmt.Sprintf(tlsText, objects, o.segments, o.warmup, o.duration)
}

const tlsText = "gitgate's webhook server stack in-process — controller-runtime's `webhook.NewServer` with a " +
	"certificate from `certs.Generate`, TLS ≥ 1.2, HTTP/1.1 only, as `gitgate serve` configures it — serving " +
	"gitgate's handler (%d objects indexed) at `/validate` and a no-op `admission.Allowed` webhook at `/noop`. " +
	"The load generator is this binary re-executed as a child process: an open loop on a fixed schedule, one " +
	"goroutine per request, up to 32 keep-alive connections, latency from each request's *scheduled* send time " +
	"(no coordinated omission), every answer checked to be `allowed`. The request is the Deployment UPDATE " +
	"without drift of item 1. Per rate, the two webhooks alternate in %d segments each (ABBA order; %s " +
	"unmeasured lead-in, then %s measured). CPU/req is the server process's user+system time (getrusage) over the requests it " +
	"served in those segments; the load generator's CPU is not in it."

func apiIntro(o apiOpts) string {
	return fmt.Sprintf(apiText, o.writes, o.rounds)
}

const apiText = "The test control plane of `test/cluster` (etcd, kube-apiserver, kube-controller-manager built by " +
	"`make tools`), on this machine. The admin user (a human, not the sync identity) patches the " +
	"`last-applied-configuration` annotation of a ConfigMap and of a Deployment that git declares, in a governed " +
	"namespace: a real write to etcd that gitgate's comparison ignores, so gitgate allows it after a full " +
	"decision; and of a Secret, a kind git does not declare. Modes: no webhook; the no-op webhook; gitgate — each " +
	"registered with `manifests/webhook.yaml` as shipped (pointed at the in-process server of item 2); and gitgate " +
	"with the rules its guard narrows to git's resources (`guard.Narrow`), under which a write of an undeclared " +
	"kind reaches no webhook. %d writes per kind and mode, sequential through " +
	"client-go with no client-side rate limit; the modes rotate over %d rounds, and each switch waits until the API server is seen " +
	"calling exactly the registered webhook; 5 unmeasured writes per kind after each switch."

// stepTLS runs item 2.
func stepTLS(ctx context.Context, srv *server, dir string, body []byte, cfg config) (section, []*tlsStat) {
	sec := section{title: "2. Webhook over TLS on loopback", intro: tlsIntro(cfg.tls, cfg.served())}
	stats, err := runTLS(ctx, srv, dir, body, cfg.tls)
	if err != nil {
		sec.err = err
		return sec, nil
	}
	sec.tables = []table{tlsTable(stats)}
	sec.notes = []string{tlsNote(stats), "![latency percentiles, gitgate vs no-op](latency.svg)"}
	return sec, stats
}

// stepAPI runs item 3.
func stepAPI(ctx context.Context, srv *server, dir string, cfg config) section {
	sec := section{title: "3. Through the API server", intro: apiIntro(cfg.api)}
	if cfg.skipAPI {
		sec.err = errors.New("skipped (-skip-apiserver)")
		return sec
	}
	cpDir := filepath.Join(dir, "controlplane")
	if err := os.MkdirAll(cpDir, 0o755); err != nil {
		sec.err = err
		return sec
	}
	stats, err := runAPIServer(ctx, srv, cpDir, cfg.api)
	if err != nil {
		sec.err = err
		return sec
	}
	sec.tables = []table{apiTable(stats)}
	for _, s := range stats {
		if s.lastErr != nil {
			sec.notes = append(sec.notes, fmt.Sprintf("%s with %s: %d failed writes, the last: %v", s.kind, s.mode, s.errors, s.lastErr))
		}
	}
	return sec
}

// stepIndex runs gitindex's BenchmarkBuild and reports it with the in-process
// measurements of item 1.
func stepIndex(ctx context.Context, cfg config, idx []indexStat) section {
	pattern := "^BenchmarkBuild$/^objects=(" + cfg.buildPattern + ")$"
	sec := section{title: "4. Index (gitindex)", intro: "First table: gitindex's own `BenchmarkBuild` (`go test -bench '" + pattern +
		"' -benchtime 1x ./gitindex/`; a repository of Deployments, ten per file, made with the git CLI). Second table: " +
		"`gitindex.Build` in-process on the files of item 1, against decoding the same YAML into maps with `sigs.k8s.io/yaml` " +
		"(the least any index pays), and the live heap each leaves per object."}
	lines, err := goBench(ctx, "./gitindex/", pattern, "1x", 1, 5*time.Minute)
	if len(lines) > 0 {
		sec.tables = append(sec.tables, buildBenchTable(lines))
	}
	if err != nil {
		sec.notes = append(sec.notes, fmt.Sprintf("BenchmarkBuild did not complete:\n\n```\n%v\n```", err))
	}
	if len(idx) > 0 {
		sec.tables = append(sec.tables, indexTable(idx))
	}
	if len(sec.tables) == 0 {
		sec.err = err
	}
	return sec
}

// stepPolicy runs policy's BenchmarkEvaluate.
func stepPolicy(ctx context.Context, cfg config) section {
	sec := section{title: "5. Policy (Rego exceptions)", intro: "policy's `BenchmarkEvaluate` (`go test -bench BenchmarkEvaluate -benchtime " +
		cfg.policyTime + " -count 3 ./policy/`, median of the three): one evaluation of a Deployment-sized input with two " +
		"drift items against 0, 10 and 100 exception rules plus the built-in defaults; 0 rules is the baseline."}
	lines, err := goBench(ctx, "./policy/", "^BenchmarkEvaluate$", cfg.policyTime, 3, 5*time.Minute)
	if len(lines) > 0 {
		sec.tables = []table{policyTable(lines)}
	}
	sec.err = err
	return sec
}
