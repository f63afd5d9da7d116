package cluster

import (
	"context"
	"errors"

	"fmt"
	"github.com/go-logr/logr"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// Usernames of the test identities.
const (
	AdminUser = "alice"
	SyncUser  = "system:serviceaccount:gitgate-system:gitgate-applier"
	KCMUser   = "system:kube-controller-manager"
)

// ControlPlane is a running etcd + kube-apiserver + kube-controller-manager.
type ControlPlane struct {
	Env *envtest.Environment
	// Dir holds kubeconfigs and logs.
	Dir string
	// BinDir holds the pinned binaries (kubectl among them).
	BinDir string
	// Admin and Sync are kubeconfig paths of a human admin (system:masters) and the
	// sync identity; Config is the admin's REST config.
	Admin, Sync string
	Config      *rest.Config
	Client      client.Client
	// MetricsToken is a bearer token that may read gitgate's metrics (the
	// shipped gitgate-metrics-reader rules).
	MetricsToken string

	kcm       *exec.Cmd
	kcmConfig string // its kubeconfig
}

// RepoRoot returns the repository root (the folder holding go.mod).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// BinDir returns the folder with the pinned control-plane binaries
// ($GITGATE_TEST_BIN or test/bin, built by test/tools/build.sh).
func BinDir() string {
	if d := os.Getenv("GITGATE_TEST_BIN"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(), "test", "bin")
}

// Start starts the control plane; dir receives kubeconfigs and logs.
func Start(dir string) (*ControlPlane, error) {
	ctrllog.SetLogger(logr.Discard()) // envtest's own logging; failures come back as errors
	bin := BinDir()
	for _, b := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kubectl"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			return nil, fmt.Errorf("%s missing in %s: run `make tools` (test/tools/build.sh) first", b, bin)
		}
	}
	cp := &ControlPlane{Dir: dir, BinDir: bin, Env: &envtest.Environment{
		BinaryAssetsDirectory:    bin,
		ControlPlaneStartTimeout: 60 * time.Second,
		ControlPlaneStopTimeout:  30 * time.Second,
	}}
	cfg, err := cp.Env.Start()
	if err != nil {
		return nil, fmt.Errorf("start control plane: %w", err)
	}
	if err := cp.setup(cfg); err != nil {
		return nil, errors.Join(err, cp.Stop())
	}
	return cp, nil
}

func (cp *ControlPlane) setup(base *rest.Config) error {
	var err error
	if cp.Admin, cp.Config, err = cp.addUser(AdminUser, base); err != nil {
		return err
	}
	if cp.Sync, _, err = cp.addUser(SyncUser, base); err != nil {
		return err
	}
	if cp.Client, err = client.New(cp.Config, client.Options{}); err != nil {
		return fmt.Errorf("client: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cp.metricsScraper(ctx); err != nil {
		return err
	}
	return cp.startKCM(base)
}

// AddUser provisions a client-certificate user (in system:masters plus groups) and
// returns the path of its kubeconfig.
func (cp *ControlPlane) AddUser(name string, groups ...string) (string, error) {
	return cp.addKubeconfig(envtest.User{Name: name, Groups: append([]string{"system:masters"}, groups...)})
}

// AddUnprivilegedUser provisions a client-certificate user in no group: what RBAC
// grants its name is all it may do. It returns the kubeconfig's path.
func (cp *ControlPlane) AddUnprivilegedUser(name string) (string, error) {
	return cp.addKubeconfig(envtest.User{Name: name})
}

func (cp *ControlPlane) addKubeconfig(user envtest.User) (string, error) {
	name := user.Name
	u, err := cp.Env.AddUser(user, cp.Env.Config)
	if err != nil {
		return "", fmt.Errorf("add user %s: %w", name, err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		return "", err
	}
	path := filepath.Join(cp.Dir, "user-"+strings.NewReplacer(":", "_", "/", "_").Replace(name)+".kubeconfig")
	return path, os.WriteFile(path, kc, 0o600)
}

func (cp *ControlPlane) addUser(name string, base *rest.Config) (string, *rest.Config, error) {
	u, err := cp.Env.AddUser(envtest.User{Name: name, Groups: []string{"system:masters"}}, base)
	if err != nil {
		return "", nil, fmt.Errorf("add user %s: %w", name, err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		return "", nil, fmt.Errorf("kubeconfig of %s: %w", name, err)
	}
	file := map[string]string{AdminUser: "admin", SyncUser: "sync", KCMUser: "kcm"}[name]
	path := filepath.Join(cp.Dir, file+".kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		return "", nil, err
	}
	return path, u.Config(), nil
}

// startKCM runs kube-controller-manager beside the API server, so rollouts, garbage
// collection and namespace teardown really happen. It starts without
// per-controller credentials: every controller acts as system:kube-controller-manager.
func (cp *ControlPlane) startKCM(base *rest.Config) error {
	kc, _, err := cp.addUser(KCMUser, base)
	if err != nil {
		return err
	}
	cp.kcmConfig = kc
	return cp.runKCM(false)
}

func (cp *ControlPlane) runKCM(serviceAccounts bool) error {
	logf, err := os.OpenFile(filepath.Join(cp.Dir, "kube-controller-manager.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cp.kcm = exec.Command(filepath.Join(cp.BinDir, "kube-controller-manager"),
		"--kubeconfig="+cp.kcmConfig, "--leader-elect=false", "--secure-port=0",
		"--use-service-account-credentials="+strconv.FormatBool(serviceAccounts), "--controllers=*,-serviceaccount-token",
		"--concurrent-deployment-syncs=2", "--concurrent-gc-syncs=5", "--horizontal-pod-autoscaler-sync-period=2s", "--v=1")
	cp.kcm.Stdout, cp.kcm.Stderr = logf, logf
	if err := cp.kcm.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start kube-controller-manager: %w", err)
	}
	go func(cmd *exec.Cmd) { _ = cmd.Wait(); logf.Close() }(cp.kcm)
	return nil
}

// RestartKCM restarts kube-controller-manager with or without per-controller
// credentials (--use-service-account-credentials): with them, each controller acts
// as its own kube-system ServiceAccount. Tests that change it restore false.
func (cp *ControlPlane) RestartKCM(useServiceAccountCredentials bool) error {
	cp.stopKCM()
	return cp.runKCM(useServiceAccountCredentials)
}

func (cp *ControlPlane) stopKCM() {
	if cp.kcm != nil && cp.kcm.Process != nil {
		_ = cp.kcm.Process.Kill()
		// runKCM's goroutine reaps it; until then signal 0 still reaches it.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && cp.kcm.Process.Signal(syscall.Signal(0)) == nil; {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// Stop stops kube-controller-manager and the control plane.
func (cp *ControlPlane) Stop() error {
	cp.stopKCM()
	return cp.Env.Stop()
}

// Kubectl returns a kubectl command run with the given kubeconfig.
func (cp *ControlPlane) Kubectl(kubeconfig string, args ...string) *exec.Cmd {
	return exec.Command(filepath.Join(cp.BinDir, "kubectl"), append([]string{"--kubeconfig=" + kubeconfig}, args...)...)
}
