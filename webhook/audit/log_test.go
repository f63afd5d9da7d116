package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string // substrings of the error; nil for valid
	}{
		{name: "zero is valid (disabled)", opts: Options{}},
		{name: "file", opts: Options{Path: "/var/log/gitgate/audit.log", MaxSize: 1, MaxBackups: 1, QueueSize: 1}},
		{name: "negative", opts: Options{MaxSize: -1, MaxBackups: -2, QueueSize: -3},
			want: []string{"MaxSize -1", "MaxBackups -2", "QueueSize -3"}},
		{name: "signing without a log id, short key", opts: Options{SigningKey: make([]byte, 10)},
			want: []string{"SigningKey: 10 bytes", "LogID is required"}},
		{name: "ship", opts: Options{Ship: &ShipOptions{URL: "ftp://x", Overflow: "drop-all", BatchSize: -1}},
			want: []string{`Ship.URL "ftp://x"`, `Ship.Overflow "drop-all"`, "must not be negative"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.Validate()
			if (err != nil) != (tc.want != nil) {
				t.Fatalf("Validate() = %v, want error: %v", err, tc.want != nil)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v, want it to mention %q", err, w)
				}
			}
		})
	}
	if _, err := NewLog(t.Context(), Options{QueueSize: -1}); err == nil {
		t.Error("NewLog accepted invalid options")
	}
}

// TestRecordNeverBlocks fills a tiny queue with no writer running.
func TestRecordNeverBlocks(t *testing.T) {
	reg := prometheus.NewRegistry()
	var logged atomic.Int32
	logger := funcr.New(func(prefix, args string) { logged.Add(1) }, funcr.Options{})
	l, err := NewLog(logr.NewContext(t.Context(), logger), Options{Path: tempLog(t), QueueSize: 2, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 5 {
			got = append(got, l.Record(testRecord(i)))
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Record blocked on a full queue")
	}
	if diff := cmp.Diff([]bool{true, true, false, false, false}, got); diff != "" {
		t.Errorf("Record results (-want +got):\n%s", diff)
	}
	if l.Dropped() != 3 {
		t.Errorf("Dropped() = %d, want 3", l.Dropped())
	}
	if v := counter(t, reg, "gitgate_audit_records_dropped_total"); v != 3 {
		t.Errorf("dropped metric = %v, want 3", v)
	}
	if n := logged.Load(); n != 1 {
		t.Errorf("logged %d drops within a second, want 1", n)
	}

	// Flush cannot pass a queue nobody drains; it gives up with ctx.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := l.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Flush without a writer = %v, want DeadlineExceeded", err)
	}
}

func TestRecordAfterStop(t *testing.T) {
	path := tempLog(t)
	l, stop := startLog(t, Options{Path: path})
	l.Record(testRecord(0))
	stop()
	if l.Record(testRecord(1)) {
		t.Error("Record after Start returned = true, want a drop")
	}
	if l.Dropped() != 1 {
		t.Errorf("Dropped() = %d, want 1", l.Dropped())
	}
	if err := l.Flush(t.Context()); !errors.Is(err, errStopped) {
		t.Errorf("Flush after stop = %v, want %v", err, errStopped)
	}
	if err := l.Start(t.Context()); !errors.Is(err, errAlreadyStarted) {
		t.Errorf("second Start = %v, want %v", err, errAlreadyStarted)
	}
	// Stopping drained the queue: the record accepted before stop is written.
	if r, err := Verify(path); err != nil || r.Records != 1 {
		t.Errorf("Verify = %+v, %v; want 1 record", r, err)
	}
}

func TestConcurrentRecord(t *testing.T) {
	reg := prometheus.NewRegistry()
	path := tempLog(t)
	l, stop := startLog(t, Options{Path: path, QueueSize: 64, MaxSize: 64 << 10, MaxBackups: 100, Registerer: reg})
	const workers, each = 8, 200
	var accepted atomic.Uint64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if l.Record(testRecord(w*each + i)) {
					accepted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if err := l.Flush(t.Context()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	stop()

	report, err := Verify(chainFiles(t, path)...)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if report.Records != accepted.Load() || accepted.Load()+l.Dropped() != workers*each {
		t.Errorf("verified %d, accepted %d, dropped %d, sent %d", report.Records, accepted.Load(), l.Dropped(), workers*each)
	}
	if v := counter(t, reg, "gitgate_audit_records_written_total"); v != float64(accepted.Load()) {
		t.Errorf("written metric = %v, want %d", v, accepted.Load())
	}
}

func TestRecordNormalizesTime(t *testing.T) {
	path := tempLog(t)
	l, stop := startLog(t, Options{Path: path})
	r := testRecord(0)
	r.Time = time.Date(2025, 6, 1, 12, 0, 0, 5, time.FixedZone("CEST", 2*3600))
	r.Seq, r.Prev, r.Hash = 42, "caller's", "caller's"
	l.Record(r)
	l.Record(Record{UID: "zero-time"})
	if err := l.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	stop()
	var got []Record
	for _, line := range readLines(t, path) {
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	if s := got[0].Time.Format(time.RFC3339Nano); s != "2025-06-01T10:00:00.000000005Z" {
		t.Errorf("time = %s, want UTC", s)
	}
	if got[0].Seq != 1 || !isGenesis(got[0].Prev) {
		t.Errorf("caller's seq/prev kept: %d %q", got[0].Seq, got[0].Prev)
	}
	if got[1].Time.IsZero() || time.Since(got[1].Time) > time.Minute {
		t.Errorf("zero time became %v, want now", got[1].Time)
	}
}

// TestNewLogRecoversFromBrokenLastLine: a broken last line never stops the log
// (gitgate) from starting; the chain goes on and verify reports what was wrong.
func TestNewLogRecoversFromBrokenLastLine(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(b []byte) []byte
		want   []string // findings after one more record
	}{
		{"write cut short", func(b []byte) []byte { return b[:len(b)-5] }, nil},
		{"edited", func(b []byte) []byte { return bytes.Replace(b, []byte(`"obj-2"`), []byte(`"obj-9"`), 1) }, []string{"edited 3..3"}},
		{"garbage", func(b []byte) []byte { return append(b, "not json\n"...) }, []string{"edited 4..4", "restarted 1..1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tempLog(t)
			writeLog(t, Options{Path: path}, 0, 3)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.tamper(b), 0o600); err != nil {
				t.Fatal(err)
			}
			writeLog(t, Options{Path: path}, 3, 4)
			rep, err := VerifyLog(VerifyOptions{}, path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, kinds(rep)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%v", diff, rep.Findings)
			}
		})
	}
}

func TestDisabledAndStdout(t *testing.T) {
	off, stopOff := startLog(t, Options{})
	if !off.Record(testRecord(0)) || off.Flush(t.Context()) != nil || off.Dropped() != 0 {
		t.Error("disabled log did not accept and discard")
	}
	stopOff()

	out, err := NewLog(t.Context(), Options{Path: PathStdout})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	out.sink.out = &buf // before Start: the writer goroutine owns the sink after
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- out.Start(ctx) }()
	for i := range 3 {
		out.Record(testRecord(i))
	}
	if err := out.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "stdout.log")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err := Verify(file); err != nil || r.Records != 3 || r.First != 1 {
		t.Errorf("Verify(stdout) = %+v, %v; want a 3-record chain from genesis", r, err)
	}
}

