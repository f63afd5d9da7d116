package cluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/certs"
)

// Gitgate is a running `gitgate serve` process.
type Gitgate struct {
	Dir         string
	Port        int
	ProbePort   int
	MetricsPort int
	AuditLog    string
	CA          []byte
	// MetricsToken is sent to the metrics endpoint (HTTPS, --metrics-auth);
	// StartGitgate's callers set it, e.g. to ControlPlane.MetricsToken.
	MetricsToken string
	bin          string
	args         []string
	cmd          *exec.Cmd
	log          *os.File
}

// BuildGitgate compiles cmd/gitgate into dir and returns the binary's path.
func BuildGitgate(dir string) (string, error) {
	bin := filepath.Join(dir, "bin", "gitgate")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/gitgate")
	cmd.Dir = RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/gitgate: %w: %s", err, out)
	}
	return bin, nil
}

// FreePort returns a free TCP port on loopback.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartGitgate runs `gitgate serve` with a fresh serving certificate for 127.0.0.1,
// the given kubeconfig and extra flags, and waits until it is ready.
func StartGitgate(bin, dir, kubeconfig string, args ...string) (*Gitgate, error) {
	g := &Gitgate{Dir: dir, AuditLog: filepath.Join(dir, "audit.log")}
	b, err := certs.Generate(certs.Options{IPs: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}, time.Now())
	if err != nil {
		return nil, err
	}
	certDir := filepath.Join(dir, "certs")
	if err := certs.WriteDir(certDir, b); err != nil {
		return nil, err
	}
	g.CA = b.CACert
	if g.log, err = os.Create(filepath.Join(dir, "gitgate.log")); err != nil {
		return nil, err
	}
	g.bin = bin
	// A port FreePort found free may be taken (by any process's outgoing
	// connection) before gitgate binds it: then start again on other ports.
	for attempt := 1; ; attempt++ {
		for _, p := range []*int{&g.Port, &g.ProbePort, &g.MetricsPort} {
			if *p, err = FreePort(); err != nil {
				return nil, err
			}
		}
		g.args = append([]string{"serve",
			"--kubeconfig=" + kubeconfig, "--cert-dir=" + certDir, "--port=" + strconv.Itoa(g.Port),
			"--health-probe-bind-address=127.0.0.1:" + strconv.Itoa(g.ProbePort),
			"--metrics-bind-address=127.0.0.1:" + strconv.Itoa(g.MetricsPort),
			"--audit-log=" + g.AuditLog, "--sync-user=" + SyncUser, "--shutdown-delay=500ms",
		}, args...)
		err = g.start()
		if err == nil || attempt == 3 || !g.portTaken() {
			return g, err
		}
		g.Kill()
		if err := g.log.Truncate(0); err != nil {
			return nil, err
		}
		if _, err := g.log.Seek(0, 0); err != nil {
			return nil, err
		}
	}
}

// portTaken reports whether gitgate's log says a port it was given was in use.
func (g *Gitgate) portTaken() bool {
	b, err := os.ReadFile(g.log.Name())
	return err == nil && bytes.Contains(b, []byte("address already in use"))
}

func (g *Gitgate) start() error {
	if err := g.launch(); err != nil {
		return err
	}
	if err := g.WaitReady(60 * time.Second); err != nil {
		return fmt.Errorf("%w (log: %s)", err, g.log.Name())
	}
	return nil
}

func (g *Gitgate) launch() error {
	g.cmd = exec.Command(g.bin, g.args...)
	g.cmd.Stdout, g.cmd.Stderr = g.log, g.log
	if err := g.cmd.Start(); err != nil {
		return fmt.Errorf("start gitgate: %w", err)
	}
	return nil
}

// RestartUnready starts the process again with the same flags and returns at
// once: for a restart that is not expected to become ready.
func (g *Gitgate) RestartUnready() error { return g.launch() }

