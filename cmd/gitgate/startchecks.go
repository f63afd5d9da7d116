package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/gitgate-dev/gitgate/webhook"
)

// warnApplierNotSync logs a warning when the applier's own identity is not one of
// the sync users: the webhook would then gate the applier's writes like a human's
// — the install split in two (webhook and applier) is configured in two places,
// and a mismatch otherwise shows only as failing applies.
func warnApplierNotSync(ctx context.Context, cs kubernetes.Interface, syncUsers []string) {
	log := ctrl.LoggerFrom(ctx).WithName("apply")
	name, err := whoAmI(ctx, cs)
	switch {
	case err != nil:
		log.V(1).Info("cannot tell the applier's identity", "error", err.Error())
	case !slices.Contains(syncUsers, name):
		log.Info("WARNING: the applier runs as a user that is not a --sync-user; the webhook will judge its writes like anyone else's",
			"user", name, "syncUsers", syncUsers)
	}
}

// whoAmI returns the username the API server sees for cs (SelfSubjectReview).
func whoAmI(ctx context.Context, cs kubernetes.Interface) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	r, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	return r.Status.UserInfo.Username, nil
}

// warnControllersNotRouted logs a warning for each cluster controller identity
// (the built-in ones, kubelets and every --controller-user) that the webhook
// configuration's fail-open webhook (the one with failurePolicy Ignore) does not
// name in its matchConditions: while gitgate is unreachable, that controller's
// writes would fail closed like a human's. A configuration that cannot be read
// (not installed yet) is left alone.
func warnControllersNotRouted(ctx context.Context, cs kubernetes.Interface, name string, extraUsers []string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	vwc, err := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return
	}
	for _, missing := range unrouted(failOpenConditions(vwc), append(webhook.BuiltinControllers(), extraUsers...)) {
		ctrl.LoggerFrom(ctx).Info("WARNING: a cluster controller is not routed to the fail-open webhook; while gitgate is unreachable its writes fail",
			"controller", missing, "webhookConfiguration", name)
	}
}

// failOpenConditions returns the matchConditions expressions of the webhooks that
// fail open (failurePolicy Ignore), one per line.
func failOpenConditions(vwc *admissionregistrationv1.ValidatingWebhookConfiguration) string {
	var exprs []string
	for _, w := range vwc.Webhooks {
		if w.FailurePolicy != nil && *w.FailurePolicy == admissionregistrationv1.Ignore {
			for _, c := range w.MatchConditions {
				exprs = append(exprs, c.Expression)
			}
		}
	}
	return strings.Join(exprs, "\n")
}

// unrouted returns the controller usernames that the CEL text does not name as
// 'name', and kubelets unless it names the group 'system:nodes' (with the
// username prefix 'system:node:').
func unrouted(cel string, users []string) []string {
	var out []string
	for _, u := range users {
		if !strings.Contains(cel, "'"+u+"'") {
			out = append(out, "user "+u)
		}
	}
	if !strings.Contains(cel, "'"+webhook.NodesGroup+"'") || !strings.Contains(cel, "startsWith('"+webhook.KubeletPrefix+"')") {
		out = append(out, "kubelets ("+webhook.KubeletPrefix+"<node> in group "+webhook.NodesGroup+")")
	}
	return out
}

// startChecks logs what start-up can tell is misconfigured; nothing here stops
// gitgate.
func (s *server) startChecks(ctx context.Context) {
	if s.f.apply {
		warnApplierNotSync(ctx, s.clients.kube, s.f.syncUsers)
	}
	if s.f.webhook {
		warnControllersNotRouted(ctx, s.clients.kube, s.f.webhookConfig, s.f.controllerUsers)
	}
	for _, u := range s.f.syncUsers {
		if strings.HasPrefix(u, "system:serviceaccounts") || strings.HasPrefix(u, "system:masters") || strings.ContainsAny(u, "*") {
			ctrl.LoggerFrom(ctx).Error(errSyncUserPattern, "--sync-user matches one username exactly", "syncUser", u)
		}
	}
}

// errSyncUserPattern: a --sync-user that names a group or a pattern matches nobody.
var errSyncUserPattern = errors.New("--sync-user looks like a group or a pattern; gitgate matches the sync identity by exact username only")
