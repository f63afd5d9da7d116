// Package clusterdata reads the data of a ConfigMap or Secret from the API
// server, for the renderers that take values from the cluster while a revision
// is built (Flux's postBuild.substituteFrom, a HelmRelease's valuesFrom). It
// never runs on the request path.
package clusterdata

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Get returns the data of the ConfigMap or Secret kind namespace/name:
// a ConfigMap's data (and its binaryData when binary is set), a Secret's data.
// An error from the API server is wrapped, so apierrors.IsNotFound sees through
// it; any other kind is an error.
func Get(ctx context.Context, r client.Reader, kind, namespace, name string, binary bool) (map[string][]byte, error) {
	key := client.ObjectKey{Namespace: namespace, Name: name}
	switch kind {
	case "ConfigMap":
		var cm corev1.ConfigMap
		if err := r.Get(ctx, key, &cm); err != nil {
			return nil, fmt.Errorf("read ConfigMap %s/%s: %w", namespace, name, err)
		}
		out := make(map[string][]byte, len(cm.Data)+len(cm.BinaryData))
		if binary {
			for k, v := range cm.BinaryData {
				out[k] = v
			}
		}
		for k, v := range cm.Data {
			out[k] = []byte(v)
		}
		return out, nil
	case "Secret":
		var s corev1.Secret
		if err := r.Get(ctx, key, &s); err != nil {
			return nil, fmt.Errorf("read Secret %s/%s: %w", namespace, name, err)
		}
		return s.Data, nil
	}
	return nil, fmt.Errorf("read %s %s/%s: only ConfigMaps and Secrets hold values", kind, namespace, name)
}
