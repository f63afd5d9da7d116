package certs

import (
	"bytes"
	"context"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// InjectCABundle sets caPEM as the caBundle of every webhook of the named
// ValidatingWebhookConfiguration. It writes only when some webhook's bundle
// differs, so that a periodic call causes no churn, retries on conflicts
// with other writers, and reports whether it changed the configuration.
func InjectCABundle(ctx context.Context, c client.Client, webhookConfigName string, caPEM []byte) (bool, error) {
	if _, err := parseCAs(caPEM); err != nil {
		return false, fmt.Errorf("inject CA bundle into %s: %w", webhookConfigName, err)
	}
	changed := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		changed = false
		var cfg admissionregistrationv1.ValidatingWebhookConfiguration
		if err := c.Get(ctx, client.ObjectKey{Name: webhookConfigName}, &cfg); err != nil {
			return err
		}
		for i := range cfg.Webhooks {
			cc := &cfg.Webhooks[i].ClientConfig
			if !bytes.Equal(cc.CABundle, caPEM) {
				cc.CABundle = clone(caPEM)
				changed = true
			}
		}
		if !changed {
			return nil
		}
		return c.Update(ctx, &cfg)
	})
	if err != nil {
		return false, fmt.Errorf("inject CA bundle into %s: %w", webhookConfigName, err)
	}
	return changed, nil
}
