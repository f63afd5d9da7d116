package serving

import (
	"net"
	"sync"
)

// limitListener closes, as soon as they are accepted, connections over the
// server's total or per-source-address bound. Unlike x/net/netutil's, it does not
// stop accepting at the bound: waiting connections would pile up in the kernel's
// backlog, unseen and uncounted.
type limitListener struct {
	net.Listener
	maxConns, maxPerIP int
	refused            func(reason string)

	mu     sync.Mutex
	active int
	perIP  map[string]int
}

func newLimitListener(l net.Listener, maxConns, maxPerIP int, refused func(string)) *limitListener {
	return &limitListener{Listener: l, maxConns: maxConns, maxPerIP: maxPerIP, refused: refused, perIP: map[string]int{}}
}

// Accept returns the next connection within the bounds.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := sourceIP(c)
		if reason := l.admit(ip); reason != "" {
			_ = c.Close()
			l.refused(reason)
			continue
		}
		return &limitedConn{Conn: c, release: func() { l.release(ip) }}, nil
	}
}

// admit takes a slot for ip, or says which bound is full.
func (l *limitListener) admit(ip string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.maxConns > 0 && l.active >= l.maxConns:
		return ReasonConnections
	case l.maxPerIP > 0 && l.perIP[ip] >= l.maxPerIP:
		return ReasonConnectionsPerIP
	}
	l.active++
	l.perIP[ip]++
	return ""
}

func (l *limitListener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.active--
	if l.perIP[ip]--; l.perIP[ip] <= 0 {
		delete(l.perIP, ip)
	}
}

// open returns the number of connections held.
func (l *limitListener) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.active
}

func sourceIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// limitedConn gives its slot back once, on the first Close.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
