package main

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"
)

// dist is a sorted sample of latencies.
type dist []time.Duration

func newDist(samples []time.Duration) dist {
	d := slices.Clone(samples)
	slices.Sort(d)
	return d
}

// q returns the p-quantile (0 < p ≤ 1) by nearest rank, or 0 for no samples.
func (d dist) q(p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(p*float64(len(d))+0.5) - 1
	return d[min(max(i, 0), len(d)-1)]
}

func (d dist) max() time.Duration { return d.q(1) }

// us formats a duration in microseconds or, from 10 ms on, milliseconds.
func us(d time.Duration) string {
	switch {
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	case d >= 100*time.Microsecond:
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	}
	return fmt.Sprintf("%.1f µs", float64(d)/1e3)
}

// delta formats a signed difference.
func delta(d time.Duration) string {
	if d < 0 {
		return "−" + us(-d)
	}
	return "+" + us(d)
}

// dur formats a duration like us, and from 1 s on in seconds.
func dur(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return us(d)
}

// ratio formats a ÷ b.
func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

// goal formats a goal with whether it was met.
func goal(ok bool, text string) string {
	if ok {
		return "met (" + text + ")"
	}
	return "**missed** (" + text + ")"
}

func joinGoals(g []string) string { return strings.Join(g, ", ") }

// cpuTime is this process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bytesIEC formats a byte count.
func bytesIEC(n float64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", n/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", n/(1<<10))
	}
	return fmt.Sprintf("%.0f B", n)
}
