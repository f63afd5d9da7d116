package main

import (
	"context"
	"slices"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
)

// warnApplierNotSync logs a warning when the applier's own identity is not one of
// the sync users: the webhook would then gate the applier's writes like a human's
// — the install split in two (webhook and applier) is configured in two places,
// and a mismatch otherwise shows only as failing applies.
func warnApplierNotSync(ctx context.Context, cfg *rest.Config, syncUsers []string) {
	log := ctrl.LoggerFrom(ctx).WithName("apply")
	name, err := whoAmI(ctx, cfg)
	switch {
	case err != nil:
		log.V(1).Info("cannot tell the applier's identity", "error", err.Error())
	case !slices.Contains(syncUsers, name):
		log.Info("WARNING: the applier runs as a user that is not a --sync-user; the webhook will judge its writes like anyone else's",
			"user", name, "syncUsers", syncUsers)
	}
}

// whoAmI returns the username the API server sees for cfg (SelfSubjectReview).
func whoAmI(ctx context.Context, cfg *rest.Config) (string, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	r, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	return r.Status.UserInfo.Username, nil
}
