package helm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
)

// chartRepo serves testdata/charts/app, packaged now as the given versions,
// on loopback, and counts the archive downloads.
type chartRepo struct {
	*httptest.Server
	downloads atomic.Int64
}

func serveCharts(t *testing.T, auth func(*http.Request) bool, versions ...string) *chartRepo {
	t.Helper()
	dir := t.TempDir()
	var index strings.Builder
	index.WriteString("apiVersion: v1\nentries:\n  app:\n")
	for _, v := range versions {
		c, err := loader.Load("testdata/charts/app")
		if err != nil {
			t.Fatal(err)
		}
		c.Metadata.Version = v
		file, err := chartutil.Save(c, dir)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&index, "    - version: %s\n      urls: [charts/%s]\n      digest: %s\n", v, filepath.Base(file), hex.EncodeToString(sum[:]))
	}
	r := &chartRepo{}
	mux := http.NewServeMux()
	mux.HandleFunc("/index.yaml", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(index.String())) })
	mux.HandleFunc("/charts/", func(w http.ResponseWriter, req *http.Request) {
		r.downloads.Add(1)
		http.ServeFile(w, req, filepath.Join(dir, filepath.Base(req.URL.Path)))
	})
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if auth != nil && !auth(req) {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func fromRepository(version string) func(map[string]any) {
	return func(o map[string]any) {
		spec := o["spec"].(map[string]any)
		spec["chart"].(map[string]any)["spec"] = map[string]any{"chart": "app", "version": version,
			"sourceRef": map[string]any{"kind": "HelmRepository", "name": "charts"}}
		delete(spec, "valuesFrom")
	}
}

func TestRenderFromChartRepository(t *testing.T) {
	repo := serveCharts(t, nil, "0.1.0", "0.2.0", "1.0.0")
	charts := &HTTPCharts{}
	src, obj := readRelease(t, fromRepository("<1.0.0"))
	in := Input{Files: dirFiles("testdata"), Source: src, Object: obj, DefaultNamespace: "default", Repositories: map[string]string{"apps/charts": repo.URL}}
	for range 2 {
		res, err := Render(t.Context(), in, Options{Charts: charts})
		if err != nil {
			t.Fatal(err)
		}
		want := []summary{
			{Key: "ConfigMap /shop-web-app-settings", File: "k8s/release.yaml", Line: 1, Fields: map[string]any{"data.color": "blue", "data.found": "no"}},
			{Key: "Deployment /shop-web-app", File: "k8s/release.yaml", Line: 1, Fields: map[string]any{"spec.replicas": int64(3)}},
		}
		if diff := cmp.Diff(want, summarize(res.Objects, "data.color", "data.found", "spec.replicas")); diff != "" {
			t.Errorf("objects (-want +got):\n%s", diff)
		}
		if got := res.Objects[1].Object["metadata"].(map[string]any)["labels"].(map[string]any)["app"]; got != "shop-web-app" {
			t.Errorf("label app = %v", got)
		}
		if file, line := res.Objects[1].Locator.SourceOf([]string{"spec", "replicas"}, int64(3)); file != "k8s/release.yaml" || line != 26 {
			t.Errorf("SourceOf(spec.replicas) = %s:%d, want spec.values at k8s/release.yaml:26", file, line)
		}
		if file, line := res.Objects[0].Locator.SourceOf([]string{"data", "mode"}, "fixed"); file != "k8s/release.yaml" || line != 1 {
			t.Errorf("SourceOf(data.mode) = %s:%d, want the HelmRelease k8s/release.yaml:1", file, line)
		}
	}
	if n := repo.downloads.Load(); n != 1 {
		t.Errorf("%d downloads of the archive, want 1 (cached by digest)", n)
	}
}

func TestFetchChart(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"user": "alice\n", "pass": "s3cret\n", "token": "t0ken\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	basic := func(r *http.Request) bool { u, p, ok := r.BasicAuth(); return ok && u == "alice" && p == "s3cret" }
	bearer := func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer t0ken" }
	tests := []struct {
		name        string
		auth        func(*http.Request) bool
		credentials Credentials
		version     string
		wantVersion string
		wantErr     string
	}{
		{name: "the highest version", wantVersion: "1.0.0"},
		{name: "a constraint", version: "~0.1", wantVersion: "0.1.0"},
		{name: "no match", version: "2.x", wantErr: `no version of chart app matches "2.x"`},
		{name: "basic auth from files", auth: basic, credentials: Credentials{UsernameFile: filepath.Join(dir, "user"), PasswordFile: filepath.Join(dir, "pass")}, wantVersion: "1.0.0"},
		{name: "a token from a file", auth: bearer, credentials: Credentials{TokenFile: filepath.Join(dir, "token")}, wantVersion: "1.0.0"},
		{name: "no credentials", auth: bearer, wantErr: "401 Unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := serveCharts(t, tt.auth, "0.1.0", "1.0.0")
			data, err := (&HTTPCharts{Credentials: tt.credentials}).Fetch(t.Context(), repo.URL, "app", tt.version)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := loader.LoadArchive(strings.NewReader(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			if c.Metadata.Version != tt.wantVersion {
				t.Errorf("version %s, want %s", c.Metadata.Version, tt.wantVersion)
			}
		})
	}
}

func TestFetchRejectsAnotherArchive(t *testing.T) {
	repo := serveCharts(t, nil, "0.1.0")
	mux := http.NewServeMux()
	mux.HandleFunc("/index.yaml", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "entries:\n  app:\n    - version: 0.1.0\n      urls: [%s/charts/app-0.1.0.tgz]\n      digest: %s\n", repo.URL, strings.Repeat("f", 64))
	})
	lying := httptest.NewServer(mux)
	defer lying.Close()
	_, err := (&HTTPCharts{}).Fetch(t.Context(), lying.URL, "app", "")
	if err == nil || !strings.Contains(err.Error(), "the index says ffff") {
		t.Fatalf("error %v, want a digest mismatch", err)
	}
}
