package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Bundle is a CA plus a serving certificate, PEM encoded.
//
// CACert may hold several certificates: the first is the CA that signs new
// serving certificates (CAKey is its key); the rest are earlier CAs kept
// trusted until they expire (see the package documentation).
type Bundle struct {
	CACert, CAKey, Cert, Key []byte
}

// backdate is how far NotBefore lies in the past, so that a peer whose clock
// is slightly behind ours accepts a fresh certificate.
const backdate = time.Minute

// Generate creates a new ECDSA P-256 CA and a serving certificate signed by it.
func Generate(opts Options, now time.Time) (*Bundle, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	caCert, caKey, err := newCA(opts, now)
	if err != nil {
		return nil, err
	}
	b := &Bundle{CACert: caCert, CAKey: caKey}
	return Renew(b, opts, now)
}

// Renew issues a new serving certificate from the CA in b, which it keeps.
// The certificate expires after opts.Validity or with its CA, whichever
// comes first.
func Renew(b *Bundle, opts Options, now time.Time) (*Bundle, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	ca, caKey, err := parseSigningCA(b)
	if err != nil {
		return nil, fmt.Errorf("renew serving certificate: %w", err)
	}
	if !now.Before(ca.NotAfter) {
		return nil, fmt.Errorf("renew serving certificate: CA expired at %s", ca.NotAfter.UTC().Format(time.RFC3339))
	}
	cert, key, err := newServing(ca, caKey, opts, now)
	if err != nil {
		return nil, err
	}
	return &Bundle{
		CACert: clone(b.CACert),
		CAKey:  clone(b.CAKey),
		Cert:   cert,
		Key:    key,
	}, nil
}

func newCA(opts Options, now time.Time) (certPEM, keyPEM []byte, err error) {
	tmpl := &x509.Certificate{
		Subject: pkix.Name{
			CommonName:   opts.Organization + " webhook CA",
			Organization: []string{opts.Organization},
		},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(opts.CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	certPEM, keyPEM, err = sign(tmpl, nil, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA: %w", err)
	}
	return certPEM, keyPEM, nil
}

func newServing(ca *x509.Certificate, caKey crypto.Signer, opts Options, now time.Time) (certPEM, keyPEM []byte, err error) {
	notAfter := now.Add(opts.Validity)
	if ca.NotAfter.Before(notAfter) {
		notAfter = ca.NotAfter
	}
	tmpl := &x509.Certificate{
		Subject: pkix.Name{
			CommonName:   commonName(opts),
			Organization: []string{opts.Organization},
		},
		DNSNames:              opts.DNSNames,
		IPAddresses:           opts.IPs,
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	certPEM, keyPEM, err = sign(tmpl, ca, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("create serving certificate: %w", err)
	}
	return certPEM, keyPEM, nil
}

// commonName is informational only (verifiers use the SANs); RFC 5280 caps
// it at 64 characters, so a longer name is left out.
func commonName(opts Options) string {
	name := ""
	if len(opts.DNSNames) > 0 {
		name = opts.DNSNames[0]
	} else if len(opts.IPs) > 0 {
		name = opts.IPs[0].String()
	}
	if len(name) > 64 {
		return ""
	}
	return name
}

// sign creates a P-256 key and a certificate for tmpl signed by parent, or
// self-signed when parent is nil.
func sign(tmpl, parent *x509.Certificate, parentKey crypto.Signer) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, fmt.Errorf("generate serial number: %w", err)
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode key: %w", err)
	}
	return encodeCerts(der), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

func encodeCerts(ders ...[]byte) []byte {
	var out []byte
	for _, der := range ders {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	return out
}

// parseSigningCA returns the first CA in b and its key, which must match.
func parseSigningCA(b *Bundle) (*x509.Certificate, crypto.Signer, error) {
	if b == nil {
		return nil, nil, errors.New("bundle is nil")
	}
	cas, err := parseCAs(b.CACert)
	if err != nil {
		return nil, nil, err
	}
	if len(b.CAKey) == 0 {
		return nil, nil, errors.New("CA key is missing")
	}
	key, err := parseKey(b.CAKey)
	if err != nil {
		return nil, nil, fmt.Errorf("parse CA key: %w", err)
	}
	if !keyMatches(key, cas[0]) {
		return nil, nil, errors.New("CA key does not match CA certificate")
	}
	return cas[0], key, nil
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