func TestMetricsReusedAcrossLogs(t *testing.T) {
	reg := prometheus.NewRegistry()
	path := tempLog(t)
	writeLog(t, Options{Path: path, Registerer: reg}, 0, 2)
	writeLog(t, Options{Path: path, Registerer: reg}, 2, 5)
	if v := counter(t, reg, "gitgate_audit_records_written_total"); v != 5 {
		t.Errorf("written metric = %v, want 5 across both logs", v)
	}
}

func TestUnencodableValueIsRecordedAsSuch(t *testing.T) {
	path := tempLog(t)
	l, stop := startLog(t, Options{Path: path})
	bad := testRecord(0)
	bad.Drift = []DriftItem{{Path: "x", New: make(chan int)}} // has no JSON encoding
	l.Record(bad)
	if err := l.Flush(t.Context()); err != nil {
		t.Fatalf("Flush = %v, want the record written with its value replaced", err)
	}
	stop()
	if lines := readLines(t, path); len(lines) != 1 || !strings.Contains(string(lines[0]), `"new":"unencodable"`) {
		t.Errorf("lines = %q, want one line with \"new\":\"unencodable\"", lines)
	}
}

func TestWriteErrorIsCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	l, err := NewLog(t.Context(), Options{Path: tempLog(t), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	l.sink.file.Close() // before Start: every write now fails
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- l.Start(ctx) }()
	l.Record(testRecord(0))
	if err := l.Flush(t.Context()); err == nil {
		t.Error("Flush after a failed write: no error")
	}
	if v := counter(t, reg, "gitgate_audit_write_errors_total"); v != 1 {
		t.Errorf("write errors metric = %v, want 1", v)
	}
	cancel()
	<-errc // closing the closed file fails; that is not what this test checks
}
