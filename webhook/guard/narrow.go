package guard

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
)

// baseRules maps webhook names to their installed rules.
type baseRules map[string][]admissionregistrationv1.RuleWithOperations

// baseRulesOf reads the annotation, or takes the configuration's own rules when
// it has none (a fresh install).
func baseRulesOf(vwc *admissionregistrationv1.ValidatingWebhookConfiguration) (baseRules, error) {
	if s, ok := vwc.Annotations[vocab.BaseRulesAnnotation]; ok {
		var b baseRules
		if err := json.Unmarshal([]byte(s), &b); err != nil {
			return nil, fmt.Errorf("read annotation %s: %w", vocab.BaseRulesAnnotation, err)
		}
		return b, nil
	}
	b := baseRules{}
	for _, w := range vwc.Webhooks {
		b[w.Name] = w.Rules
	}
	return b, nil
}

func (b baseRules) String() string {
	data, _ := json.Marshal(b) // maps of plain structs: cannot fail
	return string(data)
}

// DeclaredResources maps every kind git declares, in git's version, to its
// resource through mapper (discovery): what the narrowed rules name. Namespaces
// are always in (a Namespace holding declared objects is judged), and the
// bindings resource whenever Pods are (it binds a Pod). A kind the API server
// does not serve (yet) is an error: the rules are then not narrowed.
func DeclaredResources(mapper meta.RESTMapper, snap *gitindex.Snapshot) ([]schema.GroupVersionResource, error) {
	seen := map[schema.GroupVersionResource]bool{{Version: "v1", Resource: "namespaces"}: true}
	for _, o := range snap.Objects() {
		gvk := o.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return nil, fmt.Errorf("map %s to its resource: %w", gvk, err)
		}
		seen[m.Resource] = true
		if m.Resource == (schema.GroupVersionResource{Version: "v1", Resource: "pods"}) {
			seen[schema.GroupVersionResource{Version: "v1", Resource: "bindings"}] = true
		}
	}
	out := make([]schema.GroupVersionResource, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b schema.GroupVersionResource) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Resource, b.Resource))
	})
	return out, nil
}

// Narrow rewrites rules to name only the given resources, exactly: one rule per
// base rule and group/version, with the base rule's operations and scope, and
// for each resource the subresources the base rule names ("*/scale" → r/scale).
// Exact group/versions let matchPolicy Equivalent convert a request in any other
// version into git's. A base rule no resource matches disappears.
func Narrow(base []admissionregistrationv1.RuleWithOperations, resources []schema.GroupVersionResource) []admissionregistrationv1.RuleWithOperations {
	var out []admissionregistrationv1.RuleWithOperations
	for _, rule := range base {
		byGV := map[schema.GroupVersion][]string{}
		var order []schema.GroupVersion
		for _, r := range resources {
			if !anyOf(rule.APIGroups, r.Group) || !anyOf(rule.APIVersions, r.Version) {
				continue
			}
			names := narrowResources(rule.Resources, r.Resource)
			if len(names) == 0 {
				continue
			}
			gv := r.GroupVersion()
			if _, ok := byGV[gv]; !ok {
				order = append(order, gv)
			}
			byGV[gv] = append(byGV[gv], names...)
		}
		for _, gv := range order {
			n := *rule.DeepCopy()
			n.APIGroups, n.APIVersions, n.Resources = []string{gv.Group}, []string{gv.Version}, byGV[gv]
			out = append(out, n)
		}
	}
	return out
}

func anyOf(patterns []string, s string) bool {
	return slices.Contains(patterns, "*") || slices.Contains(patterns, s)
}

// narrowResources is what of resource a rule's resource patterns cover.
func narrowResources(patterns []string, resource string) []string {
	var out []string
	for _, p := range patterns {
		res, sub, hasSub := strings.Cut(p, "/")
		if res != "*" && res != resource {
			continue
		}
		name := resource
		if hasSub {
			name += "/" + sub
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// resourcesOf lists the group/version/resources that narrowed rules name.
func resourcesOf(rules []admissionregistrationv1.RuleWithOperations) []schema.GroupVersionResource {
	var out []schema.GroupVersionResource
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, v := range r.APIVersions {
				for _, res := range r.Resources {
					gvr := schema.GroupVersionResource{Group: g, Version: v, Resource: strings.SplitN(res, "/", 2)[0]}
					if !slices.Contains(out, gvr) {
						out = append(out, gvr)
					}
				}
			}
		}
	}
	return out
}
