package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/gitgate-dev/gitgate/webhook"
)

// serveFlags are the flags of `gitgate serve`.
type serveFlags struct {
	repoFlags
	interval                     time.Duration
	syncUsers, controllerUsers   []string
	certDir, kubeconfig          string
	audit                        auditFlags
	port                         int
	metricsAddr, probeAddr       string
	mode, unknown                string
	merge                        bool
	apply, leaderElect, webhook  bool
	applyInterval, driftInterval time.Duration
	exposureInterval             time.Duration
	leaderNamespace, leaderID    string
	rotateCerts                  bool
	certSecret, webhookConfig    string
	certDNSNames                 []string
	inventory                    string
	guardWebhook                 bool
	pushSecretFile, pushAddr     string
	shutdownDelay                time.Duration
	certIPs                      []net.IP
	certCheckInterval            time.Duration
	limits                       limitFlags
	listen                       listenerFlags
	flux                         fluxFlags
}

func newServeCommand() *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the validating admission webhook for a git repository",
		RunE:  func(cmd *cobra.Command, _ []string) error { return runServe(cmd.Context(), f) },
	}
	fs := cmd.Flags()
	f.repoFlags.bind(fs, "", "main")
	fs.DurationVar(&f.interval, "interval", time.Minute, "how often to poll git for new commits")
	fs.StringVar(&f.pushSecretFile, "push-secret-file", "", "shared secret for push notifications: POST /hooks/git on --push-bind-address, signed like GitHub (X-Hub-Signature-256) or GitLab (X-Gitlab-Token), triggers an immediate fetch")
	fs.IPSliceVar(&f.certIPs, "cert-ip", nil, "IP addresses of the serving certificate (with --rotate-certs)")
	fs.DurationVar(&f.certCheckInterval, "cert-check-interval", time.Hour, "how often to check the serving certificate for renewal (with --rotate-certs)")
	fs.DurationVar(&f.shutdownDelay, "shutdown-delay", 5*time.Second, "on SIGTERM, report not-ready for this long before stopping, so the Service stops sending requests first; in-flight requests are always finished")
	fs.StringVar(&f.pushAddr, "push-bind-address", ":8082", "address of the push notification endpoint (with --push-secret-file)")
	fs.StringArrayVar(&f.syncUsers, "sync-user", nil, "exact username of the sync identity (repeatable; required)")
	fs.StringArrayVar(&f.controllerUsers, "controller-user", nil, "exact username of a further cluster controller, held to git's declared paths (repeatable); kube-controller-manager's identities, the scheduler and kubelets are built in")
	fs.StringVar(&f.certDir, "cert-dir", "/tmp/k8s-webhook-server/serving-certs", "folder with tls.crt and tls.key (reloaded when they change)")
	fs.IntVar(&f.port, "port", 9443, "webhook HTTPS port")
	f.audit.bind(fs)
	fs.StringVar(&f.mode, "mode", webhook.ModeEnforce, "enforce (deny drift), warn (allow with a warning) or audit (allow, audit only)")
	fs.StringVar(&f.unknown, "unknown", "deny", "objects not declared in git, of kinds git manages, in namespaces git governs: deny or allow")
	fs.BoolVar(&f.merge, "merge", false, "allow changes to paths git does not declare (default strict: deny them)")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default: in-cluster, $KUBECONFIG, ~/.kube/config)")
	fs.StringVar(&f.metricsAddr, "metrics-bind-address", ":8443", `metrics address, HTTPS with --metrics-auth ("0" = off)`)
	fs.StringVar(&f.probeAddr, "health-probe-bind-address", ":8081", `health and readiness probe address ("0" = off)`)
	f.listen.bind(fs)
	fs.BoolVar(&f.webhook, "webhook", true, "serve the admission webhook; --webhook=false with --apply runs the applier alone, e.g. under a ServiceAccount of its own that is the sync identity")
	fs.BoolVar(&f.apply, "apply", false, "also apply git's HEAD to the cluster with server-side apply, as this process's identity (the sync identity)")
	fs.DurationVar(&f.applyInterval, "apply-interval", 5*time.Minute, "how often the applier re-applies (self-heal); it also applies on every new commit")
	fs.StringVar(&f.inventory, "inventory", "gitgate-system/gitgate-inventory", "namespace/name of the ConfigMap where the applier records what it applied (for pruning)")
	fs.BoolVar(&f.guardWebhook, "guard-webhook-config", false, "restore --webhook-config (rules, caBundle, failurePolicy, selectors) when it is changed or deleted")
	fs.DurationVar(&f.driftInterval, "drift-interval", 5*time.Minute, "how often to scan live objects for drift (0 = off); it also scans on every new commit")
	fs.DurationVar(&f.exposureInterval, "exposure-interval", 10*time.Minute, "how often to check RBAC for subjects that can act as the sync identity (impersonate it, create its tokens, run pods as it), and for mutating webhooks and policies that match kinds git declares; both are logged and counted (0 = off)")
	fs.BoolVar(&f.leaderElect, "leader-elect", false, "elect one leader (a Lease) for the applier and the drift scan; every replica serves the webhook")
	fs.StringVar(&f.leaderNamespace, "leader-election-namespace", "gitgate-system", "namespace of the leader election Lease")
	fs.StringVar(&f.leaderID, "leader-election-id", "gitgate-leader", "name of the leader election Lease; processes that run different loops (the webhook's drift scan, a separate applier) need different names")
	fs.BoolVar(&f.rotateCerts, "rotate-certs", false, "manage the serving certificate: keep it in --cert-secret, renew it before expiry, write it to --cert-dir and inject the CA into --webhook-config")
	fs.StringVar(&f.certSecret, "cert-secret", "gitgate-system/gitgate-tls", "namespace/name of the Secret holding the CA and serving certificate (with --rotate-certs)")
	fs.StringVar(&f.webhookConfig, "webhook-config", "gitgate", "name of the ValidatingWebhookConfiguration whose caBundle gitgate keeps current (with --rotate-certs)")
	addLimitFlags(fs, &f.limits)
	f.flux.bind(fs)
	fs.StringSliceVar(&f.certDNSNames, "cert-dns-name", []string{"gitgate.gitgate-system.svc", "gitgate.gitgate-system.svc.cluster.local"}, "DNS names of the serving certificate (with --rotate-certs)")
	return cmd
}

