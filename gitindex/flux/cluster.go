package flux

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
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
	key := client.ObjectKey{Namespace: namespace, Name: name}
	var err error
	out := map[string]string{}
	switch kind {
	case "ConfigMap":
		cm := &corev1.ConfigMap{}
		if err = c.Reader.Get(ctx, key, cm); err == nil {
			for k, v := range cm.Data {
				out[k] = v
			}
		}
	case "Secret":
		s := &corev1.Secret{}
		if err = c.Reader.Get(ctx, key, s); err == nil {
			for k, v := range s.Data {
				out[k] = string(v)
			}
		}
	default:
		return nil, fmt.Errorf("read %s %s/%s: not a ConfigMap or Secret", kind, namespace, name)
	}
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("read %s %s/%s: %w", kind, namespace, name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s/%s: %w", kind, namespace, name, err)
	}
	return out, nil
}
