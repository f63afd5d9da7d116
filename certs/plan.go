package certs

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// plan returns the bundle that should replace cur (nil when cur is missing)
// and a human-readable reason, empty when cur is fine as it is.
//
// An unusable CA (unparsable, keyless or expired) means starting over with
// Generate. Otherwise the CA is rolled over in its last third (see the
// package documentation), expired earlier CAs are dropped, and the serving
// certificate is renewed when invalid, due, or issued for other names. A
// pass that rolls the CA over renews a still-valid serving certificate only
// on the next pass, so that the new CA is in the caBundle before anything
// served is signed by it.
func plan(cur *Bundle, opts Options, now time.Time) (*Bundle, string, error) {
	if cur == nil {
		b, err := Generate(opts, now)
		return b, "secret is missing", err
	}
	ca, _, err := parseSigningCA(cur)
	if err == nil && !now.Before(ca.NotAfter) {
		err = fmt.Errorf("CA expired at %s", ca.NotAfter.UTC().Format(time.RFC3339))
	}
	if err != nil {
		b, genErr := Generate(opts, now)
		return b, "CA is unusable: " + err.Error(), genErr
	}
	next, reasons, err := planCA(cur, opts, now)
	if err != nil {
		return nil, "", err
	}
	rolled := !bytes.Equal(next.CAKey, cur.CAKey)
	if why, urgent := servingProblem(next, opts, now); why != "" && (urgent || !rolled) {
		if next, err = Renew(next, opts, now); err != nil {
			return nil, "", err
		}
		reasons = append(reasons, why)
	}
	return next, strings.Join(reasons, "; "), nil
}

// planCA rolls the CA in cur over when it is due and drops expired earlier
// CAs. cur's signing CA must be usable.
func planCA(cur *Bundle, opts Options, now time.Time) (*Bundle, []string, error) {
	cas, err := parseCAs(cur.CACert)
	if err != nil {
		return nil, nil, err
	}
	live := slices.DeleteFunc(slices.Clone(cas[1:]), func(c *x509.Certificate) bool {
		return !now.Before(c.NotAfter)
	})
	next := *cur
	var reasons []string
	if !now.Before(renewAt(cas[0].NotBefore, cas[0].NotAfter)) {
		caCert, caKey, err := newCA(opts.withDefaults(), now)
		if err != nil {
			return nil, nil, err
		}
		next.CACert = append(caCert, encodeCerts(ders(slices.Concat(cas[:1], live))...)...)
		next.CAKey = caKey
		return &next, append(reasons, "CA is due for rollover"), nil
	}
	if len(live) < len(cas)-1 {
		next.CACert = encodeCerts(ders(slices.Concat(cas[:1], live))...)
		reasons = append(reasons, "dropped expired CA")
	}
	return &next, reasons, nil
}

// servingProblem says why the serving certificate in b must be renewed, or
// returns "". It is urgent when the certificate is unusable already.
func servingProblem(b *Bundle, opts Options, now time.Time) (why string, urgent bool) {
	p, err := parse(b)
	switch {
	case err != nil:
		return "serving certificate is invalid: " + err.Error(), true
	case !now.Before(p.notAfter()):
		return "serving certificate expired", true
	case NeedsRenewal(b, now):
		return "serving certificate is due for renewal", false
	case !sameNames(p.cert, opts):
		return "serving certificate names differ from the options", false
	}
	return "", false
}

func sameNames(cert *x509.Certificate, opts Options) bool {
	return slices.Equal(sortedNames(cert.DNSNames, cert.IPAddresses), sortedNames(opts.DNSNames, opts.IPs))
}

func sortedNames(dns []string, ips []net.IP) []string {
	names := slices.Clone(dns)
	for _, ip := range ips {
		names = append(names, "ip:"+ip.String())
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func ders(certs []*x509.Certificate) [][]byte {
	out := make([][]byte, len(certs))
	for i, c := range certs {
		out[i] = c.Raw
	}
	return out
}
