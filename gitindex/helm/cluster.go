package helm

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ClusterValues reads valuesFrom ConfigMaps and Secrets from the API server
// with Reader (use an uncached reader: only the objects HelmReleases name are
// read, when a revision is built). It needs get on configmaps and secrets in
// the HelmReleases' namespaces.
type ClusterValues struct {
	Reader client.Reader
}

var _ ValuesReader = ClusterValues{}

// ReadValues implements ValuesReader.
func (c ClusterValues) ReadValues(ctx context.Context, kind, namespace, name string) (map[string][]byte, error) {
	key := client.ObjectKey{Namespace: namespace, Name: name}
	switch kind {
	case "ConfigMap":
		var cm corev1.ConfigMap
		if err := c.Reader.Get(ctx, key, &cm); err != nil {
			return nil, notFound(err)
		}
		out := make(map[string][]byte, len(cm.Data)+len(cm.BinaryData))
		for k, v := range cm.BinaryData {
			out[k] = v
		}
		for k, v := range cm.Data {
			out[k] = []byte(v)
		}
		return out, nil
	case "Secret":
		var s corev1.Secret
		if err := c.Reader.Get(ctx, key, &s); err != nil {
			return nil, notFound(err)
		}
		return s.Data, nil
	}
	return nil, fmt.Errorf("read values from a %s: only ConfigMaps and Secrets hold values", kind)
}

// notFound wraps ErrNotFound into a NotFound error from the API server.
func notFound(err error) error {
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return fmt.Errorf("read values: %w", err)
}
