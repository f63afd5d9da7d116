package serving

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"time"
)

// slowClients is the attack: clients that send most of a large body and
// stall, holding their connection open.
type slowClients struct {
	clients        int
	declared, sent int
	tls            *tls.Config // nil: plain HTTP
	path, header   string      // header: one extra "Name: value" line
}

// outcome is what the attack achieved.
type outcome struct {
	// open counts connections the server had not closed when the clients gave up.
	open int
	// slowest is the longest time the server took to close a connection.
	slowest time.Duration
	// liveMiB is the live heap (after a GC) once every client sent what it could;
	// peakMiB the largest heap sampled meanwhile.
	liveMiB, peakMiB float64
}

// run attacks addr; each client gives up (and closes) after hold.
func (a slowClients) run(addr string, hold time.Duration) outcome {
	var (
		mu      sync.Mutex
		out     outcome
		sent    sync.WaitGroup
		stopped sync.WaitGroup
	)
	stopPeak := samplePeak(&out.peakMiB)
	for range a.clients {
		sent.Add(1)
		stopped.Add(1)
		go func() {
			defer stopped.Done()
			closed, ok := a.one(addr, hold, sent.Done)
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				out.open++
			}
			out.slowest = max(out.slowest, closed)
		}()
	}
	sent.Wait()
	time.Sleep(500 * time.Millisecond) // let the server take in what was sent
	out.liveMiB = liveHeapMiB()
	stopped.Wait()
	stopPeak()
	return out
}

// one runs one client: it reports when the server closed the connection, or
// false when it was still open after hold. sent is called once the body was
// written as far as it could be.
func (a slowClients) one(addr string, hold time.Duration, sent func()) (time.Duration, bool) {
	start := time.Now()
	var conn net.Conn
	var err error
	if a.tls != nil {
		conn, err = tls.Dial("tcp", addr, a.tls)
	} else {
		conn, err = net.Dial("tcp", addr)
	}
	if err != nil {
		sent()
		return time.Since(start), true // refused before the handshake ended
	}
	defer conn.Close()
	go func() {
		defer sent()
		_ = conn.SetWriteDeadline(start.Add(hold))
		if _, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: gitgate\r\nContent-Type: application/json\r\n%s\r\nContent-Length: %d\r\n\r\n",
			a.path, a.header, a.declared); err != nil {
			return
		}
		chunk := make([]byte, 64<<10)
		for n := 0; n < a.sent; n += len(chunk) {
			if _, err := conn.Write(chunk[:min(len(chunk), a.sent-n)]); err != nil {
				return
			}
		}
	}()
	_ = conn.SetReadDeadline(start.Add(hold))
	_, err = io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return hold, false
	}
	return time.Since(start), true
}

func liveHeapMiB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// samplePeak records the largest heap seen every 50ms into peak until stopped.
func samplePeak(peak *float64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			*peak = max(*peak, float64(ms.HeapAlloc)/(1<<20))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