// Kill ends the process abruptly (SIGKILL), as a crash or an OOM kill would.
func (g *Gitgate) Kill() {
	_ = g.cmd.Process.Kill()
	_ = g.cmd.Wait()
}

// Terminate sends SIGTERM, as the kubelet does on pod deletion, and returns at once;
// Exited reports the outcome.
func (g *Gitgate) Terminate() error { return g.cmd.Process.Signal(syscall.SIGTERM) }

// Exited waits up to timeout for the process to end and returns its error
// (nil for exit status 0).
func (g *Gitgate) Exited(timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- g.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("gitgate still running after %s", timeout)
	}
}

// Restart starts the process again with the same flags, as a Deployment would.
func (g *Gitgate) Restart() error { return g.start() }

// WaitReady polls /readyz until it answers 200.
func (g *Gitgate) WaitReady(timeout time.Duration) error {
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", g.ProbePort)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if g.cmd.ProcessState != nil {
			return fmt.Errorf("gitgate exited: %s", g.cmd.ProcessState)
		}
		if g.portTaken() {
			return fmt.Errorf("gitgate could not bind a port")
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("gitgate not ready after %s", timeout)
}

// Stop ends the process.
func (g *Gitgate) Stop() {
	if g.cmd != nil && g.cmd.Process != nil {
		_ = g.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = g.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = g.cmd.Process.Kill()
		}
	}
	if g.log != nil {
		g.log.Close()
	}
}

// WebhookConfiguration reads manifests/webhook.yaml and points it at this process:
// the URL on loopback and the test CA, everything else exactly as shipped.
func (g *Gitgate) WebhookConfiguration() (*admissionregistrationv1.ValidatingWebhookConfiguration, error) {
	data, err := os.ReadFile(filepath.Join(RepoRoot(), "manifests", "webhook.yaml"))
	if err != nil {
		return nil, err
	}
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := yaml.UnmarshalStrict(data, &vwc); err != nil {
		return nil, fmt.Errorf("manifests/webhook.yaml: %w", err)
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/validate", g.Port)
	for i := range vwc.Webhooks {
		vwc.Webhooks[i].ClientConfig = admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: g.CA}
	}
	return &vwc, nil
}

// Install creates the webhook configuration in the cluster.
func (g *Gitgate) Install(ctx context.Context, cp *ControlPlane) error {
	vwc, err := g.WebhookConfiguration()
	if err != nil {
		return err
	}
	return cp.Client.Create(ctx, vwc)
}

// TLSConfig trusts the process's serving certificate.
func (g *Gitgate) TLSConfig() *tls.Config {
	pool := x509Pool(g.CA)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func x509Pool(ca []byte) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return pool
}

// Metrics returns the text of gitgate's /metrics endpoint, read with MetricsToken.
func (g *Gitgate) Metrics() (string, error) {
	code, body, err := g.ScrapeMetrics(g.MetricsToken)
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("GET /metrics: %d %s", code, body)
	}
	return body, err
}

// ScrapeMetrics gets /metrics over HTTPS with token as bearer token ("" sends
// none) and returns the status and body.
func (g *Gitgate) ScrapeMetrics(token string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("https://127.0.0.1:%d/metrics", g.MetricsPort), nil)
	if err != nil {
		return 0, "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// A connection per scrape, closed after it: kept-alive ones from a client per
	// call would pile up against the metrics server's per-address bound.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: g.TLSConfig(), DisableKeepAlives: true}, Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// WaitCommit waits until gitgate serves commit (or, with rejected, has rejected it).
func (g *Gitgate) WaitCommit(commit string, rejected bool, timeout time.Duration) error {
	metric := "gitgate_revision_info"
	if rejected {
		metric = "gitgate_revision_rejected_info"
	}
	want := fmt.Sprintf("%s{commit=%q} 1", metric, commit)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m, err := g.Metrics(); err == nil && strings.Contains(m, want) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("gitgate did not report %s within %s", want, timeout)
}
