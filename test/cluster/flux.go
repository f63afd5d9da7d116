package cluster

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Flux's namespace and the identity kustomize-controller runs as, as Flux installs it.
const (
	FluxNamespace      = "flux-system"
	FluxServiceAccount = "kustomize-controller"
	FluxUser           = "system:serviceaccount:" + FluxNamespace + ":" + FluxServiceAccount
)

// Flux is Flux's kustomize-controller (built by test/fluxtools/build.sh) running
// beside the control plane as ServiceAccount flux-system:kustomize-controller,
// bound to cluster-admin as Flux's own install binds it ("cluster-reconciler").
// Source holds source-controller's part: the artifacts it would serve.
type Flux struct {
	// Kubeconfig is the controller's token kubeconfig.
	Kubeconfig string
	Source     *ArtifactServer
	HealthPort int
	cmd        *exec.Cmd
	log        *os.File
	exited     chan struct{} // closed when the process has ended
}

// StartFlux installs Flux's CRDs (read from test/fluxtools' module cache), the
// controller's namespace, ServiceAccount and RBAC, starts the artifact server
// and kustomize-controller, and waits until the controller is ready.
func (cp *ControlPlane) StartFlux(ctx context.Context) (*Flux, error) {
	bin := filepath.Join(cp.BinDir, "kustomize-controller")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("kustomize-controller missing in %s: run `make tools` (test/fluxtools/build.sh) first", cp.BinDir)
	}
	if err := cp.installFluxCRDs(); err != nil {
		return nil, err
	}
	token, err := cp.fluxIdentity(ctx)
	if err != nil {
		return nil, err
	}
	f := &Flux{Kubeconfig: filepath.Join(cp.Dir, "flux.kubeconfig")}
	if err := os.WriteFile(f.Kubeconfig, cp.tokenKubeconfig(token), 0o600); err != nil {
		return nil, fmt.Errorf("write flux kubeconfig: %w", err)
	}
	if f.Source, err = StartArtifactServer(filepath.Join(cp.Dir, "flux-artifacts")); err != nil {
		return nil, err
	}
	if err := f.run(bin, filepath.Join(cp.Dir, "kustomize-controller.log")); err != nil {
		f.Source.Close()
		return nil, err
	}
	if err := f.waitReady(60 * time.Second); err != nil {
		f.Stop()
		return nil, err
	}
	return f, nil
}

func (cp *ControlPlane) installFluxCRDs() error {
	paths, err := FluxCRDPaths()
	if err != nil {
		return err
	}
	if _, err := envtest.InstallCRDs(cp.Env.Config, envtest.CRDInstallOptions{Paths: paths, ErrorIfPathMissing: true}); err != nil {
		return fmt.Errorf("install flux CRDs: %w", err)
	}
	return nil
}

// fluxIdentity creates flux-system, the controller's ServiceAccount and its
// binding to cluster-admin, and returns a token of the ServiceAccount.
func (cp *ControlPlane) fluxIdentity(ctx context.Context) (string, error) {
	ns := &corev1.Namespace{}
	ns.Name = FluxNamespace
	sa := &corev1.ServiceAccount{}
	sa.Namespace, sa.Name = FluxNamespace, FluxServiceAccount
	binding := &rbacv1.ClusterRoleBinding{
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: FluxNamespace, Name: FluxServiceAccount}},
	}
	binding.Name = "cluster-reconciler-" + FluxNamespace
	for _, obj := range []client.Object{ns, sa, binding} {
		if err := cp.Client.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) {
			return "", fmt.Errorf("create %T %s: %w", obj, obj.GetName(), err)
		}
	}
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(24 * 3600))}}
	if err := cp.Client.SubResource("token").Create(ctx, sa, tr); err != nil {
		return "", fmt.Errorf("request a token of %s: %w", FluxUser, err)
	}
	return tr.Status.Token, nil
}

// tokenKubeconfig is a kubeconfig for the API server with a bearer token.
func (cp *ControlPlane) tokenKubeconfig(token string) []byte {
	return fmt.Appendf(nil, `apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: %q, certificate-authority-data: %q}}]
users: [{name: sa, user: {token: %q}}]
contexts: [{name: e2e, context: {cluster: e2e, user: sa}}]
current-context: e2e
`, cp.Config.Host, encodeBase64(cp.Config.CAData), token)
}

func (f *Flux) run(bin, logPath string) error {
	var err error
	if f.HealthPort, err = FreePort(); err != nil {
		return err
	}
	if f.log, err = os.Create(logPath); err != nil {
		return err
	}
	f.cmd = exec.Command(bin, "--metrics-addr=0", "--health-addr=127.0.0.1:"+strconv.Itoa(f.HealthPort),
		"--enable-leader-election=false", "--watch-all-namespaces=true", "--requeue-dependency=2s",
		"--log-encoding=json", "--log-level=info")
	f.cmd.Env = append(os.Environ(), "KUBECONFIG="+f.Kubeconfig, "RUNTIME_NAMESPACE="+FluxNamespace)
	f.cmd.Stdout, f.cmd.Stderr = f.log, f.log
	if err := f.cmd.Start(); err != nil {
		f.log.Close()
		return fmt.Errorf("start kustomize-controller: %w", err)
	}
	f.exited = make(chan struct{})
	go func() { _ = f.cmd.Wait(); f.log.Close(); close(f.exited) }()
	return nil
}

func (f *Flux) waitReady(timeout time.Duration) error {
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", f.HealthPort)
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-f.exited:
			return fmt.Errorf("kustomize-controller exited (log: %s)", f.log.Name())
		default:
		}
	}
	return fmt.Errorf("kustomize-controller not ready after %s (log: %s)", timeout, f.log.Name())
}

// Stop ends kustomize-controller and the artifact server.
func (f *Flux) Stop() {
	if f.exited != nil {
		_ = f.cmd.Process.Signal(os.Interrupt)
		select {
		case <-f.exited:
		case <-time.After(10 * time.Second):
			_ = f.cmd.Process.Kill()
			<-f.exited
		}
	}
	if f.Source != nil {
		f.Source.Close()
	}
}
