// Command bench measures gitgate's request path and its index against
// baselines taken in the same run, and writes test/bench/results/RESULTS.md
// and test/bench/results/latency.svg.
//
//	go run ./test/bench            # or: make bench
//
// What it measures, each next to its baseline and its goal (README.md,
// "Benchmarks"):
//
//  1. the admission handler in-process (1k, 10k and 50k indexed objects)
//     against a no-op handler on the same request, and against decoding the
//     request's two objects alone;
//  2. gitgate's real webhook server stack over TLS on loopback (controller-runtime's
//     webhook server, TLS ≥ 1.2, HTTP/1.1) against a no-op webhook on the same
//     server, driven by an open-loop load generator running in a child process
//     (this binary, re-executed as `bench loadgen`) so that the server's CPU
//     time per request is the parent's alone;
//  3. writes through a real kube-apiserver (test/cluster) with no webhook, a
//     no-op webhook and gitgate registered with manifests/webhook.yaml;
//  4. the index (gitindex's BenchmarkBuild, plus Build in-process against a
//     plain YAML decode of the same files);
//  5. policy evaluation (policy's BenchmarkEvaluate; 0 rules is the baseline).
//  6. the bounds on one revision (gitindex's BenchmarkLimits): an oversized
//     commit rejected against the same commit built unbounded, and the largest
//     accepted revisions against the pod's memory limit.
//
// Every loop is bounded in count and time and talks to loopback only. Nothing
// here fails on timing: a missed goal is reported, not enforced.
package main
