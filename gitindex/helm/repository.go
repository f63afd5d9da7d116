package helm

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"sigs.k8s.io/yaml"
)

// ChartSource fetches a packaged chart (a .tgz) from a chart repository, while
// a revision is built, never on the request path.
type ChartSource interface {
	Fetch(ctx context.Context, repoURL, chart, version string) ([]byte, error)
}

// Credentials name the files holding a chart repository's credentials, as a
// mounted Secret provides them; they are read again before every request, so
// a rotated Secret needs no restart. A token is sent as a bearer token, else a
// username and password as basic auth; none: anonymous.
type Credentials struct {
	UsernameFile, PasswordFile, TokenFile string
}

// HTTPCharts fetches charts from HTTP(S) chart repositories (an index.yaml and
// the .tgz files it lists), verifies each archive against the index's digest,
// and keeps archives by digest, so a chart is downloaded once. OCI
// repositories are not supported.
type HTTPCharts struct {
	// Client makes the requests; default a client with a one-minute timeout.
	Client *http.Client
	// Credentials are sent to every repository.
	Credentials Credentials
	// MaxBytes bounds an index or an archive; default 16 MiB.
	MaxBytes int64
	// MaxCached bounds the archives kept; default 64.
	MaxCached int

	mu    sync.Mutex
	cache map[string][]byte // sha256 digest → archive
}

var _ ChartSource = (*HTTPCharts)(nil)

var defaultClient = &http.Client{Timeout: time.Minute}

// indexFile is the part of a repository's index.yaml used here.
type indexFile struct {
	Entries map[string][]struct {
		Version string   `json:"version"`
		URLs    []string `json:"urls"`
		Digest  string   `json:"digest"`
	} `json:"entries"`
}

// Fetch implements ChartSource: the highest version of chart that version (a
// version or a semver constraint; empty: any) allows.
func (h *HTTPCharts) Fetch(ctx context.Context, repoURL, chart, version string) ([]byte, error) {
	base, err := url.Parse(strings.TrimSuffix(repoURL, "/") + "/")
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("chart repository %s: only http and https repositories are supported", repoURL)
	}
	data, err := h.get(ctx, base.JoinPath("index.yaml"), true)
	if err != nil {
		return nil, err
	}
	var idx indexFile
	if err := yaml.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("read index of %s: %w", repoURL, err)
	}
	ref, digest, err := pick(idx, chart, version)
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w", repoURL, err)
	}
	if archive, ok := h.cached(digest); ok {
		return archive, nil
	}
	u, err := base.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("chart %s: url %q: %w", chart, ref, err)
	}
	archive, err := h.get(ctx, u, u.Host == base.Host) // credentials go to the repository's host only
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(archive)
	if got := hex.EncodeToString(sum[:]); digest != "" && got != digest {
		return nil, fmt.Errorf("chart %s from %s: digest %s, the index says %s", chart, u.Redacted(), got, digest)
	}
	h.keep(digest, archive)
	return archive, nil
}

// pick resolves a chart's version in an index: its archive's URL and digest.
func pick(idx indexFile, chart, version string) (ref, digest string, err error) {
	constraint, err := semver.NewConstraint(cmp.Or(version, "*"))
	if err != nil {
		return "", "", fmt.Errorf("version %q: %w", version, err)
	}
	var best *semver.Version
	for _, e := range idx.Entries[chart] {
		v, err := semver.NewVersion(e.Version)
		if err != nil || len(e.URLs) == 0 || !constraint.Check(v) || (best != nil && !v.GreaterThan(best)) {
			continue
		}
		best, ref, digest = v, e.URLs[0], e.Digest
	}
	if best == nil {
		return "", "", fmt.Errorf("no version of chart %s matches %q", chart, cmp.Or(version, "*"))
	}
	return ref, digest, nil
}

func (h *HTTPCharts) get(ctx context.Context, u *url.URL, auth bool) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	if auth {
		if err := h.Credentials.apply(req); err != nil {
			return nil, err
		}
	}
	client := h.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", u.Redacted(), resp.Status)
	}
	limit := h.MaxBytes
	if limit <= 0 {
		limit = 16 << 20
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("fetch %s: larger than %d bytes", u.Redacted(), limit)
	}
	return data, nil
}

func (h *HTTPCharts) cached(digest string) ([]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	a, ok := h.cache[digest]
	return a, ok && digest != ""
}

func (h *HTTPCharts) keep(digest string, archive []byte) {
	if digest == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cache == nil {
		h.cache = map[string][]byte{}
	}
	max := h.MaxCached
	if max <= 0 {
		max = 64
	}
	for k := range h.cache { // full: forget one
		if len(h.cache) < max {
			break
		}
		delete(h.cache, k)
	}
	h.cache[digest] = archive
}

// apply reads the credential files and authenticates req with them.
func (c Credentials) apply(req *http.Request) error {
	read := func(p string) (string, error) {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("read chart repository credentials: %w", err)
		}
		return strings.TrimRight(string(data), "\r\n"), nil
	}
	switch {
	case c.TokenFile != "":
		token, err := read(c.TokenFile)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
	case c.UsernameFile != "" || c.PasswordFile != "":
		user, err := read(c.UsernameFile)
		if err != nil {
			return err
		}
		pass, err := read(c.PasswordFile)
		if err != nil {
			return err
		}
		req.SetBasicAuth(user, pass)
	}
	return nil
}
