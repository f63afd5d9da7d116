package apply

import (
	"errors"
	"fmt"
	"time"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// Defaults of Options.
const (
	DefaultFieldManager       = vocab.FieldManager
	DefaultWaitTimeout        = 30 * time.Second
	DefaultInventoryNamespace = "gitgate-system"
	DefaultInventoryName      = "gitgate-inventory"
)

// Options configures an Applier. Zero string and duration fields take their
// defaults; start from DefaultOptions so that Prune is on.
type Options struct {
	// FieldManager is the server-side apply field manager; default "gitgate".
	FieldManager string
	// Comparer decides whether a live object already matches git; required.
	// Pass the revision's (revision.Revision.Comparer), so that the applier and
	// the webhook agree on what "matches git" means.
	Comparer *drift.Comparer
	// Prune deletes objects that left git (see the package doc). DefaultOptions
	// sets it; the zero Options never deletes anything.
	Prune bool
	// DryRun computes and reports what Apply would do and writes nothing: no
	// apply, no delete, no inventory update.
	DryRun bool
	// WaitTimeout bounds the wait for the CRDs of a commit to be established and
	// served; default 30s.
	WaitTimeout time.Duration
	// InventoryNamespace and InventoryName locate the ConfigMap recording what
	// gitgate applied; default gitgate-system/gitgate-inventory. The namespace
	// must exist (git may declare it: namespaces apply before the inventory is written).
	InventoryNamespace string
	InventoryName      string
	// Metrics, if set, records the outcome of every Apply that is not a dry run.
	Metrics *Metrics
	// BreakGlassWindow, if set, returns the longest break-glass window the policy
	// of snap's own revision grants (policy.Engine.BreakGlassWindow); a live
	// object in a window no longer than that (and than MaxBreakGlass) is left
	// alone until it ends. Nil or 0: break-glass is off and every object is
	// applied, whatever its annotations say.
	BreakGlassWindow func(snap *gitindex.Snapshot) time.Duration
}

// DefaultOptions returns the options `gitgate apply` and `gitgate serve --apply` use.
func DefaultOptions() Options {
	return Options{
		FieldManager:       DefaultFieldManager,
		Prune:              true,
		WaitTimeout:        DefaultWaitTimeout,
		InventoryNamespace: DefaultInventoryNamespace,
		InventoryName:      DefaultInventoryName,
	}
}

// Validate reports an invalid Options value; zero fields other than Comparer
// are valid and mean their defaults.
func (o Options) Validate() error {
	var errs []error
	if o.Comparer == nil {
		errs = append(errs, errors.New("a comparer is required"))
	}
	if o.WaitTimeout < 0 {
		errs = append(errs, fmt.Errorf("wait timeout %s is negative", o.WaitTimeout))
	}
	if (o.InventoryNamespace == "") != (o.InventoryName == "") {
		errs = append(errs, errors.New("inventory namespace and name must be set together"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid apply options: %w", err)
	}
	return nil
}

// withDefaults returns o with zero fields replaced by their defaults.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.FieldManager == "" {
		o.FieldManager = d.FieldManager
	}
	if o.WaitTimeout == 0 {
		o.WaitTimeout = d.WaitTimeout
	}
	if o.InventoryName == "" {
		o.InventoryNamespace, o.InventoryName = d.InventoryNamespace, d.InventoryName
	}
	return o
}
