package helm

import (
	"cmp"
	"fmt"

	"helm.sh/helm/v3/pkg/chartutil"
)

// DefaultKubeVersion is the Kubernetes version charts see by default: that of
// the client-go gitgate is built with (a test keeps the two in step). Helm's
// own default, v1.20, would make charts choose long-removed APIs.
const DefaultKubeVersion = "v1.37.0"

// capabilities are Helm's default capabilities (every API version client-go
// knows) with the Kubernetes version v (default DefaultKubeVersion).
func capabilities(v string) (*chartutil.Capabilities, error) {
	caps := chartutil.DefaultCapabilities.Copy()
	kv, err := chartutil.ParseKubeVersion(cmp.Or(v, DefaultKubeVersion))
	if err != nil {
		return nil, fmt.Errorf("kube version %q: %w", v, err)
	}
	caps.KubeVersion = *kv
	return caps, nil
}
