package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/audit/kube"
)

// anchorMaxAge is how long the anchor of a log no longer written (a pod gone) is
// kept: long enough to verify last quarter's logs against it.
const anchorMaxAge = 90 * 24 * time.Hour

// auditFlags are the audit flags of `gitgate serve`.
type auditFlags struct {
	path, maxSize, logID  string
	maxBackups            int
	stdout                bool
	keysSecret, anchors   string
	checkpointEvery       int
	checkpointInterval    time.Duration
	shipURL, shipOverflow string
	shipBatch, shipBuffer int
	shipMaxWait           time.Duration
}

func (a *auditFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&a.path, "audit-log", "-", `audit log file ("-" = stdout, "" = off); one per pod, e.g. /audit/$(POD_NAME)/audit.log`)
	fs.StringVar(&a.maxSize, "audit-max-size", "100Mi", "rotate the audit log file before it grows beyond this size; the hash chain continues across files")
	fs.IntVar(&a.maxBackups, "audit-max-backups", audit.DefaultMaxBackups, "rotated audit log files kept (FILE.1 newest ... FILE.N)")
	fs.BoolVar(&a.stdout, "audit-stdout", false, "also write every audit line to stdout (for the cluster's log pipeline) when --audit-log is a file")
	fs.StringVar(&a.keysSecret, "audit-keys-secret", "", "namespace/name of the Secret with the audit keys (HMAC key of Secret value digests, Ed25519 checkpoint signing key), created if absent; empty: Secret values are masked without digest and no checkpoints are signed")
	fs.StringVar(&a.logID, "audit-log-id", "", "id of this pod's audit chain in checkpoints and anchors (default $POD_NAME, else the host name)")
	fs.IntVar(&a.checkpointEvery, "audit-checkpoint-every", audit.DefaultCheckpointEvery, "sign a checkpoint after this many audit records (with --audit-keys-secret)")
	fs.DurationVar(&a.checkpointInterval, "audit-checkpoint-interval", audit.DefaultCheckpointInterval, "sign a checkpoint this often when records were written (and at shutdown)")
	fs.StringVar(&a.anchors, "audit-anchors", "", "namespace/name of the ConfigMap where each pod anchors its newest checkpoint (it must exist; gitgate gets and patches it)")
	fs.StringVar(&a.shipURL, "audit-ship-url", "", "also POST audit lines (application/x-ndjson batches) to this http(s) URL")
	fs.IntVar(&a.shipBatch, "audit-ship-batch-size", audit.DefaultShipBatchSize, "most lines per POST to --audit-ship-url")
	fs.DurationVar(&a.shipMaxWait, "audit-ship-max-wait", audit.DefaultShipMaxWait, "longest wait for a batch to fill")
	fs.IntVar(&a.shipBuffer, "audit-ship-buffer", audit.DefaultShipBufferSize, "lines buffered for --audit-ship-url while it is slow or down")
	fs.StringVar(&a.shipOverflow, "audit-ship-overflow", audit.DropNewest, "when the ship buffer is full: drop-newest or drop-oldest (counted either way)")
}

// newLog builds the audit log; with --audit-keys-secret it loads (or creates) the
// keys now, before the manager starts, with c (it must read from the API server,
// not a cache).
func (a *auditFlags) newLog(ctx context.Context, c client.Client) (*audit.Log, error) {
	size, err := resource.ParseQuantity(a.maxSize)
	if err != nil || size.Value() <= 0 {
		return nil, fmt.Errorf("--audit-max-size %q: want a positive size such as 100Mi", a.maxSize)
	}
	opts := audit.Options{Path: a.path, MaxSize: size.Value(), MaxBackups: a.maxBackups,
		Registerer: crmetrics.Registry, LogID: a.id(),
		CheckpointEvery: a.checkpointEvery, CheckpointInterval: a.checkpointInterval}
	if a.stdout && a.path != audit.PathStdout {
		opts.Mirror = os.Stdout
	}
	if a.shipURL != "" {
		opts.Ship = &audit.ShipOptions{URL: a.shipURL, BatchSize: a.shipBatch, MaxWait: a.shipMaxWait,
			BufferSize: a.shipBuffer, Overflow: a.shipOverflow}
	}
	if err := a.cluster(ctx, c, &opts); err != nil {
		return nil, err
	}
	l, err := audit.NewLog(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return l, nil
}

// cluster sets the keys and the anchor kept in the cluster.
func (a *auditFlags) cluster(ctx context.Context, c client.Client, opts *audit.Options) error {
	if a.keysSecret == "" && a.anchors == "" {
		return nil
	}
	if a.keysSecret != "" {
		ns, name, ok := strings.Cut(a.keysSecret, "/")
		if !ok {
			return fmt.Errorf("--audit-keys-secret must be namespace/name, not %q", a.keysSecret)
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		keys, err := kube.LoadKeys(ctx, c, ns, name)
		if err != nil {
			return err
		}
		opts.DigestKey, opts.SigningKey = keys.Digest, keys.Signing
	}
	if a.anchors != "" {
		ns, name, ok := strings.Cut(a.anchors, "/")
		if !ok || a.keysSecret == "" {
			return fmt.Errorf("--audit-anchors must be namespace/name and needs --audit-keys-secret, not %q", a.anchors)
		}
		opts.Anchor = &kube.ConfigMapAnchor{Client: c, Namespace: ns, Name: name, MaxAge: anchorMaxAge}
	}
	return nil
}

// id is --audit-log-id, else $POD_NAME, else the host name (a pod's name).
func (a *auditFlags) id() string {
	if a.logID != "" {
		return a.logID
	}
	if p := os.Getenv("POD_NAME"); p != "" {
		return p
	}
	h, _ := os.Hostname()
	return h
}
