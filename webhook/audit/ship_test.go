package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

// sinkServer is an HTTP audit sink that records the seq of every line it accepts
// and answers 503 while down.
type sinkServer struct {
	*httptest.Server
	mu       sync.Mutex
	seqs     []uint64
	down     atomic.Bool
	failures atomic.Int32
}

func newSinkServer(t *testing.T) *sinkServer {
	s := &sinkServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			s.failures.Add(1)
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		sc := bufio.NewScanner(r.Body)
		sc.Buffer(nil, 1<<20)
		s.mu.Lock()
		defer s.mu.Unlock()
		for sc.Scan() {
			var l link
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			s.seqs = append(s.seqs, l.Seq)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *sinkServer) received() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]uint64(nil), s.seqs...)
}

func seqRange(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

// TestShipOutageHoldsPolicy: while the sink is down one batch is retried, the
// buffer fills, and the overflow policy decides which lines are lost, counted.
func TestShipOutageHoldsPolicy(t *testing.T) {
	tests := []struct {
		name     string
		overflow string
		want     []uint64
	}{
		{name: "drop newest", overflow: DropNewest, want: seqRange(1, 51)},
		{name: "drop oldest", overflow: DropOldest, want: append([]uint64{1}, seqRange(152, 201)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSinkServer(t)
			srv.down.Store(true)
			reg := prometheus.NewRegistry()
			ship := &ShipOptions{URL: srv.URL, BatchSize: 400, MaxWait: 10 * time.Millisecond, BufferSize: 50,
				Overflow: tc.overflow, InitialBackoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
			l, stop := startLog(t, Options{Path: tempLog(t), Ship: ship, Registerer: reg})
			l.Record(testRecord(0))
			waitFor(t, func() bool { return srv.failures.Load() > 0 }) // seq 1 is in flight, being retried
			for i := 1; i <= 200; i++ {
				l.Record(testRecord(i))
			}
			if err := l.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := counter(t, reg, "gitgate_audit_ship_dropped_total"); got != 150 {
				t.Errorf("ship dropped = %v, want 150", got)
			}
			srv.down.Store(false)
			waitFor(t, func() bool { return len(srv.received()) >= len(tc.want) })
			stop()
			if diff := cmp.Diff(tc.want, srv.received()); diff != "" {
				t.Errorf("sink received (-want +got):\n%s", diff)
			}
			if got := counter(t, reg, "gitgate_audit_records_written_total"); got != 201 {
				t.Errorf("written = %v, want all 201 in the file whatever the sink did", got)
			}
		})
	}
}

// TestLoadSignedAndShipped is the load test: 2,000 records per second for 3 s
// with checkpoint signing and the HTTP sink, default queue and buffer: nothing is
// dropped, the sink gets every line, and the file verifies with the key.
func TestLoadSignedAndShipped(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	srv := newSinkServer(t)
	reg := prometheus.NewRegistry()
	opts := Options{Path: tempLog(t), SigningKey: testKey(t, 1), LogID: "pod-a", Registerer: reg,
		Ship: &ShipOptions{URL: srv.URL, MaxWait: 100 * time.Millisecond}}
	l, stop := startLog(t, opts)
	const rate, seconds = 2000, 3
	start := time.Now()
	tick := time.NewTicker(time.Second / 100)
	defer tick.Stop()
	sent := 0
	for sent < rate*seconds {
		<-tick.C
		due := min(int(time.Since(start).Seconds()*rate), rate*seconds)
		for ; sent < due; sent++ {
			l.Record(testRecord(sent))
		}
	}
	elapsed := time.Since(start)
	stop()
	rep, err := VerifyLog(VerifyOptions{PublicKey: pub(t)}, opts.Path)
	if err != nil || !rep.Intact() {
		t.Fatalf("VerifyLog = %v, %v", rep, err)
	}
	t.Logf("%d records in %v (%.0f/s), %d lines, %d checkpoints, sink got %d",
		sent, elapsed.Round(time.Millisecond), float64(sent)/elapsed.Seconds(), rep.Records, rep.Checkpoints, len(srv.received()))
	if l.Dropped() != 0 || counter(t, reg, "gitgate_audit_ship_dropped_total") != 0 {
		t.Errorf("dropped %d records, %v shipped lines; want none", l.Dropped(), counter(t, reg, "gitgate_audit_ship_dropped_total"))
	}
	if got := srv.received(); !bytes.Equal(seqBytes(got), seqBytes(seqRange(1, rep.Last))) {
		t.Errorf("sink got %d lines, want seq 1..%d in order", len(got), rep.Last)
	}
	if rep.Records != uint64(sent+rep.Checkpoints) || rep.Checkpoints < rate*seconds/DefaultCheckpointEvery {
		t.Errorf("%d lines, %d checkpoints for %d records", rep.Records, rep.Checkpoints, sent)
	}
}

func seqBytes(s []uint64) []byte {
	b, _ := json.Marshal(s)
	return b
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the writer goroutine writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func TestMirrorGetsEveryLine(t *testing.T) {
	var mirror syncBuffer
	opts := Options{Path: tempLog(t), Mirror: &mirror, SigningKey: testKey(t, 1), LogID: "pod-a"}
	writeLog(t, opts, 0, 3)
	file := bytes.Join(readLines(t, opts.Path), nil)
	if !bytes.Equal(mirror.b.Bytes(), file) || bytes.Count(file, []byte("\n")) != 4 {
		t.Errorf("mirror:\n%s\nfile:\n%s\nwant the same 4 lines (3 records, 1 checkpoint)", mirror.b.Bytes(), file)
	}
}
