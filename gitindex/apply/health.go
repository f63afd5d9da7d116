package apply

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// health computes the kstatus of a live object (NotFound for none): Current
// once it is reconciled, InProgress while a controller works on it, Failed
// when it reports failure.
func health(live *unstructured.Unstructured) (string, string) {
	if live == nil {
		return string(status.NotFoundStatus), ""
	}
	res, err := status.Compute(live)
	if err != nil {
		return string(status.UnknownStatus), err.Error()
	}
	return string(res.Status), res.Message
}
