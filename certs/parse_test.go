package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	opts := testOptions()
	b := mustGenerate(t, opts, t0)
	other := mustGenerate(t, opts, t0)
	sec1 := sec1Key(t)
	tests := []struct {
		name    string
		b       *Bundle
		wantErr bool
	}{
		{name: "valid", b: b},
		{name: "without CA key", b: &Bundle{CACert: b.CACert, Cert: b.Cert, Key: b.Key}},
		{name: "two CAs, signed by the second", b: &Bundle{CACert: append(other.CACert, b.CACert...), Cert: b.Cert, Key: b.Key}},
		{name: "nil", b: nil, wantErr: true},
		{name: "empty", b: &Bundle{}, wantErr: true},
		{name: "key of another cert", b: &Bundle{CACert: b.CACert, CAKey: b.CAKey, Cert: b.Cert, Key: other.Key}, wantErr: true},
		{name: "cert of another CA", b: &Bundle{CACert: b.CACert, CAKey: b.CAKey, Cert: other.Cert, Key: other.Key}, wantErr: true},
		{name: "CA key of another CA", b: &Bundle{CACert: b.CACert, CAKey: other.CAKey, Cert: b.Cert, Key: b.Key}, wantErr: true},
		{name: "leaf as CA", b: &Bundle{CACert: b.Cert, Cert: b.Cert, Key: b.Key}, wantErr: true},
		{name: "garbage CA", b: &Bundle{CACert: []byte("junk"), Cert: b.Cert, Key: b.Key}, wantErr: true},
		{name: "trailing garbage", b: &Bundle{CACert: append(b.CACert, "junk"...), Cert: b.Cert, Key: b.Key}, wantErr: true},
		{name: "key as cert", b: &Bundle{CACert: b.CACert, Cert: b.Key, Key: b.Key}, wantErr: true},
		{name: "cert as key", b: &Bundle{CACert: b.CACert, Cert: b.Cert, Key: b.Cert}, wantErr: true},
		{name: "unrelated SEC 1 key", b: &Bundle{CACert: b.CACert, Cert: b.Cert, Key: sec1}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			notAfter, err := Parse(tt.b)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse() error = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !notAfter.Equal(t0.Add(DefaultValidity)) {
				t.Errorf("Parse() = %s, want %s", notAfter, t0.Add(DefaultValidity))
			}
		})
	}
}

func TestParseSEC1Key(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	block, _ := pem.Decode(b.Key)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	b.Key = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	if _, err := Parse(b); err != nil {
		t.Errorf("Parse(SEC 1 key) = %v", err)
	}
}

func TestParseCertOutlivingCA(t *testing.T) {
	caOpts := Options{DNSNames: []string{"x"}, CAValidity: 2 * time.Hour, Validity: time.Hour}
	short := mustGenerate(t, caOpts, t0)
	// Sign a 4h certificate with the 2h CA by swapping in its CA after the fact.
	ca := mustCerts(t, short.CACert)[0]
	caKey, err := parseKey(short.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	opts := caOpts
	opts.Validity = 4 * time.Hour
	ca.NotAfter = t0.Add(4 * time.Hour) // newServing clamps to this copy only
	cert, key, err := newServing(ca, caKey, opts.withDefaults(), t0)
	if err != nil {
		t.Fatal(err)
	}
	b := &Bundle{CACert: short.CACert, Cert: cert, Key: key}
	notAfter, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(2 * time.Hour); !notAfter.Equal(want) {
		t.Errorf("Parse() = %s, want the CA's NotAfter %s", notAfter, want)
	}
}

func TestNeedsRenewal(t *testing.T) {
	opts := Options{DNSNames: []string{"x"}, Validity: 3 * time.Hour}
	b := mustGenerate(t, opts, t0)
	// Lifetime is [t0-1m, t0+3h]: 181m, so renewal is due from t0+3h-60m20s.
	due := t0.Add(3*time.Hour - 60*time.Minute - 20*time.Second)
	tests := []struct {
		name string
		b    *Bundle
		now  time.Time
		want bool
	}{
		{name: "fresh", b: b, now: t0, want: false},
		{name: "just before the last third", b: b, now: due.Add(-time.Second), want: false},
		{name: "last third", b: b, now: due, want: true},
		{name: "expired", b: b, now: t0.Add(4 * time.Hour), want: true},
		{name: "invalid", b: &Bundle{}, now: t0, want: true},
		{name: "nil", b: nil, now: t0, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsRenewal(tt.b, tt.now); got != tt.want {
				t.Errorf("NeedsRenewal(%s) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func sec1Key(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}
