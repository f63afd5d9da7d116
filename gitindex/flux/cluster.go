package flux

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex/internal/clusterdata"
)

// ClusterValues is the ValueReader of a running gitgate: it gets the
// ConfigMaps and Secrets that substituteFrom names from the API server, as
// kustomize-controller does (ConfigMap data, Secret data; never binaryData).
// It needs only `get` on them; use an uncached reader, so that gitgate watches
// no Secrets.
type ClusterValues struct {
	Reader client.Reader
}

var _ ValueReader = ClusterValues{}

// Values implements ValueReader.
func (c ClusterValues) Values(ctx context.Context, kind, namespace, name string) (map[string]string, error) {
	data, err := clusterdata.Get(ctx, c.Reader, kind, namespace, name, false)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("read %s %s/%s: %w", kind, namespace, name, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(data))
	for k, v := range data {
		out[k] = string(v)
	}
	return out, nil
}
