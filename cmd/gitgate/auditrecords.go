package main

import (
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// auditRecorder writes the records of what gitgate does on its own: revisions
// loaded and rejected, and the applier's reverts, creates, prunes and failures.
type auditRecorder struct {
	log *audit.Log

	mu           sync.Mutex
	lastRejected string // the last rejected commit recorded
	lastApplied  string // the commit of the last apply pass
}

// loaded records a revision now served, with who signed its commit.
func (a *auditRecorder) loaded(s *gitindex.Snapshot, signer string) {
	a.log.Record(audit.Record{Operation: audit.OperationLoad, Decision: audit.DecisionLoaded,
		Commit: s.Commit, Signer: signer, Reasons: s.Warnings})
}

// status is a Poller OnStatus hook: it records each newly rejected commit once.
func (a *auditRecorder) status(st gitindex.Status) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if st.RejectedCommit == "" || st.RejectedCommit == a.lastRejected {
		return
	}
	a.lastRejected = st.RejectedCommit
	a.log.Record(audit.Record{Operation: audit.OperationReject, Decision: audit.DecisionRejected,
		Commit: st.RejectedCommit, Reasons: []string{st.Err}})
}

// applied records what an apply pass changed.
func (a *auditRecorder) applied(res *apply.Result) {
	if res == nil || res.DryRun {
		return
	}
	a.mu.Lock()
	selfHeal := res.Commit == a.lastApplied
	a.lastApplied = res.Commit
	a.mu.Unlock()
	for _, r := range applyRecords(res, selfHeal) {
		a.log.Record(r)
	}
}

// applyRecords turns an apply pass into records: a create, a prune, a failure,
// and a configure that changed declared values — a revert of drift on a
// self-heal pass (same commit as the last), else git's change applied.
func applyRecords(res *apply.Result, selfHeal bool) []audit.Record {
	var out []audit.Record
	for _, o := range res.Objects {
		r := audit.Record{Time: res.Time, Operation: audit.OperationApply, Commit: res.Commit,
			GVK: audit.GVK{Group: o.Key.Group, Kind: o.Key.Kind}, Namespace: o.Key.Namespace, Name: o.Key.Name}
		switch {
		case o.Action == apply.ActionCreated:
			r.Decision = audit.DecisionCreated
		case o.Action == apply.ActionPruned:
			r.Operation, r.Decision = audit.OperationPrune, audit.DecisionPruned
		case o.Action == apply.ActionFailed:
			r.Decision = audit.DecisionFailed
			if o.Err != nil {
				r.Reasons = []string{o.Err.Error()}
			}
		case o.Action == apply.ActionConfigured && len(o.Diff) > 0:
			r.Decision = audit.DecisionApplied
			if selfHeal {
				r.Decision = audit.DecisionReverted
			}
		default:
			continue
		}
		r.Drift = drift.Items(o.Diff)
		if o.Key.Group == "" && o.Key.Kind == "Secret" {
			r.Drift = audit.MaskSecret(r.Drift)
		}
		if gv, err := schema.ParseGroupVersion(o.APIVersion); err == nil {
			r.GVK.Version = gv.Version
		}
		out = append(out, r)
	}
	return out
}
