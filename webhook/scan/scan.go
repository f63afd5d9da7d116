package scan

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// Finding is one declared object whose live state differs from git.
type Finding struct {
	Key     gitindex.Key   `json:"key"`
	Source  string         `json:"source"` // path:line in git (of the first drifted field git declares)
	Missing bool           `json:"missing,omitempty"`
	Changes []drift.Change `json:"changes,omitempty"`
}

// Report is the result of one scan.
type Report struct {
	Commit   string    `json:"commit"`
	Objects  int       `json:"objects"`
	Findings []Finding `json:"findings"`
	// Errors lists kinds that could not be listed (for example, a CRD not installed).
	Errors []string `json:"errors,omitempty"`
}

// DefaultEntitled are the field managers whose additions to a declared object
// the scan does not report: the applier's (its default field manager) and the
// cluster's controllers'.
var DefaultEntitled = append([]string{vocab.FieldManager}, drift.ClusterManagers...)

// Scanner compares live objects with a snapshot.
type Scanner struct {
	Reader   client.Reader
	Comparer *drift.Comparer
	// Entitled are the field managers whose additions are not drift; nil means
	// DefaultEntitled.
	Entitled []string
}

// Scan lists every kind the snapshot declares (one LIST per GroupVersionKind) and
// compares each declared object with its live state.
func (s *Scanner) Scan(ctx context.Context, snap *gitindex.Snapshot) (*Report, error) {
	byGVK := map[schema.GroupVersionKind][]*gitindex.Object{}
	for _, o := range snap.Objects() {
		byGVK[o.GroupVersionKind()] = append(byGVK[o.GroupVersionKind()], o)
	}
	rep := &Report{Commit: snap.Commit, Objects: snap.Len()}
	for gvk, objs := range byGVK {
		live, err := s.list(ctx, gvk)
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s: %v", gvk.Kind, err))
			continue
		}
		for _, o := range objs {
			if f, drifted := s.compare(snap, gvk, o, live); drifted {
				rep.Findings = append(rep.Findings, f)
			}
		}
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int { return compareSources(a.Source, b.Source) })
	sort.Strings(rep.Errors)
	return rep, nil
}

// compareSources orders file:line sources by file, then by line number (line
// 10 after line 9, which a comparison of the strings would not give).
func compareSources(a, b string) int {
	fa, la := splitSource(a)
	fb, lb := splitSource(b)
	return cmp.Or(strings.Compare(fa, fb), cmp.Compare(la, lb))
}

func splitSource(s string) (file string, line int) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, 0
	}
	return s[:i], n
}

func (s *Scanner) compare(snap *gitindex.Snapshot, gvk schema.GroupVersionKind, o *gitindex.Object, live map[gitindex.Key]map[string]any) (Finding, bool) {
	f := Finding{Key: o.Key, Source: o.Source()}
	obj, ok := live[o.Key]
	if !ok {
		f.Missing = true
		return f, true
	}
	entitled := s.Entitled
	if entitled == nil {
		entitled = DefaultEntitled
	}
	f.Changes = s.Comparer.Against(obj, s.Comparer.DesiredOf(o), entitled...)
	// An owner's fields (gitindex.Ownership) are not drift.
	f.Changes = drift.Unowned(f.Changes, snap.Owners(o.Key))
	if len(f.Changes) > 0 { // the drifted field's line, not the object's
		file, line := o.SourceOf(drift.DetailPath(f.Changes[0]))
		f.Source = fmt.Sprintf("%s:%d", file, line)
	}
	return f, len(f.Changes) > 0
}

func (s *Scanner) list(ctx context.Context, gvk schema.GroupVersionKind) (map[gitindex.Key]map[string]any, error) {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := s.Reader.List(ctx, l); err != nil {
		if meta.IsNoMatchError(err) || apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("kind not served by the cluster: %w", err)
		}
		return nil, fmt.Errorf("list %s: %w", gvk, err)
	}
	out := make(map[gitindex.Key]map[string]any, len(l.Items))
	for i := range l.Items {
		it := &l.Items[i]
		out[gitindex.Key{Group: gvk.Group, Kind: gvk.Kind, Namespace: it.GetNamespace(), Name: it.GetName()}] = it.Object
	}
	return out, nil
}
