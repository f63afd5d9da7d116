package vocab

// Prefix marks gitgate's own labels and annotations: only the sync identity may
// add, change or remove one, except the break-glass annotations (SelfServe).
const Prefix = "gitgate.dev/"

// Labels and annotations the applier writes on, or reads from, what it applies.
const (
	// ManagedLabel marks every object gitgate applied. Prune deletes only objects
	// that carry it, and the webhook lets only the sync identity set it, so it
	// cannot be forged to make gitgate delete something it did not create.
	ManagedLabel = Prefix + "managed"
	// ManagedValue is ManagedLabel's value.
	ManagedValue = "true"
	// ApplyAnnotation set to CreateOnly in git creates the object if it is
	// missing and never updates it.
	ApplyAnnotation = Prefix + "apply"
	// CreateOnly is the value of ApplyAnnotation that never updates.
	CreateOnly = "create-only"
	// PruneAnnotation set to PruneDisabled in git keeps the object in the
	// cluster when it leaves git.
	PruneAnnotation = Prefix + "prune"
	// PruneDisabled is the value of PruneAnnotation that never deletes.
	PruneDisabled = "disabled"
)

// Break-glass annotations, set on a live object by an emergency change that the
// break-glass policy allows ("<ticket>: <reason>", and an RFC 3339 end).
const (
	BreakGlassAnnotation      = Prefix + "break-glass"
	BreakGlassUntilAnnotation = Prefix + "break-glass-until"
)

// SelfServe reports whether a user may set the gitgate.dev/ annotation key on a
// request: the break-glass annotations, whose worth policy decides.
func SelfServe(key string) bool {
	return key == BreakGlassAnnotation || key == BreakGlassUntilAnnotation
}

// BaseRulesAnnotation, on gitgate's ValidatingWebhookConfiguration, holds the
// rules of each webhook as installed (the shipped wildcards), as JSON keyed by
// webhook name. The guard narrows from them, so a restarted gitgate, or one on
// a newer commit, never narrows from a previous revision's narrowed rules.
const BaseRulesAnnotation = Prefix + "base-rules"

// FieldManager is gitgate's field manager name: the applier's server-side
// applies (its default) and the drift scan's PolicyReports.
const FieldManager = "gitgate"
