package policy

import (
	"time"

	"github.com/gitgate-dev/gitgate/policy/wire"
)

// Input is the documented `input` document of every gitgate policy. The JSON
// field names in the tags are the contract policies are written against; the
// engine builds the equivalent Rego value directly, without a JSON round trip.
type Input struct {
	// Request describes the admission request.
	Request Request `json:"request"`
	// Object is the object as it would be stored (absent for DELETE).
	Object map[string]any `json:"object,omitempty"`
	// OldObject is the stored object (absent for CREATE).
	OldObject map[string]any `json:"oldObject,omitempty"`
	// Desired is git's object; absent if git does not manage it.
	Desired map[string]any `json:"desired,omitempty"`
	// ObjectBytes and OldObjectBytes, when positive, are the sizes of the JSON
	// that Object and OldObject were decoded from (the webhook has the request's
	// bytes): the engine then counts them toward Options.MaxInputBytes instead
	// of walking the objects, which must hold JSON types only (as json and
	// utiljson decode them). Not part of the policy input.
	ObjectBytes, OldObjectBytes int `json:"-"`
	// Drift lists the paths whose change does not match git.
	Drift []DriftItem `json:"drift"`
	// Commit is the git commit the policies were compiled from.
	Commit string `json:"commit"`
	// Source is the object's "path:line" in git.
	Source string `json:"source,omitempty"`
	// Now is the request time (RFC 3339 in the input). Exceptions expire
	// against it; policies must read time from here, not from the clock.
	// The zero time means time.Now().
	Now time.Time `json:"now"`
}

// Request is the part of the admission request policies may depend on.
type Request struct {
	Operation   string   `json:"operation"` // CREATE, UPDATE, DELETE
	SubResource string   `json:"subResource,omitempty"`
	UserInfo    UserInfo `json:"userInfo"`
	DryRun      bool     `json:"dryRun"`
	Kind        GVK      `json:"kind"`
	Namespace   string   `json:"namespace,omitempty"`
	Name        string   `json:"name"`
	// Annotations are the annotations this request sets or changes (new keys,
	// and keys whose value differs from the stored object's); annotations the
	// object already bears are not repeated (but a request that sets
	// gitgate.dev/break-glass also carries the object's
	// gitgate.dev/break-glass-until). So a break-glass ticket covers the change
	// that carries it, never a later change by someone else.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// The shapes Input shares with the audit record, defined in package wire.
type (
	// UserInfo is the authenticated requester, as the API server reports it.
	UserInfo = wire.User
	// GVK is the group, version and kind of the requested object.
	GVK = wire.GVK
	// DriftItem is one path whose requested value does not match git.
	DriftItem = wire.DriftItem
)
