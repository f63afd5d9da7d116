package cluster

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// FluxCRDPaths returns the CRD folders of kustomize-controller and of the
// source-controller release whose API it requires, from test/fluxtools' module
// graph in the Go module cache (downloaded if missing); nothing is copied.
func FluxCRDPaths() ([]string, error) {
	kc, err := fluxModule("mod", "download", "-json", "github.com/fluxcd/kustomize-controller")
	if err != nil {
		return nil, err
	}
	api, err := fluxModule("list", "-m", "-json", "github.com/fluxcd/source-controller/api")
	if err != nil {
		return nil, err
	}
	sc, err := fluxModule("mod", "download", "-json", "github.com/fluxcd/source-controller@"+api.Version)
	if err != nil {
		return nil, err
	}
	return []string{filepath.Join(kc.Dir, "config", "crd", "bases"), filepath.Join(sc.Dir, "config", "crd", "bases")}, nil
}

// goModule is what `go list -m -json` and `go mod download -json` say of a module.
type goModule struct{ Dir, Version string }

// fluxModule runs a go command that prints one module's JSON in test/fluxtools.
func fluxModule(args ...string) (goModule, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join(RepoRoot(), "test", "fluxtools")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var m goModule
	out, err := cmd.Output()
	if err != nil {
		return m, fmt.Errorf("go %v in test/fluxtools: %w: %s", args, err, stderr.String())
	}
	if err := json.Unmarshal(out, &m); err != nil || m.Version == "" {
		return m, fmt.Errorf("go %v in test/fluxtools: no module in %s", args, out)
	}
	return m, nil
}

func encodeBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// ArtifactServer plays source-controller's part as kustomize-controller's own
// tests do: it serves tarballs of a repository's commits on loopback HTTP and
// points a GitRepository's status.artifact at them, with the sha256 digest
// kustomize-controller verifies before it applies anything.
type ArtifactServer struct {
	dir string
	url string
	srv *http.Server
}

// StartArtifactServer serves dir on a free loopback port.
func StartArtifactServer(dir string) (*ArtifactServer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for artifacts: %w", err)
	}
	s := &ArtifactServer{dir: dir, url: "http://" + l.Addr().String(), srv: &http.Server{
		Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Close stops serving.
func (s *ArtifactServer) Close() { _ = s.srv.Close() }

// Publish makes r's HEAD the artifact of GitRepository namespace/name (created
// if missing), as source-controller would after fetching it, and returns the
// revision Flux reports ("main@sha1:<commit>").
func (s *ArtifactServer) Publish(ctx context.Context, c client.Client, r *Repo, namespace, name string) (string, error) {
	commit, err := r.Head()
	if err != nil {
		return "", err
	}
	file := fmt.Sprintf("%s-%s-%s.tar.gz", namespace, name, commit)
	data, err := tarball(r.Dir)
	if err != nil {
		return "", fmt.Errorf("pack %s: %w", r.Dir, err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, file), data, 0o644); err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	revision := "main@sha1:" + commit
	artifact := map[string]any{
		"path": file, "url": s.url + "/" + file, "revision": revision, "digest": "sha256:" + hex.EncodeToString(sum[:]),
		"size": int64(len(data)), "lastUpdateTime": time.Now().UTC().Format(time.RFC3339),
	}
	return revision, s.setArtifact(ctx, c, namespace, name, artifact)
}

func (s *ArtifactServer) setArtifact(ctx context.Context, c client.Client, namespace, name string, artifact map[string]any) error {
	repo := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": map[string]any{"namespace": namespace, "name": name},
		"spec":     map[string]any{"url": s.url + "/" + name + ".git", "interval": "10m", "ref": map[string]any{"branch": "main"}},
	}}
	if err := c.Create(ctx, repo); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create GitRepository %s/%s: %w", namespace, name, err)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(repo), repo); err != nil {
		return fmt.Errorf("get GitRepository %s/%s: %w", namespace, name, err)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	repo.Object["status"] = map[string]any{
		"observedGeneration": repo.GetGeneration(), "artifact": artifact,
		"conditions": []any{map[string]any{"type": "Ready", "status": "True", "reason": "Succeeded",
			"message": "stored artifact for revision '" + artifact["revision"].(string) + "'", "lastTransitionTime": now,
			"observedGeneration": repo.GetGeneration()}},
	}
	if err := c.Status().Update(ctx, repo); err != nil {
		return fmt.Errorf("set the artifact of GitRepository %s/%s: %w", namespace, name, err)
	}
	return nil
}

// tarball packs dir's files, without .git, into a tar.gz, as source-controller
// packs a checkout.
func tarball(dir string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if rel == "." || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
