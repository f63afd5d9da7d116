package main

import (
	"context"
	"fmt"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/test/cluster"
	"github.com/gitgate-dev/gitgate/webhook/guard"
)

// apiMode is what is registered with the API server during item 3: the webhook
// configuration config, calling the server's path.
type apiMode struct{ name, config, path string }

// apiModes: nothing, the no-op webhook, gitgate — each with manifests/webhook.yaml
// — and gitgate with the rules its guard narrows to git's resources.
var apiModes = []apiMode{{"none", "", ""}, {"no-op", "noop", pathNoop}, {"gitgate", "gitgate", pathGitgate}, {modeNarrowed, "narrowed", pathGitgate}}

const modeNarrowed = "gitgate, narrowed"

// apiKinds are the objects written in a governed namespace: the first two in git,
// a Secret of a kind git does not declare.
var apiKinds = []string{"ConfigMap", "Deployment", kindUndeclared}

const kindUndeclared = "Secret"

// gitResources are what the bench's repository declares, as the guard narrows to.
var gitResources = []schema.GroupVersionResource{{Version: "v1", Resource: "configmaps"}, {Version: "v1", Resource: "namespaces"}, {Group: "apps", Version: "v1", Resource: "deployments"}}

// apiStat is item 3 for one kind under one mode.
type apiStat struct {
	kind, mode string
	samples    []time.Duration
	lat        dist
	errors     int
	lastErr    error
}

// apiOpts configure item 3.
type apiOpts struct {
	writes int // per kind and mode
	rounds int // the modes rotate this many times, writes/rounds each time
}

// apiBench is one run of item 3.
type apiBench struct {
	cp    *cluster.ControlPlane
	cs    kubernetes.Interface
	srv   *server
	vwcs  map[string]*admissionregistrationv1.ValidatingWebhookConfiguration
	seq   int
	stats map[string]*apiStat
}

// runAPIServer starts the test control plane and times sequential writes by a
// human (the admin user) with each mode, rotating the modes between rounds.
func runAPIServer(ctx context.Context, s *server, dir string, o apiOpts) ([]*apiStat, error) {
	logf("  apiserver: starting etcd, kube-apiserver, kube-controller-manager")
	cp, err := cluster.Start(dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = cp.Stop() }()
	cfg := rest.CopyConfig(cp.Config)
	cfg.QPS = -1 // no client-side rate limit: the writes are sequential anyway
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	b := &apiBench{cp: cp, cs: cs, srv: s, stats: map[string]*apiStat{}}
	if err := b.setup(ctx); err != nil {
		return nil, err
	}
	per := max(o.writes/o.rounds, 1)
	for round := range o.rounds {
		for j := range apiModes {
			m := apiModes[(round+j)%len(apiModes)]
			logf("  apiserver: round %d/%d, %s", round+1, o.rounds, m.name)
			if err := b.activate(ctx, m); err != nil {
				return nil, err
			}
			for _, k := range apiKinds {
				b.measure(ctx, m, k, per)
			}
		}
	}
	var out []*apiStat
	for _, k := range apiKinds {
		for _, m := range apiModes {
			st := b.stats[k+"/"+m.name]
			st.lat = newDist(st.samples)
			out = append(out, st)
		}
	}
	return out, nil
}

// setup creates the namespace and the two objects as git declares them, and
// the two webhook configurations (installed later, one at a time).
func (b *apiBench) setup(ctx context.Context) error {
	if _, err := b.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchNS}}, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create namespace: %w", err)
	}
	var d appsv1.Deployment
	var cm corev1.ConfigMap
	if err := yaml.Unmarshal([]byte(gitObject(0)), &d); err != nil {
		return err
	}
	if err := yaml.Unmarshal([]byte(gitObject(9)), &cm); err != nil {
		return err
	}
	if _, err := b.cs.AppsV1().Deployments(benchNS).Create(ctx, &d, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create deployment: %w", err)
	}
	if _, err := b.cs.CoreV1().ConfigMaps(benchNS).Create(ctx, &cm, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create configmap: %w", err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: benchCM, Namespace: benchNS}}
	if _, err := b.cs.CoreV1().Secrets(benchNS).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create secret: %w", err)
	}
	// The shipped configuration, pointed at the in-process server (the same
	// helper the e2e suite uses for a `gitgate serve` process).
	gg, err := (&cluster.Gitgate{Port: b.srv.port, CA: b.srv.ca}).WebhookConfiguration()
	if err != nil {
		return err
	}
	nop := gg.DeepCopy()
	nop.Name = "noop"
	url := b.srv.url(pathNoop)
	for i := range nop.Webhooks { // both of the shipped webhooks, renamed, to the no-op
		nop.Webhooks[i].Name = "noop-" + nop.Webhooks[i].Name
		nop.Webhooks[i].ClientConfig.URL = &url
	}
	narrowed := gg.DeepCopy()
	narrowed.Name = "gitgate-narrowed"
	for i := range narrowed.Webhooks {
		narrowed.Webhooks[i].Name = "narrowed-" + narrowed.Webhooks[i].Name
		narrowed.Webhooks[i].Rules = guard.Narrow(narrowed.Webhooks[i].Rules, gitResources)
	}
	b.vwcs = map[string]*admissionregistrationv1.ValidatingWebhookConfiguration{"gitgate": gg, "noop": nop, "narrowed": narrowed}
	return nil
}

