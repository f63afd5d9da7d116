package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// tlsStat is item 2 for one webhook at one rate, over all its segments.
type tlsStat struct {
	rate         int
	target       string
	samples      []time.Duration
	lat          dist
	errors, sent int
	elapsed      time.Duration
	served       int64
	cpu, genCPU  time.Duration // server process; load generator
	achieved     float64       // successful requests per second
	saturated    bool          // see markSaturated
}

// add accumulates one segment.
func (t *tlsStat) add(d driven) {
	t.errors, t.sent, t.elapsed = t.errors+d.res.Errors, t.sent+d.res.Sent, t.elapsed+time.Duration(d.res.Elapsed)
	t.served, t.cpu, t.genCPU = t.served+d.served, t.cpu+d.cpu, t.genCPU+d.generatorCPU
	for _, l := range d.res.Latencies {
		t.samples = append(t.samples, time.Duration(l))
	}
}

func (t *tlsStat) cpuPerReq() time.Duration {
	if t.served == 0 {
		return 0
	}
	return t.cpu / time.Duration(t.served)
}

// tlsTargets are the two webhooks of item 2, baseline first.
var tlsTargets = []struct{ name, path string }{{"no-op", pathNoop}, {"gitgate", pathGitgate}}

// tlsOpts configure item 2.
type tlsOpts struct {
	rates    []int
	segments int           // alternating no-op / gitgate segments per rate
	warmup   time.Duration // per segment, unmeasured
	duration time.Duration // per segment, measured
}

// runTLS drives both webhooks at every rate, alternating segments in ABBA
// order so that a drift in load from elsewhere on the machine hits both alike.
func runTLS(ctx context.Context, s *server, dir string, body []byte, o tlsOpts) ([]*tlsStat, error) {
	bodyFile, caFile := filepath.Join(dir, "review.json"), filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(caFile, s.ca, 0o600); err != nil {
		return nil, err
	}
	var stats []*tlsStat
	for _, rate := range o.rates {
		lo := loadOpts{caFile: caFile, bodyFile: bodyFile, rate: rate, conns: 32, warmup: o.warmup, duration: o.duration}
		acc := make([]*tlsStat, len(tlsTargets))
		for i, t := range tlsTargets {
			acc[i] = &tlsStat{rate: rate, target: t.name}
		}
		for seg := range o.segments {
			for j := range tlsTargets {
				i := j
				if seg%2 == 1 {
					i = len(tlsTargets) - 1 - j
				}
				logf("  tls: %s at %d req/s, segment %d/%d", tlsTargets[i].name, rate, seg+1, o.segments)
				d, err := s.drive(ctx, lo, tlsTargets[i].path)
				if err != nil {
					return nil, err
				}
				acc[i].add(d)
			}
		}
		for _, a := range acc {
			a.lat = newDist(a.samples)
			if a.elapsed > 0 {
				a.achieved = float64(len(a.lat)) / a.elapsed.Seconds()
			}
		}
		stats = append(stats, acc...)
	}
	return stats, nil
}

// tlsNote says what the load generator itself cost.
func tlsNote(stats []*tlsStat) string {
	var cpu time.Duration
	var n int64
	for _, s := range stats {
		cpu, n = cpu+s.genCPU, n+s.served
	}
	return fmt.Sprintf("The load generator (a separate process on the same machine) used %s of CPU per request on average. "+
		"\"saturated\": some requests failed, fewer than 95%% of the offered requests per second were answered, or the "+
		"median was over 10× the same webhook's lowest median — the latency then is mostly queueing.", us(cpu/time.Duration(max(n, 1))))
}

// markSaturated flags the runs that did not keep up with the offered rate:
// failures, fewer than 95% of the offered requests per second answered, or a
// median more than 10× the same webhook's lowest median (queueing, not service).
func markSaturated(stats []*tlsStat) {
	floor := map[string]time.Duration{}
	for _, s := range stats {
		if f, ok := floor[s.target]; !ok || s.lat.q(0.5) < f {
			floor[s.target] = s.lat.q(0.5)
		}
	}
	for _, s := range stats {
		s.saturated = s.errors > 0 || s.achieved < 0.95*float64(s.rate) || s.lat.q(0.5) > 10*floor[s.target]
	}
}

// tlsTable renders item 2 with ratios to the no-op webhook at the same rate.
func tlsTable(stats []*tlsStat) table {
	markSaturated(stats)
	t := table{header: []string{"rate (req/s)", "webhook", "achieved (req/s)", "errors", "p50", "p99", "max", "CPU/req (server)", "p50 ÷ no-op", "p99 ÷ no-op", "CPU ÷ no-op", "goal"}, key: 2}
	var base *tlsStat
	for _, s := range stats {
		if s.target == "no-op" {
			base = s
		}
		achieved := fmt.Sprintf("%.0f", s.achieved)
		if s.saturated {
			achieved += " (saturated)"
		}
		row := []string{fmt.Sprint(s.rate), s.target, achieved, fmt.Sprintf("%d / %d", s.errors, s.sent),
			us(s.lat.q(0.5)), us(s.lat.q(0.99)), us(s.lat.max()), us(s.cpuPerReq())}
		if s.target == "no-op" || base == nil {
			t.rows = append(t.rows, append(row, "baseline", "", "", ""))
			continue
		}
		t.rows = append(t.rows, append(row, ratio(s.lat.q(0.5), base.lat.q(0.5)), ratio(s.lat.q(0.99), base.lat.q(0.99)),
			ratio(s.cpuPerReq(), base.cpuPerReq()), tlsGoal(s, base)))
	}
	return t
}

// tlsGoal judges gitgate at 1000 req/s: p99 ≤ 1.5× no-op's, keeping up where no-op does.
func tlsGoal(s, base *tlsStat) string {
	r99 := float64(s.lat.q(0.99)) / float64(max(base.lat.q(0.99), 1))
	switch {
	case s.rate != 1000:
		return ""
	case base.saturated:
		return fmt.Sprintf("inconclusive (p99 %.2f× no-op, but the no-op baseline itself did not keep up with %d req/s here)", r99, s.rate)
	case s.saturated:
		return goal(false, fmt.Sprintf("p99 %.2f× no-op, but saturated at %d req/s where no-op kept up", r99, s.rate))
	}
	return goal(r99 <= 1.5, fmt.Sprintf("p99 %.2f× no-op ≤ 1.5×", r99))
}
