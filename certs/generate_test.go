package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// certSummary is what the tests compare of a certificate.
type certSummary struct {
	CommonName, Organization string
	DNSNames, IPs            []string
	NotBefore, NotAfter      time.Time
	IsCA                     bool
	KeyUsage                 x509.KeyUsage
	ExtKeyUsage              []x509.ExtKeyUsage
	Curve                    string
}

func summarize(c *x509.Certificate) certSummary {
	s := certSummary{
		CommonName:  c.Subject.CommonName,
		DNSNames:    c.DNSNames,
		NotBefore:   c.NotBefore,
		NotAfter:    c.NotAfter,
		IsCA:        c.IsCA,
		KeyUsage:    c.KeyUsage,
		ExtKeyUsage: c.ExtKeyUsage,
	}
	if len(c.Subject.Organization) > 0 {
		s.Organization = c.Subject.Organization[0]
	}
	for _, ip := range c.IPAddresses {
		s.IPs = append(s.IPs, ip.String())
	}
	if pub, ok := c.PublicKey.(*ecdsa.PublicKey); ok {
		s.Curve = pub.Curve.Params().Name
	}
	return s
}

func TestGenerate(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	cas := mustCerts(t, b.CACert)
	leaf := mustCerts(t, b.Cert)

	wantCA := certSummary{
		CommonName:   "gitgate webhook CA",
		Organization: "gitgate",
		NotBefore:    t0.Add(-time.Minute),
		NotAfter:     t0.Add(87600 * time.Hour),
		IsCA:         true,
		KeyUsage:     x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		Curve:        elliptic.P256().Params().Name,
	}
	wantLeaf := certSummary{
		CommonName:   "gitgate.gitgate-system.svc",
		Organization: "gitgate",
		DNSNames:     []string{"gitgate.gitgate-system.svc", "gitgate.gitgate-system.svc.cluster.local"},
		IPs:          []string{"127.0.0.1"},
		NotBefore:    t0.Add(-time.Minute),
		NotAfter:     t0.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		Curve:        elliptic.P256().Params().Name,
	}
	if diff := cmp.Diff([]certSummary{wantCA, wantLeaf}, []certSummary{summarize(cas[0]), summarize(leaf[0])}); diff != "" {
		t.Errorf("certificates (-want +got):\n%s", diff)
	}
	if _, err := Parse(b); err != nil {
		t.Errorf("Parse(generated) = %v", err)
	}
}

func TestGenerateOptions(t *testing.T) {
	opts := Options{
		IPs:          []net.IP{net.ParseIP("10.0.0.1")},
		CAValidity:   48 * time.Hour,
		Validity:     24 * time.Hour,
		Organization: "acme",
	}
	b := mustGenerate(t, opts, t0)
	got := []certSummary{summarize(mustCerts(t, b.CACert)[0]), summarize(mustCerts(t, b.Cert)[0])}
	want := []certSummary{
		{CommonName: "acme webhook CA", Organization: "acme", NotAfter: t0.Add(48 * time.Hour)},
		{CommonName: "10.0.0.1", Organization: "acme", IPs: []string{"10.0.0.1"}, NotAfter: t0.Add(24 * time.Hour)},
	}
	pick := func(s certSummary) certSummary {
		return certSummary{CommonName: s.CommonName, Organization: s.Organization, IPs: s.IPs, NotAfter: s.NotAfter}
	}
	if diff := cmp.Diff(want, []certSummary{pick(got[0]), pick(got[1])}); diff != "" {
		t.Errorf("certificates (-want +got):\n%s", diff)
	}
	if _, err := Generate(Options{}, t0); err == nil {
		t.Error("Generate(no names) succeeded, want error")
	}
}

func TestRenew(t *testing.T) {
	opts := testOptions()
	b := mustGenerate(t, opts, t0)
	later := t0.Add(300 * 24 * time.Hour)
	r, err := Renew(b, opts, later)
	if err != nil {
		t.Fatalf("Renew: %v", err)
	}
	if !bytes.Equal(r.CACert, b.CACert) || !bytes.Equal(r.CAKey, b.CAKey) {
		t.Error("Renew changed the CA")
	}
	if bytes.Equal(r.Cert, b.Cert) || bytes.Equal(r.Key, b.Key) {
		t.Error("Renew kept the serving certificate or key")
	}
	notAfter, err := Parse(r)
	if err != nil {
		t.Fatalf("Parse(renewed): %v", err)
	}
	if want := later.Add(DefaultValidity); !notAfter.Equal(want) {
		t.Errorf("renewed NotAfter = %s, want %s", notAfter, want)
	}
}

func TestRenewClampsToCA(t *testing.T) {
	opts := Options{DNSNames: []string{"x"}, CAValidity: 10 * time.Hour, Validity: 4 * time.Hour}
	b := mustGenerate(t, opts, t0)
	r, err := Renew(b, opts, t0.Add(8*time.Hour))
	if err != nil {
		t.Fatalf("Renew: %v", err)
	}
	if got, want := mustCerts(t, r.Cert)[0].NotAfter, t0.Add(10*time.Hour); !got.Equal(want) {
		t.Errorf("NotAfter = %s, want the CA's %s", got, want)
	}
}

func TestRenewErrors(t *testing.T) {
	opts := testOptions()
	b := mustGenerate(t, opts, t0)
	other := mustGenerate(t, opts, t0)
	tests := []struct {
		name string
		b    *Bundle
		now  time.Time
	}{
		{name: "nil", b: nil, now: t0},
		{name: "no CA key", b: &Bundle{CACert: b.CACert}, now: t0},
		{name: "mismatched CA key", b: &Bundle{CACert: b.CACert, CAKey: other.CAKey}, now: t0},
		{name: "garbage CA", b: &Bundle{CACert: []byte("junk"), CAKey: b.CAKey}, now: t0},
		{name: "CA expired", b: b, now: t0.Add(DefaultCAValidity)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Renew(tt.b, opts, tt.now); err == nil {
				t.Error("Renew succeeded, want error")
			}
		})
	}
}

func TestCommonNameTooLong(t *testing.T) {
	long := string(bytes.Repeat([]byte("a"), 60)) + ".svc"
	b := mustGenerate(t, Options{DNSNames: []string{long + "x"}}, t0)
	if cn := mustCerts(t, b.Cert)[0].Subject.CommonName; cn != "" {
		t.Errorf("CommonName = %q, want empty for a name over 64 characters", cn)
	}
}
