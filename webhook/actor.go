package webhook

import (
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

// Identities says who is the sync identity and who is a cluster controller.
type Identities struct {
	// SyncUsers are exact usernames of the sync identity (never groups).
	SyncUsers []string
	// ControllerUsers are usernames of cluster controllers; a trailing "*" matches
	// a prefix. Default: DefaultControllerUsers.
	ControllerUsers []string
	// ControllerGroups are groups whose members are cluster controllers. Default:
	// DefaultControllerGroups.
	ControllerGroups []string
}

// DefaultControllerUsers are kube-controller-manager, the scheduler and the
// kube-system service accounts (controllers with --use-service-account-credentials).
var DefaultControllerUsers = []string{
	"system:kube-controller-manager",
	"system:kube-scheduler",
	"system:serviceaccount:kube-system:*",
}

// DefaultControllerGroups are the kubelets.
var DefaultControllerGroups = []string{"system:nodes"}

func (ids Identities) classify(u authenticationv1.UserInfo) actor {
	for _, s := range ids.SyncUsers {
		if u.Username == s {
			return actorSync
		}
	}
	for _, pattern := range ids.ControllerUsers {
		if matchUser(pattern, u.Username) {
			return actorController
		}
	}
	for _, g := range u.Groups {
		for _, cg := range ids.ControllerGroups {
			if g == cg {
				return actorController
			}
		}
	}
	return actorHuman
}

func matchUser(pattern, user string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(user, prefix)
	}
	return pattern == user
}