// activate installs m's webhook configuration alone and writes until the API
// server is seen calling exactly that webhook twice in a row (or none, for none).
func (b *apiBench) activate(ctx context.Context, m apiMode) error {
	for config, v := range b.vwcs {
		if config != m.config {
			if err := client.IgnoreNotFound(b.cp.Client.Delete(ctx, v.DeepCopy())); err != nil {
				return fmt.Errorf("remove webhook %s: %w", v.Name, err)
			}
		}
	}
	if m.config != "" {
		v := b.vwcs[m.config].DeepCopy()
		v.ResourceVersion = ""
		if err := b.cp.Client.Create(ctx, v); err != nil {
			return fmt.Errorf("install webhook %s: %w", v.Name, err)
		}
	}
	good := 0
	for deadline := time.Now().Add(30 * time.Second); good < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("API server did not switch to webhook mode %s within 30s", m.name)
		}
		g0, n0 := b.srv.served(pathGitgate), b.srv.served(pathNoop)
		if err := b.patch(ctx, "ConfigMap"); err != nil && m.path != pathGitgate {
			return fmt.Errorf("write with webhook mode %s: %w", m.name, err)
		}
		called := map[string]bool{"": false, pathGitgate: b.srv.served(pathGitgate) > g0, pathNoop: b.srv.served(pathNoop) > n0}
		if called[pathGitgate] == (m.path == pathGitgate) && called[pathNoop] == (m.path == pathNoop) {
			good++
		} else {
			good = 0
		}
	}
	return nil
}

// measure times n writes of kind after a few unmeasured ones.
func (b *apiBench) measure(ctx context.Context, m apiMode, kind string, n int) {
	st := b.stats[kind+"/"+m.name]
	if st == nil {
		st = &apiStat{kind: kind, mode: m.name}
		b.stats[kind+"/"+m.name] = st
	}
	for i := range n + 5 {
		t := time.Now()
		err := b.patch(ctx, kind)
		d := time.Since(t)
		switch {
		case i < 5:
		case err != nil:
			st.errors, st.lastErr = st.errors+1, err
		default:
			st.samples = append(st.samples, d)
		}
	}
}

// patch changes the last-applied annotation (as `kubectl apply` does), a real
// write that git does not declare and gitgate's comparison ignores.
func (b *apiBench) patch(ctx context.Context, kind string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b.seq++
	data := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:"{\"bench\":%d}\n"}}}`, lastApplied, b.seq)
	opts := metav1.PatchOptions{FieldManager: "kubectl-client-side-apply"}
	var err error
	switch kind {
	case "Deployment":
		_, err = b.cs.AppsV1().Deployments(benchNS).Patch(ctx, benchDeploy, types.MergePatchType, data, opts)
	case kindUndeclared:
		_, err = b.cs.CoreV1().Secrets(benchNS).Patch(ctx, benchCM, types.MergePatchType, data, opts)
	default:
		_, err = b.cs.CoreV1().ConfigMaps(benchNS).Patch(ctx, benchCM, types.MergePatchType, data, opts)
	}
	return err
}

// apiTable renders item 3 with the ratios gitgate is judged by (README.md,
// "Benchmarks": ≤ 1.05× a no-op webhook at p50, ≤ 1.2× at p99).
func apiTable(stats []*apiStat) table {
	t := table{header: []string{"object", "registered", "writes", "errors", "p50", "p99", "max", "÷ none (p50 / p99)", "÷ no-op (p50 / p99)", "goal"}, key: 2}
	by := map[string]*apiStat{}
	for _, s := range stats {
		by[s.kind+"/"+s.mode] = s
	}
	for _, s := range stats {
		none, nop := by[s.kind+"/none"], by[s.kind+"/no-op"]
		row := []string{s.kind, s.mode, fmt.Sprint(len(s.lat) + s.errors), fmt.Sprint(s.errors),
			us(s.lat.q(0.5)), us(s.lat.q(0.99)), us(s.lat.max())}
		vsNone := ratio(s.lat.q(0.5), none.lat.q(0.5)) + " / " + ratio(s.lat.q(0.99), none.lat.q(0.99))
		switch {
		case s.mode == "none":
			row = append(row, "baseline", "", "")
		case s.mode == "no-op":
			row = append(row, vsNone, "baseline", "")
		case s.kind == kindUndeclared && s.mode == modeNarrowed:
			r := float64(s.lat.q(0.5)) / float64(max(none.lat.q(0.5), 1))
			row = append(row, vsNone, ratio(s.lat.q(0.5), nop.lat.q(0.5))+" / "+ratio(s.lat.q(0.99), nop.lat.q(0.99)),
				goal(r <= 1.05 && s.errors == 0, fmt.Sprintf("p50 %.2f× none ≤ 1.05×: reaches no webhook", r)))
		case s.kind == kindUndeclared:
			row = append(row, vsNone, ratio(s.lat.q(0.5), nop.lat.q(0.5))+" / "+ratio(s.lat.q(0.99), nop.lat.q(0.99)), "")
		default:
			r50 := float64(s.lat.q(0.5)) / float64(max(nop.lat.q(0.5), 1))
			r99 := float64(s.lat.q(0.99)) / float64(max(nop.lat.q(0.99), 1))
			row = append(row, vsNone, fmt.Sprintf("%.2f× / %.2f×", r50, r99),
				goal(r50 <= 1.05, fmt.Sprintf("p50 %.2f× ≤ 1.05×", r50))+", "+goal(r99 <= 1.2 && s.errors == 0, fmt.Sprintf("p99 %.2f× ≤ 1.2×", r99)))
		}
		t.rows = append(t.rows, row)
	}
	return t
}
