package webhook

import (
	"fmt"
	"slices"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
)

// actor is the class of the requesting identity.
type actor int

const (
	actorHuman actor = iota
	actorController
	actorSync
)

func (a actor) String() string {
	switch a {
	case actorSync:
		return "sync"
	case actorController:
		return "controller"
	}
	return "user"
}

// role is what a cluster controller does beyond keeping to git's declared paths.
type role uint8

const (
	// roleCollectGarbage deletes a declared object whose owners, all declared by
	// git, are gone.
	roleCollectGarbage role = 1 << iota
	// roleTearDownNamespaces deletes declared objects inside a terminating namespace.
	roleTearDownNamespaces
	// roleExpireJobs deletes a finished declared Job whose git declares
	// spec.ttlSecondsAfterFinished.
	roleExpireJobs

	roleEvery = roleCollectGarbage | roleTearDownNamespaces | roleExpireJobs
)

// Exact identities of the cluster's own controllers.
const (
	// KubeControllerManager is kube-controller-manager without per-controller
	// credentials (--use-service-account-credentials=false): every controller in one
	// identity, with every role. With them it still acts as itself for a few
	// read-mostly loops (informers, the token controller).
	KubeControllerManager = "system:kube-controller-manager"
	// KubeScheduler is the scheduler (it binds pods; pods/binding is not judged).
	KubeScheduler = "system:kube-scheduler"
	// KubeletPrefix and NodesGroup identify a kubelet: username system:node:<node>
	// and group system:nodes, both (what the Node authorizer and NodeRestriction
	// recognise). Either alone is a human.
	KubeletPrefix = "system:node:"
	NodesGroup    = "system:nodes"
)

// kcmServiceAccounts are the kube-system ServiceAccounts kube-controller-manager
// v1.37 acts as with --use-service-account-credentials=true, one per controller
// (ControllerContext.NewClient / NewClientConfig in cmd/kube-controller-manager/app).
var kcmServiceAccounts = []string{
	"attachdetach-controller", "bootstrap-signer", "certificate-controller",
	"clusterrole-aggregation-controller", "cronjob-controller", "daemon-set-controller",
	"deployment-controller", "device-taint-eviction-controller", "disruption-controller",
	"endpoint-controller", "endpointslice-controller", "endpointslicemirroring-controller",
	"ephemeral-volume-controller", "expand-controller", "generic-garbage-collector",
	"horizontal-pod-autoscaler", "job-controller", "kube-apiserver-serving-clustertrustbundle-publisher",
	"legacy-service-account-token-cleaner", "namespace-controller", "node-controller",
	"persistent-volume-binder", "pod-garbage-collector", "podcertificaterequestcleaner",
	"podgroup-protection-controller", "pv-protection-controller", "pvc-protection-controller",
	"replicaset-controller", "replication-controller", "resource-claim-controller",
	"resourcepoolstatusrequest-controller", "resourcequota-controller", "root-ca-cert-publisher",
	"selinux-warning-controller", "service-account-controller", "service-cidrs-controller",
	"statefulset-controller", "storage-version-garbage-collector", "storage-version-migrator-controller",
	"token-cleaner", "ttl-after-finished-controller", "ttl-controller",
	"validatingadmissionpolicy-status-controller", "volumeattributesclass-protection-controller",
}

// kcmRoles are the roles of kube-controller-manager's per-controller accounts;
// the others have none.
var kcmRoles = map[string]role{
	"generic-garbage-collector":     roleCollectGarbage,
	"namespace-controller":          roleTearDownNamespaces,
	"ttl-after-finished-controller": roleExpireJobs,
}

// builtinControllers maps the built-in controllers' exact usernames to their roles.
var builtinControllers = func() map[string]role {
	m := map[string]role{KubeControllerManager: roleEvery, KubeScheduler: 0}
	for _, sa := range kcmServiceAccounts {
		m["system:serviceaccount:kube-system:"+sa] = kcmRoles[sa]
	}
	return m
}()

// BuiltinControllers returns the exact usernames gitgate treats as cluster
// controllers without configuration, sorted (kubelets, matched by username and
// group, are not listed).
func BuiltinControllers() []string {
	out := make([]string, 0, len(builtinControllers))
	for u := range builtinControllers {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// Identities says who is the sync identity and who is a cluster controller.
type Identities struct {
	// SyncUsers are exact usernames of the sync identity (never groups).
	SyncUsers []string
	// ControllerUsers are exact usernames of further cluster controllers (another
	// controller manager, an operator that copies its labels onto what it creates),
	// besides BuiltinControllers and kubelets. They keep to git's declared paths
	// and have no role. Default none.
	ControllerUsers []string
}

// Validate rejects empty names, patterns and a sync user that is also a controller.
func (ids Identities) Validate() error {
	for _, u := range ids.ControllerUsers {
		switch {
		case u == "":
			return fmt.Errorf("controller user must not be empty")
		case strings.Contains(u, "*"):
			return fmt.Errorf("controller user %q: patterns are not accepted, name each controller exactly", u)
		case slices.Contains(ids.SyncUsers, u):
			return fmt.Errorf("%q is both a sync user and a controller user", u)
		}
	}
	return nil
}

func (ids Identities) classify(u authenticationv1.UserInfo) actor {
	switch {
	case slices.Contains(ids.SyncUsers, u.Username):
		return actorSync
	case isBuiltinController(u) || slices.Contains(ids.ControllerUsers, u.Username):
		return actorController
	}
	return actorHuman
}

func isBuiltinController(u authenticationv1.UserInfo) bool {
	if _, ok := builtinControllers[u.Username]; ok {
		return true
	}
	return isKubelet(u)
}

// isKubelet: username system:node:<node> and group system:nodes, both.
func isKubelet(u authenticationv1.UserInfo) bool {
	node, ok := strings.CutPrefix(u.Username, KubeletPrefix)
	return ok && node != "" && slices.Contains(u.Groups, NodesGroup)
}

// rolesOf returns a controller's roles (none for kubelets and --controller-users).
func rolesOf(u authenticationv1.UserInfo) role { return builtinControllers[u.Username] }

func (r role) has(want role) bool { return r&want != 0 }
