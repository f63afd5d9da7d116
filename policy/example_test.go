package policy_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gitgate-dev/gitgate/policy"
)

func ExampleEngine_Evaluate() {
	ctx := context.Background()
	// The Rego files of one commit, keyed by their path in the repository.
	modules := map[string]string{
		"policies/exceptions.rego": `package gitgate

# The platform team may tune resources by hand until the end of June.
exceptions contains {
	"id": "resources-tuning",
	"reason": "load test, see OPS-12",
	"paths": ["spec.template.spec.containers[name=app].resources"],
	"expires": "2030-06-30T00:00:00Z",
} if "platform" in input.request.userInfo.groups

warn contains sprintf("%s changed %d paths by hand", [input.request.userInfo.username, count(input.drift)])
`,
	}
	engine, err := policy.Compile(ctx, modules, policy.Options{})
	if err != nil {
		fmt.Println("compile:", err)
		return
	}
	res, err := engine.Evaluate(ctx, &policy.Input{
		Request: policy.Request{
			Operation: "UPDATE",
			UserInfo:  policy.UserInfo{Username: "bob", Groups: []string{"platform"}},
			Kind:      policy.GVK{Group: "apps", Version: "v1", Kind: "Deployment"},
			Namespace: "shop",
			Name:      "web",
		},
		Drift: []policy.DriftItem{
			{Path: "spec.template.spec.containers[name=app].resources.limits.cpu", Declared: true, Git: "1", New: "2"},
			{Path: "spec.replicas", Declared: true, Git: 3, New: 5},
		},
		Commit: "4f2a9c1",
		Now:    time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println("deny:", err) // fail closed
		return
	}
	fmt.Println("covered:", res.Covered)
	for _, x := range res.Exceptions {
		fmt.Printf("exception %s (%s) until %s\n", x.ID, x.Reason, x.Expires.Format(time.DateOnly))
	}
	fmt.Println("warnings:", res.Warn)
	// Output:
	// covered: [true false]
	// exception resources-tuning (load test, see OPS-12) until 2030-06-30
	// warnings: [bob changed 2 paths by hand]
}
