package apply_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/testr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// k8s talks to the test control plane (a real etcd and kube-apiserver, started
// once); nil when the binaries are missing, and skipReason says why.
var (
	k8s        client.WithWatch
	skipReason string
)

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	bin := binDir()
	for _, b := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			skipReason = fmt.Sprintf("%s missing in %s: run `make tools` (test/tools/build.sh) to build the test control plane", b, bin)
			return m.Run()
		}
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory:    bin,
		ControlPlaneStartTimeout: 60 * time.Second,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start control plane:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	if k8s, err = client.NewWithWatch(cfg, client.Options{}); err == nil {
		err = k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: apply.DefaultInventoryNamespace}})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "set up:", err)
		return 1
	}
	return m.Run()
}

// binDir is $GITGATE_TEST_BIN or the repository's test/bin.
func binDir() string {
	if d := os.Getenv("GITGATE_TEST_BIN"); d != "" {
		return d
	}
	d, _ := filepath.Abs(filepath.Join("..", "..", "test", "bin"))
	return d
}

// cluster returns the client of the test control plane, or skips the test.
func cluster(t *testing.T) client.WithWatch {
	t.Helper()
	if k8s == nil {
		t.Skip(skipReason)
	}
	return k8s
}

var seq atomic.Int32

// uniqueName returns a DNS label unique to the test, for its namespace, its
// CRD group and its inventory.
func uniqueName(t *testing.T) string {
	n := strings.ToLower(regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(t.Name(), "-"))
	if len(n) > 40 {
		n = n[:40]
	}
	return fmt.Sprintf("%s-%d", strings.Trim(n, "-"), seq.Add(1))
}

// fixture returns the manifests of testdata/repo, namespaced to ns.
func fixture(t *testing.T, ns string, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", "repo", n+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		out[n+".yaml"] = strings.ReplaceAll(string(b), "NAMESPACE", ns)
	}
	return out
}

// snapshot indexes files as commit.
func snapshot(t *testing.T, commit string, files map[string]string) *gitindex.Snapshot {
	t.Helper()
	var fs []gitindex.File
	for p, d := range files {
		fs = append(fs, gitindex.File{Path: p, Data: []byte(d)})
	}
	s, err := gitindex.Build(commit, fs, gitindex.BuildOptions{Repo: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newApplier returns an Applier with the default options, the test's own
// inventory, and edit applied to the options.
func newApplier(t *testing.T, inventory string, edit func(*apply.Options)) *apply.Applier {
	t.Helper()
	opts := apply.DefaultOptions()
	opts.Comparer = drift.New(drift.NewBuiltinSchemas())
	opts.InventoryName = inventory
	opts.WaitTimeout = 20 * time.Second
	if edit != nil {
		edit(&opts)
	}
	a, err := apply.New(cluster(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// actions renders results as "action key", in order.
func actions(res *apply.Result) []string {
	out := make([]string, 0, len(res.Objects))
	for _, o := range res.Objects {
		out = append(out, string(o.Action)+" "+o.Key.String())
	}
	return out
}

// diffPaths renders the paths of an object's Diff.
func diffPaths(o apply.ObjectResult) []string {
	var out []string
	for _, c := range o.Diff {
		out = append(out, c.Path)
	}
	return out
}

func result(t *testing.T, res *apply.Result, k gitindex.Key) apply.ObjectResult {
	t.Helper()
	for _, o := range res.Objects {
		if o.Key == k {
			return o
		}
	}
	t.Fatalf("no result for %s in %v", k, actions(res))
	return apply.ObjectResult{}
}

// live reads an object, nil if it does not exist.
func live(t *testing.T, apiVersion string, k gitindex.Key) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(k.Kind)
	err := cluster(t).Get(t.Context(), client.ObjectKey{Namespace: k.Namespace, Name: k.Name}, u)
	if client.IgnoreNotFound(err) != nil {
		t.Fatal(err)
	}
	if err != nil {
		return nil
	}
	return u
}

// resourceVersions maps every object of snap to its live resourceVersion.
func resourceVersions(t *testing.T, snap *gitindex.Snapshot) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, o := range snap.Objects() {
		if u := live(t, o.APIVersion, o.Key); u != nil {
			out[o.Key.String()] = u.GetResourceVersion()
		}
	}
	return out
}

// readInventory returns the keys recorded in an inventory.
func readInventory(t *testing.T, name string) []string {
	t.Helper()
	inv, _ := getInventory(t, name)
	var out []string
	for _, e := range inv.Objects {
		out = append(out, e.Key().String())
	}
	sort.Strings(out)
	return out
}

// logged returns the test's context with a logger writing to the test log
// (go test -v shows the applier's progress).
func logged(t *testing.T) context.Context {
	return logr.NewContext(t.Context(), testr.NewWithOptions(t, testr.Options{Verbosity: 1}))
}

// set sets a field of u.
func set(t *testing.T, u *unstructured.Unstructured, value any, fields ...string) {
	t.Helper()
	if err := unstructured.SetNestedField(u.Object, value, fields...); err != nil {
		t.Fatal(err)
	}
}
