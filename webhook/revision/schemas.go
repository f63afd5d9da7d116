package revision

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/openapi3"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// SchemaSource resolves the schemas of custom kinds when a revision is built.
type SchemaSource interface {
	// Resolve returns the schemas of those of gvks it can resolve now; it may do
	// I/O. A kind left out compares structurally in this revision.
	Resolve(ctx context.Context, snap *gitindex.Snapshot, gvks []schema.GroupVersionKind) drift.SchemaSet
}

// FromCommit resolves custom kinds from the CustomResourceDefinitions the commit
// declares, without an API server (`gitgate check`, the benchmark).
func FromCommit() SchemaSource { return commitSchemas{} }

type commitSchemas struct{}

func (commitSchemas) Resolve(_ context.Context, snap *gitindex.Snapshot, _ []schema.GroupVersionKind) drift.SchemaSet {
	return drift.NewCRDSchemas(snap.CRDs())
}

// FromCluster resolves custom kinds from the API server's OpenAPI v3 document
// (e.g. openapi3.NewRoot(discoveryClient.OpenAPIV3())), one GroupVersion at a
// time and only for the kinds a commit declares. What it fetched is kept for
// the next revisions; a GroupVersion not served yet is asked again next time.
func FromCluster(root openapi3.Root) SchemaSource {
	return clusterSchemas{drift.NewOpenAPISchemas(root)}
}

type clusterSchemas struct{ o *drift.OpenAPISchemas }

func (c clusterSchemas) Resolve(_ context.Context, _ *gitindex.Snapshot, gvks []schema.GroupVersionKind) drift.SchemaSet {
	return c.o.Resolve(gvks)
}
