package certs

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Default values used when the corresponding Options field is zero.
const (
	DefaultCAValidity   = 10 * 365 * 24 * time.Hour // 87600h
	DefaultValidity     = 365 * 24 * time.Hour
	DefaultOrganization = "gitgate"
)

// Options describe the certificates Generate and Renew issue.
type Options struct {
	// DNSNames are the serving certificate's DNS SANs, e.g.
	// gitgate.gitgate-system.svc and gitgate.gitgate-system.svc.cluster.local.
	// At least one DNS name or IP is required.
	DNSNames []string

	// IPs are the serving certificate's IP SANs, e.g. 127.0.0.1 in tests.
	IPs []net.IP

	// CAValidity is the lifetime of a new CA. Defaults to DefaultCAValidity.
	CAValidity time.Duration

	// Validity is the lifetime of a serving certificate. It never outlives
	// its CA. Defaults to DefaultValidity.
	Validity time.Duration

	// Organization is the subject organization of both certificates.
	// Defaults to DefaultOrganization.
	Organization string
}

// Validate reports options that cannot produce a usable certificate.
func (o Options) Validate() error {
	var errs []error
	if len(o.DNSNames) == 0 && len(o.IPs) == 0 {
		errs = append(errs, errors.New("at least one DNS name or IP is required"))
	}
	for i, n := range o.DNSNames {
		if n == "" {
			errs = append(errs, fmt.Errorf("DNS name %d is empty", i))
		}
	}
	for i, ip := range o.IPs {
		if ip.To16() == nil {
			errs = append(errs, fmt.Errorf("IP %d is invalid", i))
		}
	}
	if o.CAValidity < 0 {
		errs = append(errs, fmt.Errorf("CA validity %s is negative", o.CAValidity))
	}
	if o.Validity < 0 {
		errs = append(errs, fmt.Errorf("validity %s is negative", o.Validity))
	}
	if d := o.withDefaults(); d.Validity > d.CAValidity {
		errs = append(errs, fmt.Errorf("validity %s exceeds CA validity %s", d.Validity, d.CAValidity))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid certificate options: %w", err)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.CAValidity == 0 {
		o.CAValidity = DefaultCAValidity
	}
	if o.Validity == 0 {
		o.Validity = DefaultValidity
	}
	if o.Organization == "" {
		o.Organization = DefaultOrganization
	}
	return o
}
