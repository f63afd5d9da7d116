package apply

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// Action is what Apply did, or would do in a dry run, to one object.
type Action string

// Actions.
const (
	ActionCreated    Action = "created"
	ActionConfigured Action = "configured"
	ActionUnchanged  Action = "unchanged"
	// ActionSkipped: a create-only object that already exists, or a drifted object
	// inside a break-glass window (gitgate.dev/break-glass-until in the future).
	ActionSkipped Action = "skipped"
	ActionPruned  Action = "pruned"
	ActionFailed  Action = "failed"

	ActionWouldCreate    Action = "would-create"
	ActionWouldConfigure Action = "would-configure"
	ActionWouldPrune     Action = "would-prune"
)

// Result reports one Apply.
type Result struct {
	// Commit is the snapshot's commit.
	Commit string
	// DryRun is true if nothing was written.
	DryRun bool
	// Objects holds one entry per object of the snapshot, in apply order, then
	// one per object pruned (or that would be, or failed to be).
	Objects []ObjectResult
	// Pruned lists the objects deleted because they left git.
	Pruned []gitindex.Key
	// Errors holds every failure: per object, prune, inventory. Apply returns
	// them together as an *ApplyError.
	Errors []error
	// Time is when Apply started; Duration how long it took.
	Time     time.Time
	Duration time.Duration
}

// ObjectResult reports one object.
type ObjectResult struct {
	Key gitindex.Key
	// APIVersion is the version the object was applied (or pruned) in.
	APIVersion string
	Action     Action
	// Diff holds the declared paths whose live value differed from git's (nil
	// for an object that matched or was created for real). In a dry run it is
	// what applying would change; "would-configure" with an empty Diff means
	// git changed since the last apply in a way the comparison does not see
	// (a field removed from git), which server-side apply would remove.
	Diff []drift.Change
	// Status is the kstatus of the live object after the action (Current,
	// InProgress, Failed, Terminating, NotFound, Unknown); "" if unknown.
	Status  string
	Message string
	// Err is the failure of a "failed" action.
	Err error
}

// Changed reports whether the action wrote to the cluster or would have.
func (o ObjectResult) Changed() bool {
	switch o.Action {
	case ActionCreated, ActionConfigured, ActionPruned, ActionWouldCreate, ActionWouldConfigure, ActionWouldPrune:
		return true
	}
	return false
}

// Counts returns the number of objects per action.
func (r *Result) Counts() map[Action]int {
	out := map[Action]int{}
	for _, o := range r.Objects {
		out[o.Action]++
	}
	return out
}

// Failed returns the objects whose action failed.
func (r *Result) Failed() []ObjectResult {
	var out []ObjectResult
	for _, o := range r.Objects {
		if o.Action == ActionFailed {
			out = append(out, o)
		}
	}
	return out
}

// Summary renders the counts for logs and the CLI: "3 created, 2 unchanged".
func (r *Result) Summary() string {
	counts := r.Counts()
	actions := make([]string, 0, len(counts))
	for a := range counts {
		actions = append(actions, string(a))
	}
	sort.Strings(actions)
	parts := make([]string, 0, len(actions))
	for _, a := range actions {
		parts = append(parts, fmt.Sprintf("%d %s", counts[Action(a)], a))
	}
	if len(parts) == 0 {
		return "nothing to do"
	}
	return strings.Join(parts, ", ")
}

// ApplyError is returned by Apply when any object, the prune or the inventory
// failed; the other objects were still applied. errors.Is and errors.As see
// every underlying error.
type ApplyError struct {
	Commit string
	// Failed are the objects that failed to apply or prune.
	Failed []ObjectResult
	// Errs are all the errors (Result.Errors).
	Errs []error
}

func (e *ApplyError) Error() string {
	short := e.Commit
	if len(short) > 7 {
		short = short[:7]
	}
	msgs := make([]string, 0, len(e.Errs))
	for _, err := range e.Errs {
		msgs = append(msgs, err.Error())
	}
	return fmt.Sprintf("apply %s: %d error(s): %s", short, len(e.Errs), strings.Join(msgs, "; "))
}

// Unwrap returns every underlying error.
func (e *ApplyError) Unwrap() []error { return e.Errs }
