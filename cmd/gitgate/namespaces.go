package main

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/webhook"
)

// cachedNamespaces answers webhook.NamespaceStates from a metadata-only informer
// of Namespaces, so the request path reads memory, never the API server.
type cachedNamespaces struct{ r client.Reader }

var _ webhook.NamespaceStates = cachedNamespaces{}

func namespaceMeta() *metav1.PartialObjectMetadata {
	ns := &metav1.PartialObjectMetadata{}
	ns.SetGroupVersionKind(metav1.SchemeGroupVersion.WithKind("Namespace"))
	ns.APIVersion, ns.Kind = "v1", "Namespace"
	return ns
}

// newCachedNamespaces registers the informer with c (started with the manager).
func newCachedNamespaces(ctx context.Context, c cache.Cache) (cachedNamespaces, error) {
	if _, err := c.GetInformer(ctx, namespaceMeta()); err != nil {
		return cachedNamespaces{}, fmt.Errorf("watch namespaces: %w", err)
	}
	return cachedNamespaces{r: c}, nil
}

// Terminating reports whether the namespace has a deletionTimestamp; a namespace
// the cache does not hold is not terminating.
func (n cachedNamespaces) Terminating(ctx context.Context, namespace string) bool {
	ns := namespaceMeta()
	if err := n.r.Get(ctx, client.ObjectKey{Name: namespace}, ns); err != nil {
		return false
	}
	return ns.DeletionTimestamp != nil
}
