package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// maxMessageItems bounds the drift lines of a denial so kubectl output stays short.
const maxMessageItems = 8

// maxValueLen truncates values in messages.
const maxValueLen = 60

// message renders the text kubectl prints: what, where in git, each drifted field
// with git's and the requested value, and the way forward.
func message(rev *Revision, in *input, v *verdict) string {
	var b strings.Builder
	verb := map[string]string{DecisionDenied: "denied", DecisionWarned: "would be denied (warn mode)", DecisionAudited: "drifts from git (audit mode)"}[v.decision]
	fmt.Fprintf(&b, "gitgate: %s of %s %s", in.req.Operation, in.key, verb)
	if in.req.SubResource != "" {
		fmt.Fprintf(&b, " (subresource %s)", in.req.SubResource)
	}
	b.WriteString(".\n")
	src := v.source
	if v.desired != nil {
		if src == "" {
			src = gitSource(v)
		}
		fmt.Fprintf(&b, "  git: %s@%s:%s\n", rev.Snapshot.Repo, rev.Snapshot.ShortCommit(), src)
	}
	secret := isSecret(in)
	lines := reasonLines(in, v, secret)
	for i, l := range lines {
		if i == maxMessageItems {
			fmt.Fprintf(&b, "  ... and %d more\n", len(lines)-i)
			break
		}
		b.WriteString("  - " + l + "\n")
	}
	for _, d := range v.policyDeny {
		b.WriteString("  - policy: " + d + "\n")
	}
	if v.policyErr != nil {
		fmt.Fprintf(&b, "  - policy evaluation failed, so the change is not excepted: %v\n", v.policyErr)
	}
	for _, e := range v.expired {
		fmt.Fprintf(&b, "  - exception %q expired at %s\n", e.ID, e.Expires.UTC().Format("2006-01-02T15:04:05Z"))
	}
	b.WriteString("  " + advice(rev, in, v, src))
	return b.String()
}

// gitSource is path:line of the first drifted field git declares (in a
// kustomization's patch when one set it; for a list or map compared whole, of
// the first place where the two differ), else the object's.
func gitSource(v *verdict) string {
	for _, c := range v.violations {
		if c.Declared && c.Path != "" {
			file, line := v.desired.SourceOf(drift.DetailPath(c))
			return fmt.Sprintf("%s:%d", file, line)
		}
	}
	return v.desired.Source()
}

// reasonLines describes the forbidden changes, then the violations; a change
// that is both (gitgate's own metadata that git declares) is described once.
func reasonLines(in *input, v *verdict, secret bool) []string {
	out := make([]string, 0, len(v.forbidden)+len(v.violations))
	seen := make(map[string]bool, len(v.forbidden))
	for _, c := range v.forbidden {
		seen[c.Path] = true
		out = append(out, describe(c, in, secret, true))
	}
	for _, c := range v.violations {
		if note, ok := v.notes[c.Path]; ok {
			out = append(out, noted(c, note))
			continue
		}
		if c.Path == "" || !seen[c.Path] {
			out = append(out, describe(c, in, secret, false))
		}
	}
	return out
}

func describe(c drift.Change, in *input, secret, forbidden bool) string {
	if line, ok := subresourceLine(c, in); ok && !forbidden {
		return line
	}
	switch {
	case forbidden && c.New == nil:
		return c.Path + ": removed; only gitgate's sync identity may change gitgate.dev/ labels and annotations"
	case forbidden:
		return c.Path + ": only gitgate's sync identity may set gitgate.dev/ labels and annotations"
	case c.Path == "" && in.req.Operation == "DELETE":
		return "delete: the object is declared in git"
	case c.Path == "":
		return fmt.Sprintf("create: not declared in git, and git manages %s objects in namespace %s", in.key.Kind, in.key.Namespace)
	case !c.Declared && c.New == nil:
		return fmt.Sprintf("%s: not declared in git (strict mode), request removes it", c.Path)
	case !c.Declared && c.Git != nil && c.New != nil:
		return fmt.Sprintf("%s: git leaves the default %s, request has %s", c.Path, show(c.Git, secret), show(c.New, secret))
	case !c.Declared:
		return fmt.Sprintf("%s: not declared in git (strict mode), request sets %s", c.Path, show(c.New, secret))
	case c.New == nil:
		return fmt.Sprintf("%s: git has %s, request removes it", c.Path, show(c.Git, secret))
	}
	sub, g, n := drift.FirstDifference(c.Git, c.New)
	gs, ns := showPair(g, n, secret)
	if sub != "" {
		return fmt.Sprintf("%s: differs at %s%s: git has %s, request has %s", c.Path, c.Path, sub, gs, ns)
	}
	return fmt.Sprintf("%s: git has %s, request has %s", c.Path, gs, ns)
}

// showPair renders git's and the requested value; two long strings that share
// a beginning are shown from a little before where they differ, so that the
// difference is not cut off.
func showPair(g, n any, secret bool) (string, string) {
	a, aok := g.(string)
	b, bok := n.(string)
	if secret || !aok || !bok || len(a) <= maxValueLen-2 && len(b) <= maxValueLen-2 {
		return show(g, secret), show(n, secret)
	}
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	if p < maxValueLen/2 {
		return show(g, secret), show(n, secret)
	}
	from := p - maxValueLen/4
	for from > 0 && !utf8.RuneStart(a[from]) {
		from--
	}
	return "..." + show(a[from:], false), "..." + show(b[from:], false)
}

// noted is a violation's line when the verdict explains it.
func noted(c drift.Change, note string) string {
	if c.Path == "" {
		return "delete: " + note
	}
	return c.Path + ": " + note
}

// advice is the way forward; src is gitSource(v) when git declares the object.
func advice(rev *Revision, in *input, v *verdict, src string) string {
	policyDir := strings.TrimSuffix(rev.Snapshot.PolicyPath, "/") + "/"
	if policyDir == "/" {
		policyDir = "policies/"
	}
	if s, ok := subresourceAdvice(in, v); ok {
		return s
	}
	switch {
	case v.notInGit:
		return fmt.Sprintf("Add it to git (namespace %s is managed by %s), or add an exception under %s.", in.key.Namespace, rev.Snapshot.Repo, policyDir)
	case v.desired == nil && in.req.Operation == "DELETE":
		return fmt.Sprintf("To delete it, remove what it holds from git and push (the sync prunes it), or add an exception under %s.", policyDir)
	case v.desired == nil:
		return "Only gitgate's sync identity may change gitgate.dev/ metadata."
	case in.req.Operation == "DELETE":
		return fmt.Sprintf("To delete it, remove it from git at %s and push; or add an exception under %s.", v.desired.Source(), policyDir)
	}
	return fmt.Sprintf("Change it in git at %s and push (the sync applies it), or add an exception under %s.", src, policyDir)
}

// show renders a value for a message: JSON, truncated; Secret values hidden.
func show(v any, secret bool) string {
	if v == nil {
		return "(absent)"
	}
	if secret {
		return "(hidden)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(b)
	if len(s) > maxValueLen {
		s = s[:maxValueLen-3] + "..."
	}
	return s
}

// isSecret reports whether the request is on a Secret, whose values are never shown.
func isSecret(in *input) bool { return in.key.Group == "" && in.key.Kind == "Secret" }
