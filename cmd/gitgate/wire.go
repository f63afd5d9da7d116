package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/openapi3"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/gitgate-dev/gitgate/certs"
	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/flux"
	"github.com/gitgate-dev/gitgate/gitindex/helm"
	"github.com/gitgate-dev/gitgate/webhook"
	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/revision"
)

// server is what `gitgate serve` wires together: the poller publishes each
// commit's revision to one store, which the webhook and every loop read.
type server struct {
	mgr      manager.Manager
	f        *serveFlags
	store    *revision.Store
	schemas  revision.SchemaSource
	clients  clients
	auditLog *audit.Log
	records  *auditRecorder
	handler  *webhook.Handler // nil with --webhook=false: an applier alone judges nothing
	rotator  *certs.Rotator   // nil without --rotate-certs
	draining atomic.Bool
}

// clients reach the API server outside the manager's cache, through the
// manager's HTTP client (one connection pool) and its lazy RESTMapper.
type clients struct {
	client client.Client // uncached: reads straight from the API server
	disc   *discovery.DiscoveryClient
	kube   kubernetes.Interface
}

func newClients(mgr manager.Manager) (clients, error) {
	cfg, hc := mgr.GetConfig(), mgr.GetHTTPClient()
	c, err := client.New(cfg, client.Options{HTTPClient: hc, Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper()})
	if err != nil {
		return clients{}, fmt.Errorf("create client: %w", err)
	}
	disc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, hc)
	if err != nil {
		return clients{}, fmt.Errorf("create discovery client: %w", err)
	}
	kube, err := kubernetes.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return clients{}, fmt.Errorf("create clientset: %w", err)
	}
	return clients{client: c, disc: disc, kube: kube}, nil
}

// wire builds the server: poller → revision store → webhook and loops, the
// audit log and the probes, all added to mgr.
func wire(ctx context.Context, mgr manager.Manager, f *serveFlags) (*server, error) {
	s := &server{mgr: mgr, f: f, store: &revision.Store{}}
	var err error
	if s.clients, err = newClients(mgr); err != nil {
		return nil, err
	}
	if s.auditLog, err = f.audit.newLog(ctx, s.clients.client); err != nil {
		return nil, err
	}
	s.records = &auditRecorder{log: s.auditLog}
	s.schemas = revision.FromCluster(openapi3.NewRoot(s.clients.disc.OpenAPIV3()))
	if f.webhook {
		if err := s.serveWebhook(ctx); err != nil {
			return nil, err
		}
	}
	runnables, err := s.runnables(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range append(runnables, s.auditLog) {
		if err := mgr.Add(r); err != nil {
			return nil, fmt.Errorf("add runnable: %w", err)
		}
	}
	return s, addListeners(mgr, f, s.ready)
}

// serveWebhook builds the admission handler on the store and registers it.
func (s *server) serveWebhook(ctx context.Context) error {
	metrics, err := webhook.NewMetrics(crmetrics.Registry)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	namespaces, err := newCachedNamespaces(ctx, s.mgr.GetCache())
	if err != nil {
		return err
	}
	kinds := webhook.NewDiscoveryKinds(s.clients.disc)
	s.handler, err = webhook.NewHandler(webhook.Options{
		Revisions:  s.store,
		Namespaces: namespaces,
		Kinds:      kinds,
		Identities: webhook.Identities{SyncUsers: s.f.syncUsers, ControllerUsers: s.f.controllerUsers},
		Mode:       s.f.mode, Merge: s.f.merge, AllowUnknown: s.f.unknown == "allow",
		Auditor: s.auditLog, Metrics: metrics, Events: s.mgr.GetEventRecorder("gitgate"),
	})
	if err != nil {
		return err
	}
	s.mgr.GetWebhookServer().Register("/validate", &crwebhook.Admission{Handler: s.handler})
	if err := crmetrics.Registry.Register(newCertExpiry(s.f.certDir)); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return s.mgr.Add(kinds)
}

// newPoller returns the poller that turns each new commit into a revision.
func (s *server) newPoller() (*gitindex.Poller, error) {
	src, err := s.f.newSource()
	if err != nil {
		return nil, err
	}
	limits, err := s.f.limits.limits()
	if err != nil {
		return nil, err
	}
	render, err := s.f.renderer(flux.ClusterValues{Reader: s.mgr.GetAPIReader()})
	if err != nil {
		return nil, err
	}
	build := gitindex.BuildOptions{Paths: s.f.paths, PolicyPath: s.f.policyPath, DefaultNamespace: s.f.defaultNamespace,
		Scope: mapperScope{s.mgr.GetRESTMapper()}, Limits: limits, Render: render,
		Helm: helm.Options{Values: helm.ClusterValues{Reader: s.mgr.GetAPIReader()}, Charts: &helm.HTTPCharts{}}}
	poller := gitindex.NewPoller(src, build, s.f.interval, func(ctx context.Context, snap *gitindex.Snapshot) error {
		return s.publish(ctx, snap, src.Signer(snap.Commit))
	})
	poller.Log, poller.BuildTimeout = ctrl.Log.WithName("gitindex"), s.f.limits.buildTimeout
	status, err := newStatusMetrics(crmetrics.Registry)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	var notLoaded func(string)
	if s.handler != nil {
		notLoaded = s.handler.NotLoaded
	}
	observe := status.observeFor(notLoaded)
	poller.OnStatus = func(st gitindex.Status) { observe(st); s.records.status(st) }
	return poller, nil
}

// publish builds snap's revision and makes it current: the poller's load step.
// An error rejects the commit; the last good revision keeps serving.
func (s *server) publish(ctx context.Context, snap *gitindex.Snapshot, signer string) error {
	rev, err := revision.New(ctx, snap, s.revisionOptions())
	if err != nil {
		return err
	}
	s.store.Publish(rev)
	s.records.loaded(snap, signer)
	return nil
}

// revisionOptions are how serve builds revisions: custom resources' schemas from
// the API server, desired states reused from the current revision.
func (s *server) revisionOptions() revision.Options {
	return revision.Options{Schemas: s.schemas, Previous: s.store.Current()}
}

// drain makes readiness fail from now on (graceful shutdown).
func (s *server) drain() {
	s.draining.Store(true)
	if s.handler != nil {
		s.handler.Drain()
	}
}

// ready is the readiness check: the webhook's (a revision loaded, with the
// reason when HEAD was rejected), or for an applier alone, a revision loaded.
func (s *server) ready(r *http.Request) error {
	if s.handler != nil {
		return s.handler.Ready(r)
	}
	if s.draining.Load() {
		return errors.New("shutting down")
	}
	if s.store.Current() == nil {
		return errors.New("no git revision loaded yet")
	}
	return nil
}
