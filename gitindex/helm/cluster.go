package helm

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex/internal/clusterdata"
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
	data, err := clusterdata.Get(ctx, c.Reader, kind, namespace, name, true)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return data, err
}
