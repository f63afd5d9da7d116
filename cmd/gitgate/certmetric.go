package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitgate-dev/gitgate/certs"
)

// certExpiry exports the expiry of the serving certificate in the cert dir, read
// on scrape (and parsed again only when the file changed), so that an alert can
// fire before the API server's calls start failing TLS. It reads the file, not
// the rotator's state: with --cert-dir mounted from a Secret that something
// else renews, the file is the truth.
type certExpiry struct {
	path string
	desc *prometheus.Desc

	mu      sync.Mutex
	modTime time.Time
	size    int64
	expiry  float64
}

func newCertExpiry(dir string) *certExpiry {
	return &certExpiry{
		path: filepath.Join(dir, certs.CertFile),
		desc: prometheus.NewDesc("gitgate_serving_certificate_expiry_timestamp_seconds",
			"When the serving certificate in --cert-dir expires (0 when it is missing or unreadable).", nil, nil),
	}
}

func (c *certExpiry) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *certExpiry) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, c.current())
}

func (c *certExpiry) current() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := os.Stat(c.path)
	if err != nil {
		c.modTime, c.expiry = time.Time{}, 0
		return 0
	}
	if st.ModTime().Equal(c.modTime) && st.Size() == c.size {
		return c.expiry
	}
	c.modTime, c.size, c.expiry = st.ModTime(), st.Size(), 0
	data, err := os.ReadFile(c.path)
	if err != nil {
		return 0
	}
	if block, _ := pem.Decode(data); block != nil {
		if leaf, err := x509.ParseCertificate(block.Bytes); err == nil {
			c.expiry = float64(leaf.NotAfter.Unix())
		}
	}
	return c.expiry
}
