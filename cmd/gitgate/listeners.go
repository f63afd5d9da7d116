package main

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"

	"github.com/gitgate-dev/gitgate/gitindex/source"
	"github.com/gitgate-dev/gitgate/webhook/serving"
)

// listenerFlags bound the webhook, push, metrics and probe listeners.
type listenerFlags struct {
	metricsAuth          bool
	webhookMaxConns      int
	webhookReadTimeout   time.Duration
	webhookInflightBytes int64
	pushReplayWindow     time.Duration
}

func (l *listenerFlags) bind(fs *pflag.FlagSet) {
	def := serving.WebhookOptions("", "")
	fs.BoolVar(&l.metricsAuth, "metrics-auth", true, "serve metrics over HTTPS (the --cert-dir certificate, else a self-signed one) only to clients whose bearer token may get the /metrics URL (TokenReview + SubjectAccessReview, e.g. the gitgate-metrics-reader ClusterRole); false serves plain HTTP to anyone")
	fs.IntVar(&l.webhookMaxConns, "webhook-max-connections", def.MaxConns, "open connections the webhook server holds; more are closed at once")
	fs.DurationVar(&l.webhookReadTimeout, "webhook-read-timeout", def.ReadTimeout, "time to read one admission request, body included")
	fs.Int64Var(&l.webhookInflightBytes, "webhook-inflight-body-bytes", def.BodyBudgetBytes, "bytes of admission requests over 64 KiB read at once; a request that finds none free within 2s is answered 503")
	fs.DurationVar(&l.pushReplayWindow, "push-replay-window", source.DefaultPushOptions().ReplayWindow, "a push notification delivered again within this window (same delivery id or signature) is answered 409")
}

// webhookServer is the admission webhook's bounded HTTPS server.
func webhookServer(f *serveFlags) (*serving.Webhook, error) {
	m, err := serving.NewMetrics(crmetrics.Registry)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	opts := serving.WebhookOptions(net.JoinHostPort("", fmt.Sprint(f.port)), f.certDir)
	opts.MaxConns, opts.ReadTimeout, opts.BodyBudgetBytes = f.listen.webhookMaxConns, f.listen.webhookReadTimeout, f.listen.webhookInflightBytes
	opts.Metrics = m
	return serving.NewWebhook(opts)
}

// addListeners adds the metrics and probe servers to mgr: liveness, and readiness
// once a revision is loaded and the webhook server serves.
func addListeners(mgr manager.Manager, f *serveFlags, ready healthz.Checker) error {
	probes := serving.NewProbes()
	probes.AddLive("ping", healthz.Ping)
	probes.AddReady("revision", ready)
	if f.webhook {
		probes.AddReady("webhook", mgr.GetWebhookServer().StartedChecker())
	}
	servers, err := listeners(mgr.GetConfig(), f, probes)
	if err != nil {
		return err
	}
	for _, s := range servers {
		if err := mgr.Add(s); err != nil {
			return err
		}
	}
	return nil
}

// listeners returns the metrics and probe servers ("0" turns either off).
func listeners(cfg *rest.Config, f *serveFlags, probes *serving.Probes) ([]manager.Runnable, error) {
	m, err := serving.NewMetrics(crmetrics.Registry)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	var out []manager.Runnable
	if f.metricsAddr != "0" {
		s, err := metricsServer(cfg, f, m)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if f.probeAddr != "0" {
		opts := serving.ProbeOptions(f.probeAddr)
		opts.Metrics = m
		s, err := serving.New(opts, probes.Handler())
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// metricsServer serves the controller-runtime registry on /metrics, behind
// TokenReview and SubjectAccessReview with --metrics-auth.
func metricsServer(cfg *rest.Config, f *serveFlags, m *serving.Metrics) (*serving.Server, error) {
	var h http.Handler = promhttp.HandlerFor(crmetrics.Registry, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError})
	opts := serving.MetricsOptions(f.metricsAddr, f.certDir)
	opts.Metrics = m
	if f.listen.metricsAuth {
		client, err := rest.HTTPClientFor(cfg)
		if err != nil {
			return nil, fmt.Errorf("metrics authentication client: %w", err)
		}
		filter, err := filters.WithAuthenticationAndAuthorization(cfg, client)
		if err != nil {
			return nil, fmt.Errorf("metrics authentication: %w", err)
		}
		if h, err = filter(ctrl.Log.WithName("metrics"), h); err != nil {
			return nil, fmt.Errorf("metrics authentication: %w", err)
		}
	} else {
		opts.CertDir, opts.SelfSigned = "", false
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	return serving.New(opts, mux)
}

// pushHandlerOptions are the push endpoint's bounds.
func (l *listenerFlags) pushHandlerOptions() source.PushOptions {
	o := source.DefaultPushOptions()
	o.ReplayWindow = l.pushReplayWindow
	return o
}
