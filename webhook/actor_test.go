package webhook

import (
	"slices"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
)

func TestClassify(t *testing.T) {
	ids := Identities{SyncUsers: []string{"gitgate"}, ControllerUsers: []string{"system:serviceaccount:cert-manager:cert-manager"}}
	tests := []struct {
		name   string
		user   string
		groups []string
		want   actor
	}{
		{name: "sync identity by exact username", user: "gitgate", want: actorSync},
		{name: "kube-controller-manager without per-controller credentials", user: "system:kube-controller-manager", want: actorController},
		{name: "the scheduler", user: "system:kube-scheduler", want: actorController},
		{name: "a per-controller ServiceAccount", user: "system:serviceaccount:kube-system:generic-garbage-collector", want: actorController},
		{name: "the HPA controller's ServiceAccount", user: "system:serviceaccount:kube-system:horizontal-pod-autoscaler", want: actorController},
		{name: "a fresh kube-system ServiceAccount is a human", user: "system:serviceaccount:kube-system:rogue", want: actorHuman},
		{name: "a controller's name in another namespace is a human", user: "system:serviceaccount:default:generic-garbage-collector", want: actorHuman},
		{name: "a kubelet: username and group", user: "system:node:worker-1", groups: []string{"system:nodes", "system:authenticated"}, want: actorController},
		{name: "group system:nodes alone is a human", user: "mallory", groups: []string{"system:nodes"}, want: actorHuman},
		{name: "a node username without the group is a human", user: "system:node:worker-1", want: actorHuman},
		{name: "system:node: with no node name is a human", user: "system:node:", groups: []string{"system:nodes"}, want: actorHuman},
		{name: "an added --controller-user, exactly", user: "system:serviceaccount:cert-manager:cert-manager", want: actorController},
		{name: "an added --controller-user is no prefix", user: "system:serviceaccount:cert-manager:cert-manager-x", want: actorHuman},
		{name: "a sync identity's name as a group is nothing", user: "alice", groups: []string{"gitgate"}, want: actorHuman},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids.classify(authenticationv1.UserInfo{Username: tt.user, Groups: tt.groups}); got != tt.want {
				t.Errorf("classify(%s %v) = %s, want %s", tt.user, tt.groups, got, tt.want)
			}
		})
	}
}

func TestIdentitiesValidate(t *testing.T) {
	tests := []struct {
		name    string
		ids     Identities
		wantErr string
	}{
		{name: "exact names", ids: Identities{SyncUsers: []string{"gitgate"}, ControllerUsers: []string{"system:serviceaccount:flux-system:helm-controller"}}},
		{name: "no pattern", ids: Identities{ControllerUsers: []string{"system:serviceaccount:kube-system:*"}}, wantErr: "patterns are not accepted"},
		{name: "not empty", ids: Identities{ControllerUsers: []string{""}}, wantErr: "must not be empty"},
		{name: "not the sync user too", ids: Identities{SyncUsers: []string{"gitgate"}, ControllerUsers: []string{"gitgate"}}, wantErr: "both a sync user and a controller user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ids.Validate()
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestBuiltinControllers(t *testing.T) {
	got := BuiltinControllers()
	for _, want := range []string{KubeControllerManager, KubeScheduler,
		"system:serviceaccount:kube-system:generic-garbage-collector", "system:serviceaccount:kube-system:namespace-controller",
		"system:serviceaccount:kube-system:horizontal-pod-autoscaler", "system:serviceaccount:kube-system:deployment-controller",
		"system:serviceaccount:kube-system:endpointslice-controller"} {
		if !slices.Contains(got, want) {
			t.Errorf("BuiltinControllers() lacks %s", want)
		}
	}
	for _, u := range got {
		if strings.Contains(u, "*") || u == "system:serviceaccount:kube-system:tokens-controller" {
			t.Errorf("BuiltinControllers() has %q: tokens-controller runs as kube-controller-manager itself, and patterns are gone", u)
		}
	}
	for sa, r := range kcmRoles {
		if !slices.Contains(got, "system:serviceaccount:kube-system:"+sa) || r == 0 {
			t.Errorf("role of %s (%d) for an account kube-controller-manager does not use", sa, r)
		}
	}
}
