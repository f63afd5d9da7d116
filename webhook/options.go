package webhook

import (
	"errors"
	"fmt"
)

// Modes of enforcement.
const (
	ModeEnforce = "enforce"
	ModeWarn    = "warn"
	ModeAudit   = "audit"
)

// Options configures the Handler.
type Options struct {
	Identities
	// Mode is the global mode: enforce (deny), warn (allow with a warning) or audit
	// (allow, audit only). Default enforce. .gitgate.yaml may override it per namespace.
	Mode string
	// Merge allows paths git does not declare to be changed (merge mode); the default
	// (strict) denies them.
	Merge bool
	// AllowUnknown lets anyone create objects git does not declare in namespaces git
	// governs (--unknown=allow). Default deny.
	AllowUnknown bool
	// Namespaces tells which namespaces are terminating: the namespace controller
	// deletes declared objects only there. Nil: none is (its deletes of declared
	// objects are denied).
	Namespaces NamespaceStates
	// Kinds maps resources to kinds for subresource requests that do not carry
	// their parent's kind (scale of a custom resource), after the built-in kinds
	// and the commit's CRDs; nil: those two only. A request whose parent cannot
	// be mapped, where git could declare it, is denied with an explanation.
	Kinds Kinds
	// Revisions gives the revision to judge by (a *revision.Store); required by
	// NewHandler. The revision carries the comparison and its schemas.
	Revisions Revisions
	// Auditor receives audit records; nil discards them.
	Auditor Auditor
	// Metrics, if set, counts decisions.
	Metrics *Metrics
	// Events, if set, receives a Kubernetes Event per drift decision (rate-limited).
	Events EventRecorder
}

// Default fills in defaults.
func (o *Options) Default() {
	if o.Mode == "" {
		o.Mode = ModeEnforce
	}
}

// Validate reports invalid options for a serving Handler: the decision's
// settings, at least one sync user and a source of revisions.
func (o Options) Validate() error {
	if err := o.ValidateDecision(); err != nil {
		return err
	}
	if len(o.SyncUsers) == 0 {
		return fmt.Errorf("at least one sync user is required")
	}
	if o.Revisions == nil {
		return errors.New("revisions are required")
	}
	return nil
}

// ValidateDecision reports invalid settings of the decision itself: what Decide
// needs (no sync identity is required there).
func (o Options) ValidateDecision() error {
	switch o.Mode {
	case "", ModeEnforce, ModeWarn, ModeAudit:
	default:
		return fmt.Errorf("mode %q is not one of enforce, warn, audit", o.Mode)
	}
	for _, u := range o.SyncUsers {
		if u == "" {
			return fmt.Errorf("sync user must not be empty")
		}
	}
	return o.Identities.Validate()
}
