package gitindex

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex/internal/yamlline"
)

// crdKind is the GroupKind of CustomResourceDefinitions.
var crdKind = schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}

// Proposal normalizes an object proposed outside git (`gitgate check -f`) as
// Build normalizes git's and as the API server would hand it to the webhook: a
// namespaced kind without a namespace gets defaultNamespace, a Secret's
// stringData is folded into data. It returns the object's key; obj is changed
// in place.
func (s *Snapshot) Proposal(obj map[string]any, defaultNamespace string) (Key, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if kind == "" || name == "" {
		return Key{}, fmt.Errorf("not a Kubernetes object with kind and metadata.name")
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return Key{}, fmt.Errorf("invalid apiVersion %q: %w", apiVersion, err)
	}
	gk := schema.GroupKind{Group: gv.Group, Kind: kind}
	namespace, _ := meta["namespace"].(string)
	namespaced, _ := ChainScope{s.crdScope(), BuiltinScope{}}.Namespaced(gk)
	switch {
	case namespaced && namespace == "":
		namespace = defaultNamespace
		meta["namespace"] = namespace
	case !namespaced && namespace != "":
		return Key{}, fmt.Errorf("%s is cluster-scoped but declares namespace %q", kind, namespace)
	}
	key := Key{Group: gv.Group, Kind: kind, Namespace: namespace, Name: name}
	normalize(key, obj)
	return key, nil
}

// CRDs returns the CustomResourceDefinitions git declares.
func (s *Snapshot) CRDs() []map[string]any {
	var out []map[string]any
	for k, o := range s.objects {
		if k.GroupKind() == crdKind {
			out = append(out, o.Object)
		}
	}
	return out
}

// crdScope is the scope of the custom resources of the commit's CRDs.
func (s *Snapshot) crdScope() Scope { return crdScope(s.CRDs()) }

// Proposed is one object of a file proposed outside git, with its line.
type Proposed struct {
	// Line is the 1-based line of its document, or of its item in a List.
	Line   int
	Object map[string]any
}

// ReadProposed splits a YAML or JSON file of proposed objects into objects,
// document by document, with the items of a List (ConfigMapList, List, ...)
// each on its own line. A document that is not an object is a problem
// ("line: message"); documents holding nothing are skipped.
func ReadProposed(data []byte) (objs []Proposed, problems []string) {
	for _, doc := range splitDocuments(data) {
		m, err := decodeDocument(doc.data)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%d: invalid YAML: %v", doc.line, err))
			continue
		case m == nil:
			continue
		}
		items, isList := m["items"].([]any)
		kind, _ := m["kind"].(string)
		if !isList || !strings.HasSuffix(kind, "List") {
			objs = append(objs, Proposed{Line: doc.line, Object: m})
			continue
		}
		spans := yamlline.ItemSpans(doc.data)
		for i, it := range items {
			line := doc.line
			if len(spans) == len(items) {
				line += spans[i].Line - 1
			}
			if im, ok := it.(map[string]any); ok {
				objs = append(objs, Proposed{Line: line, Object: im})
			} else {
				problems = append(problems, fmt.Sprintf("%d: %s item is not an object", line, kind))
			}
		}
	}
	return objs, problems
}