func (f *serveFlags) validate() error {
	switch {
	case f.repo == "":
		return fmt.Errorf("--repo is required")
	case len(f.syncUsers) == 0:
		return fmt.Errorf("--sync-user is required")
	case f.unknown != "deny" && f.unknown != "allow":
		return fmt.Errorf("--unknown must be deny or allow, not %q", f.unknown)
	case f.interval <= 0:
		return fmt.Errorf("--interval must be positive")
	case f.apply && f.applyInterval <= 0:
		return fmt.Errorf("--apply-interval must be positive")
	case f.rotateCerts && f.certCheckInterval <= 0:
		return fmt.Errorf("--cert-check-interval must be positive")
	case !f.webhook && !f.apply:
		return fmt.Errorf("--webhook=false needs --apply: there is nothing else to run")
	case !f.webhook && (f.rotateCerts || f.guardWebhook):
		return fmt.Errorf("--rotate-certs and --guard-webhook-config need the webhook (--webhook=false is set)")
	}
	return nil
}

func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig != "" {
		return clientcmd.BuildConfigFromFlags("", kubeconfig)
	}
	return ctrl.GetConfig()
}

func runServe(ctx context.Context, f *serveFlags) error {
	if err := f.validate(); err != nil {
		return err
	}
	log := zap.New()
	ctrl.SetLogger(log)
	ctx = ctrl.LoggerInto(ctx, log)
	cfg, err := restConfig(f.kubeconfig)
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	mgr, err := newManager(cfg, f)
	if err != nil {
		return err
	}
	s, err := wire(ctx, mgr, f)
	if err != nil {
		return err
	}
	s.firstCertPass(ctx)
	s.startChecks(ctx)
	logStart(log, f)
	return mgr.Start(drainOnSignal(ctrl.LoggerInto(context.Background(), log), s.drain, f.shutdownDelay))
}

func newManager(cfg *rest.Config, f *serveFlags) (manager.Manager, error) {
	server, err := webhookServer(f)
	if err != nil {
		return nil, err
	}
	// gitgate's own bounded servers serve metrics and probes (listeners.go).
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Metrics:                 metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:  "0",
		WebhookServer:           server,
		LeaderElection:          f.leaderElect,
		LeaderElectionID:        f.leaderID,
		LeaderElectionNamespace: f.leaderNamespace,
	})
	if err != nil {
		return nil, fmt.Errorf("create manager: %w", err)
	}
	return mgr, nil
}

// drainOnSignal returns a context cancelled shutdownDelay after SIGTERM/SIGINT; in
// between, readiness fails (drain) so endpoints drop gitgate before the webhook
// server stops (which then finishes in-flight requests). A second signal exits at
// once.
func drainOnSignal(ctx context.Context, drain func(), delay time.Duration) context.Context {
	signalled := ctrl.SetupSignalHandler()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		<-signalled.Done()
		drain()
		ctrl.Log.Info("shutting down: not ready, draining", "delay", delay.String())
		time.Sleep(delay)
		cancel()
	}()
	return ctx
}
