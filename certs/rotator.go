package certs

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// Default values used when the corresponding Rotator field is zero.
const (
	DefaultInterval      = time.Hour
	DefaultRetryInterval = 10 * time.Second
)

// Rotator keeps the serving-certificate Secret, the cert directory and the
// webhook configuration's caBundle current. Start it with a manager (on
// every replica) after one synchronous Reconcile; see the package
// documentation for the client it needs.
type Rotator struct {
	// Client reads and writes the Secret and the webhook configuration. It
	// must not read from the manager's cache. Required.
	Client client.Client

	// Namespace and SecretName name the kubernetes.io/tls Secret holding
	// the bundle, CA key included. Required.
	Namespace, SecretName string

	// CertDir is the webhook server's cert directory. Required.
	CertDir string

	// WebhookConfigName is the ValidatingWebhookConfiguration whose webhooks
	// get the CA bundle. Empty skips the injection.
	WebhookConfigName string

	// Options describe the certificates to issue.
	Options Options

	// Interval is the time between passes. Defaults to DefaultInterval.
	Interval time.Duration

	// RetryInterval is the time before the next pass after a failed one, so
	// that, e.g., a webhook configuration applied after gitgate started gets
	// its bundle soon. Defaults to DefaultRetryInterval.
	RetryInterval time.Duration

	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
}

// Start runs Reconcile now and then every Interval (RetryInterval after a
// failure) until ctx is done. Failures are logged and retried; only an
// invalid configuration ends it with an error. It implements
// manager.Runnable.
func (r *Rotator) Start(ctx context.Context) error {
	if err := r.validate(); err != nil {
		return err
	}
	logger := logf.FromContext(ctx).WithName("certs")
	ctx = logf.IntoContext(ctx, logger)
	for {
		wait := r.interval()
		if err := r.Reconcile(ctx); err != nil && ctx.Err() == nil {
			wait = r.retryInterval()
			logger.Error(err, "certificate rotation failed; retrying", "retryIn", wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// NeedLeaderElection returns false: every replica serves the webhook and so
// needs its own cert directory kept current. It implements
// manager.LeaderElectionRunnable.
func (r *Rotator) NeedLeaderElection() bool { return false }

// Reconcile makes one pass: it loads the Secret (creating it if missing),
// updates it if the bundle needs a change, writes the cert directory if its
// content differs, and injects the CA bundle. The directory and the
// injection are both attempted even if the other fails.
func (r *Rotator) Reconcile(ctx context.Context) error {
	if err := r.validate(); err != nil {
		return err
	}
	logger := logf.FromContext(ctx)
	b, err := r.syncSecret(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if wrote, err := syncDir(r.CertDir, b, false); err != nil {
		errs = append(errs, err)
	} else if wrote {
		notAfter, _ := Parse(b)
		logger.Info("wrote serving certificate", "dir", r.CertDir, "notAfter", notAfter)
	}
	if r.WebhookConfigName != "" {
		changed, err := InjectCABundle(ctx, r.Client, r.WebhookConfigName, b.CACert)
		if err != nil {
			errs = append(errs, err)
		} else if changed {
			logger.Info("injected CA bundle", "webhookConfiguration", r.WebhookConfigName)
		}
	}
	return errors.Join(errs...)
}

// syncSecret brings the Secret up to date and returns its bundle. Replicas
// racing to create or renew it converge: the loser re-reads the winner's
// Secret, which then needs no change.
func (r *Rotator) syncSecret(ctx context.Context) (*Bundle, error) {
	var b *Bundle
	raced := func(err error) bool { return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) }
	err := retry.OnError(retry.DefaultRetry, raced, func() error {
		var err error
		b, err = r.syncSecretOnce(ctx)
		return err
	})
	return b, err
}

func (r *Rotator) syncSecretOnce(ctx context.Context) (*Bundle, error) {
	key := client.ObjectKey{Namespace: r.Namespace, Name: r.SecretName}
	s := &corev1.Secret{}
	var cur *Bundle
	switch err := r.Client.Get(ctx, key, s); {
	case apierrors.IsNotFound(err):
		s = nil
	case err != nil:
		return nil, fmt.Errorf("get secret %s: %w", key, err)
	default:
		cur = bundleFromData(s.Data)
	}
	next, reason, err := plan(cur, r.Options, r.now())
	if err != nil {
		return nil, fmt.Errorf("update secret %s: %w", key, err)
	}
	if reason == "" {
		return cur, nil
	}
	logf.FromContext(ctx).Info("updating serving certificate secret", "secret", key, "reason", reason)
	if s == nil {
		if err := r.Client.Create(ctx, ToSecret(r.Namespace, r.SecretName, next)); err != nil {
			return nil, fmt.Errorf("create secret %s: %w", key, err)
		}
		return next, nil
	}
	setSecretData(s, next)
	if err := r.Client.Update(ctx, s); err != nil {
		return nil, fmt.Errorf("update secret %s: %w", key, err)
	}
	return next, nil
}

func (r *Rotator) validate() error {
	var errs []error
	if r.Client == nil {
		errs = append(errs, errors.New("client is required"))
	}
	for _, f := range [][2]string{{"namespace", r.Namespace}, {"secret name", r.SecretName}, {"cert dir", r.CertDir}} {
		if f[1] == "" {
			errs = append(errs, fmt.Errorf("%s is required", f[0]))
		}
	}
	if r.Interval < 0 || r.RetryInterval < 0 {
		errs = append(errs, errors.New("intervals must not be negative"))
	}
	errs = append(errs, r.Options.Validate())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid certificate rotator: %w", err)
	}
	return nil
}

func (r *Rotator) interval() time.Duration {
	return orDefault(r.Interval, DefaultInterval)
}

func (r *Rotator) retryInterval() time.Duration {
	return orDefault(r.RetryInterval, DefaultRetryInterval)
}

func (r *Rotator) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
