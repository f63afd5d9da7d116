package certs

import (
	"crypto/x509"
	"net"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{
		DNSNames: []string{"gitgate.gitgate-system.svc", "gitgate.gitgate-system.svc.cluster.local"},
		IPs:      []net.IP{net.ParseIP("127.0.0.1")},
	}
}

func mustGenerate(t *testing.T, opts Options, now time.Time) *Bundle {
	t.Helper()
	b, err := Generate(opts, now)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return b
}

func mustCerts(t *testing.T, data []byte) []*x509.Certificate {
	t.Helper()
	certs, err := parseCerts(data)
	if err != nil {
		t.Fatalf("parseCerts: %v", err)
	}
	return certs
}
