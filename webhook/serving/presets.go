package serving

import "time"

// MaxAdmissionReviewBytes is the largest AdmissionReview accepted: the API server's
// own limit on what it sends a webhook (two objects of at most 3 MiB each and the
// request around them), also controller-runtime's.
const MaxAdmissionReviewBytes = 7 << 20

// WebhookOptions bound the admission webhook's HTTPS server. Its clients are the
// API servers, which wait at most 30 s (the largest webhook timeout) and send
// bodies up to MaxAdmissionReviewBytes; almost all are a few KiB. At most 32 MiB
// of larger bodies are read at once (four of the largest), so stalled senders of
// large bodies cannot add up to the pod's memory limit.
func WebhookOptions(addr, certDir string) Options {
	return Options{
		Name: "webhook", Addr: addr, CertDir: certDir,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 90 * time.Second,
		MaxConns: 256, MaxBodyBytes: MaxAdmissionReviewBytes, BodyBudgetBytes: 32 << 20,
		BudgetWait: 2 * time.Second,
	}
}

// PushOptions bound the push notification endpoint: git hosts send a notification
// per push, a few KiB (a push of many commits some hundred KiB), from a few
// addresses; nothing is read before the body's size is known to fit.
func PushOptions(addr string) Options {
	return Options{
		Name: "push", Addr: addr,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second,
		MaxConns: 64, MaxConnsPerIP: 8, MaxBodyBytes: 1 << 20, BodyBudgetBytes: 4 << 20,
		BudgetWait: time.Second,
	}
}

// MetricsOptions bound the metrics server: GET requests without a body from a few
// scrapers, answered after a TokenReview and a SubjectAccessReview (cached).
func MetricsOptions(addr, certDir string) Options {
	return Options{
		Name: "metrics", Addr: addr, CertDir: certDir, SelfSigned: true,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 90 * time.Second,
		MaxConns: 32, MaxConnsPerIP: 8, MaxBodyBytes: 4 << 10, BodyBudgetBytes: 32 << 10,
	}
}

// ProbeOptions bound the health probe server: the kubelet's GET requests, one
// connection per probe.
func ProbeOptions(addr string) Options {
	return Options{
		Name: "probes", Addr: addr,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 30 * time.Second,
		MaxConns: 32, MaxConnsPerIP: 8, MaxBodyBytes: 4 << 10, BodyBudgetBytes: 32 << 10,
	}
}
