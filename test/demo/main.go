// Command demo runs gitgate end to end on this machine: the pinned local control
// plane (etcd, kube-apiserver, kube-controller-manager), a sample git repository
// (the GitOps article's nginx layout), gitgate enforcing it, and a short kubectl
// session with an allowed and a denied change; then it prints the audit lines.
//
//	make demo            # or: go run ./test/demo
//	go run ./test/demo -keep   # leave everything running until Ctrl-C
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

func main() {
	keep := flag.Bool("keep", false, "keep the control plane and gitgate running until interrupted")
	flag.Parse()
	if err := run(*keep); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(keep bool) error {
	dir, err := os.MkdirTemp("", "gitgate-demo-")
	if err != nil {
		return err
	}
	step("building gitgate")
	bin, err := cluster.BuildGitgate(dir)
	if err != nil {
		return err
	}
	step("starting etcd, kube-apiserver and kube-controller-manager")
	cp, err := cluster.Start(dir)
	if err != nil {
		return err
	}
	defer cp.Stop()
	step("creating a sample git repository (k8s/app/deployment.yaml, service.yaml, configmap.yaml, k8s/namespaces/staging.yaml)")
	repo, err := cluster.NewRepo(filepath.Join(cluster.RepoRoot(), "test", "e2e", "testdata", "repo"), filepath.Join(dir, "repo"))
	if err != nil {
		return err
	}
	step("starting gitgate serve and registering manifests/webhook.yaml")
	g, err := cluster.StartGitgate(bin, dir, cp.Sync, "--repo="+repo.Dir, "--path=k8s", "--interval=2s",
		"--apply", "--apply-interval=1m", "--inventory=default/gitgate-inventory")
	if err != nil {
		return err
	}
	g.MetricsToken = cp.MetricsToken
	defer g.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := g.Install(ctx, cp); err != nil {
		return err
	}
	session(cp, repo)
	step("audit log (" + g.AuditLog + ")")
	time.Sleep(500 * time.Millisecond)
	if data, err := os.ReadFile(g.AuditLog); err == nil {
		fmt.Print(string(data))
	}
	if keep {
		fmt.Printf("\nkubectl --kubeconfig %s ...   (human)\nkubectl --kubeconfig %s ...   (sync identity)\nCtrl-C to stop.\n", cp.Admin, cp.Sync)
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		<-sig
	}
	return nil
}

func session(cp *cluster.ControlPlane, repo *cluster.Repo) {
	kubectl := func(who, kubeconfig string, args ...string) {
		fmt.Printf("\n[%s]$ kubectl %s\n", who, strings.Join(args, " "))
		out, _ := cp.Kubectl(kubeconfig, args...).CombinedOutput()
		fmt.Print(string(out))
	}
	step("gitgate's applier syncs git to the cluster (CRDs, then namespaces, then the rest)")
	for i := 0; i < 120; i++ {
		if err := cp.Kubectl(cp.Admin, "-n", "staging", "get", "greeting/hello", "deployment/nginx-deployment").Run(); err == nil {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	kubectl("alice", cp.Admin, "-n", "staging", "get", "deployments,configmaps,services,greetings", "-l", "gitgate.dev/managed=true")
	step("a human applies git's own file: allowed")
	kubectl("alice", cp.Admin, "apply", "-f", filepath.Join(repo.Dir, "k8s/app/deployment.yaml"))
	step("a human scales by hand: denied, with the way forward")
	kubectl("alice", cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=5")
	step("a human changes the image: denied")
	kubectl("alice", cp.Admin, "-n", "staging", "set", "image", "deployment/nginx-deployment", "nginx=nginx:latest")
	step("a human deletes a declared object: denied")
	kubectl("alice", cp.Admin, "-n", "staging", "delete", "configmap/nginx-config")
}

func step(s string) { fmt.Printf("\n==> %s\n", s) }
