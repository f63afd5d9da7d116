package certs

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// parsed is a Bundle whose parts have been decoded and checked against each
// other.
type parsed struct {
	cas    []*x509.Certificate // cas[0] signs new certificates
	cert   *x509.Certificate   // the serving certificate
	signer *x509.Certificate   // the CA in cas that signed cert
}

// Parse checks that b is consistent (the serving certificate is signed by a
// CA in b.CACert, its key matches it, and b.CAKey, when present, matches the
// first CA) and returns when the serving certificate stops being usable: its
// NotAfter, or its CA's if that comes first.
//
// Parse does not compare with the current time: an expired bundle parses.
func Parse(b *Bundle) (notAfter time.Time, err error) {
	p, err := parse(b)
	if err != nil {
		return time.Time{}, err
	}
	return p.notAfter(), nil
}

// NeedsRenewal reports whether the serving certificate in b is in the last
// third of its usable lifetime (see Parse), expired, or invalid.
func NeedsRenewal(b *Bundle, now time.Time) bool {
	p, err := parse(b)
	if err != nil {
		return true
	}
	return !now.Before(renewAt(p.cert.NotBefore, p.notAfter()))
}

// renewAt is the start of the last third of [notBefore, notAfter].
func renewAt(notBefore, notAfter time.Time) time.Time {
	return notAfter.Add(-notAfter.Sub(notBefore) / 3)
}

func (p *parsed) notAfter() time.Time {
	if p.signer.NotAfter.Before(p.cert.NotAfter) {
		return p.signer.NotAfter
	}
	return p.cert.NotAfter
}

func parse(b *Bundle) (*parsed, error) {
	if b == nil {
		return nil, errors.New("parse bundle: bundle is nil")
	}
	p, err := parseParts(b)
	if err != nil {
		return nil, fmt.Errorf("parse bundle: %w", err)
	}
	return p, nil
}

func parseParts(b *Bundle) (*parsed, error) {
	cas, err := parseCAs(b.CACert)
	if err != nil {
		return nil, err
	}
	if len(b.CAKey) > 0 {
		if _, _, err := parseSigningCA(b); err != nil {
			return nil, err
		}
	}
	certs, err := parseCerts(b.Cert)
	if err != nil {
		return nil, fmt.Errorf("serving certificate: %w", err)
	}
	key, err := parseKey(b.Key)
	if err != nil {
		return nil, fmt.Errorf("serving key: %w", err)
	}
	if !keyMatches(key, certs[0]) {
		return nil, errors.New("serving key does not match serving certificate")
	}
	for _, ca := range cas {
		if certs[0].CheckSignatureFrom(ca) == nil {
			return &parsed{cas: cas, cert: certs[0], signer: ca}, nil
		}
	}
	return nil, errors.New("serving certificate is not signed by the CA")
}

func parseCAs(data []byte) ([]*x509.Certificate, error) {
	cas, err := parseCerts(data)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	for i, ca := range cas {
		if !ca.IsCA {
			return nil, fmt.Errorf("CA certificate %d is not a CA", i)
		}
	}
	return cas, nil
}

// parseCerts decodes one or more PEM certificates.
func parseCerts(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("unexpected PEM block %q", block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		certs = append(certs, cert)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("data that is not PEM")
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM certificate")
	}
	return certs, nil
}

// parseKey decodes a PEM private key in PKCS#8, SEC 1 or PKCS#1 form, so
// that a bundle made by other tools is accepted too.
func parseKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM private key")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("unexpected PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("private key of type %T cannot sign", key)
	}
	return signer, nil
}

func keyMatches(key crypto.Signer, cert *x509.Certificate) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}
