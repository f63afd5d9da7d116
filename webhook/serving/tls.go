package serving

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"

	"github.com/gitgate-dev/gitgate/certs"
)

// tlsConfig serves the certificate in o.CertDir, reloaded when its files change
// until ctx ends; or, with o.SelfSigned and no certificate there, one made now.
// TLS 1.2 at least, HTTP/1.1 only: no HTTP/2 stream multiplexing to bound.
func tlsConfig(ctx context.Context, o Options) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	crt, key := filepath.Join(o.CertDir, certs.CertFile), filepath.Join(o.CertDir, certs.KeyFile)
	if _, err := os.Stat(crt); o.SelfSigned && (o.CertDir == "" || errors.Is(err, fs.ErrNotExist)) {
		cert, err := selfSigned()
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
		return cfg, nil
	}
	w, err := certwatcher.New(crt, key)
	if err != nil {
		return nil, fmt.Errorf("load serving certificate from %s: %w", o.CertDir, err)
	}
	go func() {
		if err := w.Start(ctx); err != nil {
			logr.FromContextOrDiscard(ctx).Error(err, "certificate watcher stopped", "server", o.Name)
		}
	}()
	cfg.GetCertificate = w.GetCertificate
	return cfg, nil
}

// selfSigned makes a certificate for localhost, for a server whose clients do not
// verify it (a scraper told to skip verification, or one that pins it).
func selfSigned() (tls.Certificate, error) {
	b, err := certs.Generate(certs.Options{DNSNames: []string{"localhost"}}, time.Now())
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("self-signed certificate: %w", err)
	}
	cert, err := tls.X509KeyPair(b.Cert, b.Key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("self-signed certificate: %w", err)
	}
	return cert, nil
}
