package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// loadOpts configure one run of the load generator.
type loadOpts struct {
	url, caFile, bodyFile string
	rate, conns           int
	warmup, duration      time.Duration
}

func (o loadOpts) args() []string {
	return []string{"-url=" + o.url, "-ca=" + o.caFile, "-body=" + o.bodyFile,
		"-rate=" + strconv.Itoa(o.rate), "-conns=" + strconv.Itoa(o.conns),
		"-warmup=" + o.warmup.String(), "-duration=" + o.duration.String()}
}

// loadResult is what the load generator reports on stdout.
type loadResult struct {
	// Latencies of the measured requests that succeeded, in ns, each from the
	// time it was scheduled to be sent (so a stall delays the clock, not the
	// schedule: no coordinated omission).
	Latencies []int64 `json:"latencies"`
	Errors    int     `json:"errors"`
	Sent      int     `json:"sent"`
	// Elapsed runs from the first measured request's scheduled time to the last
	// measured completion, in ns.
	Elapsed int64 `json:"elapsed"`
}

// runLoadgen is the child process: `bench loadgen -url … -rate …`.
func runLoadgen(args []string) int {
	var o loadOpts
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "", "webhook URL")
	fs.StringVar(&o.caFile, "ca", "", "CA certificate (PEM)")
	fs.StringVar(&o.bodyFile, "body", "", "AdmissionReview JSON")
	fs.IntVar(&o.rate, "rate", 1000, "requests per second")
	fs.IntVar(&o.conns, "conns", 32, "most keep-alive connections")
	fs.DurationVar(&o.warmup, "warmup", 500*time.Millisecond, "unmeasured lead-in at the same rate")
	fs.DurationVar(&o.duration, "duration", 2*time.Second, "measured time")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	body, err := os.ReadFile(o.bodyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 1
	}
	client, err := newClient(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(generate(o, client, body)); err != nil {
		return 1
	}
	return 0
}

func newClient(o loadOpts) (*http.Client, error) {
	ca, err := os.ReadFile(o.caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("no certificate in %s", o.caFile)
	}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		MaxIdleConns:    o.conns, MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns,
		IdleConnTimeout: time.Minute, DisableCompression: true,
	}
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}, nil
}

// generate sends o.rate requests a second on a fixed schedule (open loop), each
// from its own goroutine, and waits for them all.
func generate(o loadOpts, client *http.Client, body []byte) loadResult {
	interval := time.Second / time.Duration(o.rate)
	warm := int(o.warmup / interval)
	n := warm + int(o.duration/interval)
	lat, ends, ok := make([]time.Duration, n), make([]time.Time, n), make([]bool, n)
	var wg sync.WaitGroup
	start := time.Now().Add(20 * time.Millisecond)
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() {
			err := post(client, o.url, body)
			ends[i] = time.Now()
			lat[i], ok[i] = ends[i].Sub(at), err == nil
		})
	}
	wg.Wait()
	res := loadResult{Sent: n - warm}
	first, last := start.Add(time.Duration(warm)*interval), time.Time{}
	for i := warm; i < n; i++ {
		if !ok[i] {
			res.Errors++
			continue
		}
		res.Latencies = append(res.Latencies, lat[i].Nanoseconds())
		if ends[i].After(last) {
			last = ends[i]
		}
	}
	res.Elapsed = last.Sub(first).Nanoseconds()
	return res
}

// post sends one AdmissionReview and insists on an allowed answer.
func post(c *http.Client, url string, body []byte) error {
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"allowed":true`)) {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	return nil
}

// driven is one run of the load generator as the server saw it.
type driven struct {
	res               loadResult
	served            int64         // requests the server served meanwhile
	cpu, generatorCPU time.Duration // of the server's process and of the child
}

// drive runs the load generator as a child process against path.
func (s *server) drive(ctx context.Context, o loadOpts, path string) (driven, error) {
	var d driven
	exe, err := os.Executable()
	if err != nil {
		return d, err
	}
	o.url = s.url(path)
	ctx, cancel := context.WithTimeout(ctx, o.warmup+o.duration+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, append([]string{"loadgen"}, o.args()...)...)
	cmd.Stderr = os.Stderr
	served0, cpu0 := s.served(path), cpuTime()
	out, err := cmd.Output()
	d.cpu, d.served = cpuTime()-cpu0, s.served(path)-served0
	if err != nil {
		return d, fmt.Errorf("load generator: %w", err)
	}
	d.generatorCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if err := json.Unmarshal(out, &d.res); err != nil {
		return d, fmt.Errorf("load generator output: %w", err)
	}
	return d, nil
}
