package main

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// Plot geometry of latency.svg.
const (
	plotW, plotH                          = 780, 460
	plotLeft, plotRight, plotTop, plotBot = 72, 600, 56, 404
	maxNines                              = 3.0 // the x axis ends at p99.9
)

var rateColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"}

// latencySVG plots item 2 as percentile curves: for each rate, the latency of
// gitgate (solid) and of the no-op webhook (dashed) at every percentile, on a
// logarithmic "nines" axis (50, 90, 99, 99.9 %) and a logarithmic time axis.
func latencySVG(stats []*tlsStat, subtitle string) string {
	lo, hi := time.Duration(math.MaxInt64), time.Duration(1)
	for _, s := range stats {
		if len(s.lat) > 0 {
			lo, hi = min(lo, s.lat.q(0)), max(hi, s.lat.q(0.999))
		}
	}
	if lo >= hi {
		lo, hi = time.Microsecond, time.Millisecond
	}
	ymin, ymax := math.Log10(float64(lo)/1e3)-0.05, math.Log10(float64(hi)/1e3)+0.05
	y := func(d time.Duration) float64 {
		v := math.Log10(math.Max(float64(d)/1e3, 1e-3))
		return plotBot - (v-ymin)/(ymax-ymin)*(plotBot-plotTop)
	}
	x := func(nines float64) float64 { return plotLeft + nines/maxNines*(plotRight-plotLeft) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", plotW, plotH, plotW, plotH)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">Webhook latency over TLS on loopback (open loop, from scheduled send time)</text>`+"\n", plotLeft)
	fmt.Fprintf(&b, `<text x="%d" y="40" fill="#555">%s</text>`+"\n", plotLeft, html.EscapeString(subtitle))
	axes(&b, x, y, ymin, ymax)
	rates := []int{}
	for _, s := range stats {
		if len(rates) == 0 || rates[len(rates)-1] != s.rate {
			rates = append(rates, s.rate)
		}
	}
	for _, s := range stats {
		ri := indexOf(rates, s.rate)
		dash := ""
		if s.target == "no-op" {
			dash = ` stroke-dasharray="5,4"`
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.8"%s points="%s"/>`+"\n", rateColors[ri%len(rateColors)], dash, curve(s.lat, x, y))
		ly := plotTop + 10 + 20*(2*ri+indexOf([]string{"no-op", "gitgate"}, s.target))
		fmt.Fprintf(&b, `<line x1="615" x2="645" y1="%d" y2="%d" stroke="%s" stroke-width="1.8"%s/>`, ly, ly, rateColors[ri%len(rateColors)], dash)
		fmt.Fprintf(&b, `<text x="652" y="%d">%s, %d req/s</text>`+"\n", ly+4, s.target, s.rate)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func curve(d dist, x func(float64) float64, y func(time.Duration) float64) string {
	if len(d) == 0 {
		return ""
	}
	var pts []string
	for k := 0; k <= 300; k++ {
		nines := maxNines * float64(k) / 300
		p := 1 - math.Pow(10, -nines)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(nines), y(d.q(p))))
	}
	return strings.Join(pts, " ")
}

// axes draws the frame, the percentile ticks and 1-2-5 latency ticks.
func axes(b *strings.Builder, x func(float64) float64, y func(time.Duration) float64, ymin, ymax float64) {
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", plotLeft, plotTop, plotRight-plotLeft, plotBot-plotTop)
	for i, label := range []string{"0%", "90%", "99%", "99.9%"} {
		px := x(float64(i))
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", px, px, plotTop, plotBot, px, plotBot+16, label)
	}
	px := x(math.Log10(2))
	fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#eee"/><text x="%.1f" y="%d" text-anchor="middle">50%%</text>`+"\n", px, px, plotTop, plotBot, px, plotBot+16)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">percentile of requests</text>`+"\n", (plotLeft+plotRight)/2, plotBot+36)
	fmt.Fprintf(b, `<text transform="translate(18,%d) rotate(-90)" text-anchor="middle">latency (log scale)</text>`+"\n", (plotTop+plotBot)/2)
	for e := math.Floor(ymin); e <= ymax; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := math.Log10(m) + e
			if v < ymin || v > ymax {
				continue
			}
			d := time.Duration(math.Pow(10, v) * 1e3)
			py := y(d)
			fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#eee"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n",
				plotLeft, plotRight, py, py, plotLeft-6, py+4, tickLabel(d))
		}
	}
}

func tickLabel(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%g s", math.Round(float64(d)/1e8)/10)
	}
	if d >= time.Millisecond {
		return fmt.Sprintf("%g ms", math.Round(float64(d)/1e5)/10)
	}
	return fmt.Sprintf("%g µs", math.Round(float64(d)/1e2)/10)
}

func indexOf[T comparable](s []T, v T) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return 0
}
