package main

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/certs"
)

func TestCertExpiryFollowsTheFile(t *testing.T) {
	dir := t.TempDir()
	c := newCertExpiry(dir)
	if got := c.current(); got != 0 {
		t.Fatalf("missing certificate: %v, want 0", got)
	}
	opts := certs.Options{IPs: []net.IP{net.ParseIP("127.0.0.1")}}
	now := time.Now().Truncate(time.Second)
	b, err := certs.Generate(opts, now.Add(-400*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := certs.WriteDir(dir, b); err != nil {
		t.Fatal(err)
	}
	want := float64(now.Add(-400*24*time.Hour + certs.DefaultValidity).Unix())
	if got := c.current(); got != want {
		t.Fatalf("expired certificate: %v, want %v", got, want)
	}
	renewed, err := certs.Renew(b, opts, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := certs.WriteDir(dir, renewed); err != nil {
		t.Fatal(err)
	}
	// Same size, maybe the same mtime granularity: force a visible change.
	if err := os.Chtimes(filepath.Join(dir, certs.CertFile), now, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, want := c.current(), float64(now.Add(certs.DefaultValidity).Unix()); got != want {
		t.Fatalf("renewed certificate: %v, want %v", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, certs.CertFile), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := c.current(); got != 0 {
		t.Fatalf("unreadable certificate: %v, want 0", got)
	}
}
