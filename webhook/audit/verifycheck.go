package audit

import (
	"fmt"
	"slices"
)

// checkpoint checks a checkpoint line: its signature, its log id, and that the
// chain read so far has the hashes it claims.
func (v *logVerifier) checkpoint(l link) {
	c := l.Checkpoint
	v.rep.Checkpoints++
	if v.opts.PublicKey != nil {
		if err := c.Verify(v.opts.PublicKey); err != nil {
			v.add(FindingBadSignature, l.Seq, l.Seq, err.Error())
			return
		}
	}
	if v.rep.Log == "" {
		v.rep.Log = c.Log
	} else if c.Log != v.rep.Log {
		v.add(FindingInserted, l.Seq, l.Seq, fmt.Sprintf("checkpoint of log %q in log %q", c.Log, v.rep.Log))
		return
	}
	if v.claimHolds(c, l.Seq) && v.opts.PublicKey != nil {
		v.rep.Signed = max(v.rep.Signed, c.Seq)
	}
	v.lastCP = max(v.lastCP, c.Seq)
}

// claimHolds compares c's claim with the hashes read, reporting a rewrite.
func (v *logVerifier) claimHolds(c *Checkpoint, at uint64) bool {
	if h, ok := v.hashes[c.Seq]; ok && h != c.Head {
		v.add(FindingRewritten, v.lastCP+1, c.Seq, fmt.Sprintf("the checkpoint at seq %d signed another hash for seq %d", at, c.Seq))
		return false
	}
	if h, ok := v.hashes[c.Seq+1]; ok && c.LineHash != "" && c.Seq+1 < at && h != c.LineHash {
		v.add(FindingEdited, c.Seq+1, c.Seq+1, "the checkpoint line differs from the anchor's copy")
		return false
	}
	return true
}

// finish reports what only the end can tell: lines never found, unreadable last
// lines, and a tail cut below the anchored checkpoint.
func (v *logVerifier) finish() {
	if len(v.awaited) > 0 {
		seqs := make([]uint64, 0, len(v.awaited))
		for s := range v.awaited {
			seqs = append(seqs, s)
		}
		slices.Sort(seqs)
		for i := 0; i < len(seqs); {
			j := i
			for j+1 < len(seqs) && seqs[j+1] == seqs[j]+1 {
				j++
			}
			v.add(FindingMissing, seqs[i], seqs[j], "deleted")
			i = j + 1
		}
	}
	if len(v.corrupt) > 0 {
		n := uint64(len(v.corrupt))
		v.add(FindingEdited, v.last+1, v.last+n, "unreadable last line(s) (truncated or edited)")
	}
	v.anchor()
}

// anchor compares the chain's end with the anchored checkpoint.
func (v *logVerifier) anchor() {
	c := v.opts.Anchor
	if c == nil {
		return
	}
	if v.opts.PublicKey != nil {
		if err := c.Verify(v.opts.PublicKey); err != nil {
			v.add(FindingBadSignature, c.Seq, c.Seq, "anchor: "+err.Error())
			return
		}
	}
	v.rep.Anchored = c.Seq
	end := c.Seq
	if c.LineHash != "" {
		end++ // the anchored checkpoint's own line
	}
	if end > v.rep.Last {
		v.add(FindingCut, v.rep.Last+1, end, fmt.Sprintf("the anchored checkpoint proves lines up to seq %d", end))
		return
	}
	v.claimHolds(c, v.rep.Last+1)
	if h, ok := v.hashes[end]; ok && c.LineHash != "" && h != c.LineHash {
		v.add(FindingEdited, end, end, "the checkpoint line differs from the anchor's copy")
	}
}
