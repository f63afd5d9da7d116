package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// config is the command line.
type config struct {
	out          string
	sizes        []int // item 1 index sizes
	serveSize    int   // index size served in items 2 and 3
	lim          limits
	tls          tlsOpts
	api          apiOpts
	skipAPI      bool
	buildPattern string // sizes of gitindex's BenchmarkBuild
	policyTime   string
	soak         time.Duration
	soakRate     int
}

func parseFlags() (config, error) {
	c := config{serveSize: 10_000}
	var sizes, rates string
	flag.StringVar(&c.out, "out", filepath.Join(cluster.RepoRoot(), "test", "bench", "results"), "folder for RESULTS.md and latency.svg")
	flag.StringVar(&sizes, "sizes", "1000,10000,50000", "index sizes of the in-process handler benchmark")
	flag.IntVar(&c.lim.iters, "iters", 20_000, "most calls per in-process measurement")
	flag.DurationVar(&c.lim.time, "case-time", time.Second, "most time per in-process measurement")
	flag.StringVar(&rates, "rates", "500,1000,2000", "request rates of the TLS experiment (req/s)")
	flag.IntVar(&c.tls.segments, "segments", 4, "alternating no-op/gitgate segments per rate")
	flag.DurationVar(&c.tls.warmup, "warmup", 250*time.Millisecond, "unmeasured lead-in of each segment")
	flag.DurationVar(&c.tls.duration, "duration", 750*time.Millisecond, "measured time of each segment")
	flag.IntVar(&c.api.writes, "writes", 300, "writes per object kind and webhook mode through the API server")
	flag.IntVar(&c.api.rounds, "rounds", 3, "rotations of the webhook modes through the API server")
	flag.BoolVar(&c.skipAPI, "skip-apiserver", false, "skip the experiment through the API server")
	flag.StringVar(&c.buildPattern, "build-sizes", "1000|10000", "object counts of gitindex's BenchmarkBuild (regexp; 50000 takes minutes)")
	flag.StringVar(&c.policyTime, "policy-benchtime", "1s", "-benchtime of policy's BenchmarkEvaluate")
	flag.DurationVar(&c.soak, "soak", 0, "instead of the benchmarks, soak the TLS webhook for this long (e.g. 10m) and write SOAK.md")
	flag.IntVar(&c.soakRate, "soak-rate", 200, "request rate of the soak (req/s)")
	flag.Parse()
	var err error
	if c.sizes, err = ints(sizes); err != nil {
		return c, err
	}
	if c.tls.rates, err = ints(rates); err != nil {
		return c, err
	}
	if c.api.rounds < 1 || c.tls.segments < 1 || c.lim.iters < 1 {
		return c, errors.New("-rounds, -segments and -iters must be positive")
	}
	return c, nil
}

// served is the index size of the handler items 2 and 3 serve: serveSize if
// item 1 builds it, else the first size.
func (c config) served() int {
	if slices.Contains(c.sizes, c.serveSize) {
		return c.serveSize
	}
	return c.sizes[0]
}

func joinInts(ns []int, sep string) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, sep)
}

func ints(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a list of positive numbers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "loadgen" {
		os.Exit(runLoadgen(os.Args[2:]))
	}
	cfg, err := parseFlags()
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = run(ctx, cfg)
		stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

var started = time.Now()

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%5.1fs] "+format+"\n", append([]any{time.Since(started).Seconds()}, args...)...)
}

func run(ctx context.Context, cfg config) error {
	ctrllog.SetLogger(logr.Discard())
	m := newMachine()
	dir, err := os.MkdirTemp("", "gitgate-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bodies, err := reviewBodies()
	if err != nil {
		return err
	}
	cfg.lim.bodies = bodies
	if cfg.soak > 0 {
		return soak(ctx, cfg, dir, bodies)
	}
	var (
		sections []section
		idx      []indexStat
		h        admission.Handler
		tlsStats []*tlsStat
	)
	step := func(f func() section) {
		t := time.Now()
		s := f()
		s.took = time.Since(t)
		if s.err != nil {
			logf("%s: %v", s.title, s.err)
		}
		sections = append(sections, s)
	}
	logf("1. handler in-process (request %s)", bytesIEC(float64(len(bodies[0]))))
	step(func() section { s, i, hh := stepHandler(ctx, cfg); idx, h = i, hh; return s })
	if h == nil {
		return fmt.Errorf("handler: %w", sections[0].err)
	}
	srv, err := startServer(ctx, dir, h)
	if err != nil {
		return err
	}
	logf("2. webhook over TLS on 127.0.0.1:%d", srv.port)
	step(func() section { s, st := stepTLS(ctx, srv, dir, bodies[0], cfg); tlsStats = st; return s })
	logf("3. through the API server")
	step(func() section { return stepAPI(ctx, srv, dir, cfg) })
	logf("4. index")
	step(func() section { return stepIndex(ctx, cfg, idx) })
	logf("5. policy")
	step(func() section { return stepPolicy(ctx, cfg) })
	logf("6. bounds on one revision")
	step(func() section { return stepBounds(ctx) })
	logf("7. rendering")
	step(func() section { return stepRender(ctx) })
	m.loadEnd = loadavg()
	return write(cfg.out, markdown(m, sections), latencySVG(tlsStats, m.subtitle()))
}

func reviewBodies() ([][]byte, error) {
	var bodies [][]byte
	for _, c := range reviewCases {
		b, err := admissionReview(c)
		if err != nil {
			return nil, fmt.Errorf("fixture %s: %w", c.name, err)
		}
		bodies = append(bodies, b)
	}
	return bodies, nil
}

func write(dir string, md []byte, svg string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "RESULTS.md"), md, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latency.svg"), []byte(svg), 0o644); err != nil {
		return err
	}
	logf("wrote %s and latency.svg", filepath.Join(dir, "RESULTS.md"))
	return nil
}

// soak runs only the soak: gitgate's handler (with a real audit log) behind the TLS
// server, mixed traffic for cfg.soak, and writes SOAK.md.
func soak(ctx context.Context, cfg config, dir string, bodies [][]byte) error {
	snap, _, err := buildIndex(cfg.serveSize)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	auditLog, err := soakAuditor(ctx, dir)
	if err != nil {
		return err
	}
	h, err := newHandler(ctx, snap, auditLog)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, dir, h)
	if err != nil {
		return err
	}
	logf("soak: %s at %d req/s on 127.0.0.1:%d", cfg.soak, cfg.soakRate, srv.port)
	samples, err := runSoak(ctx, srv, dir, bodies, cfg.soak, cfg.soakRate)
	if err != nil {
		return err
	}
	md := soakMarkdown(samples, cfg.soak, cfg.soakRate, filepath.Join(dir, "soak-audit.log"))
	return os.WriteFile(filepath.Join(cfg.out, "SOAK.md"), md, 0o644)
}
