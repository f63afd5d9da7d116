package webhook

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// DefaultKindsRefresh is the least time between two discovery refreshes of
// DiscoveryKinds.
const DefaultKindsRefresh = 2 * time.Second

// DiscoveryKinds maps resources to kinds from the API server's discovery. Lookups
// never do I/O: a miss asks the background loop (Start) for a refresh and
// answers "unknown" now; the request is denied with an explanation and a retry
// finds the resource once the API server serves it.
type DiscoveryKinds struct {
	// Client reads discovery; required.
	Client discovery.DiscoveryInterface
	// MinInterval is the least time between refreshes; default DefaultKindsRefresh.
	MinInterval time.Duration

	kinds atomic.Pointer[map[schema.GroupResource]string]
	miss  chan struct{}
}

var _ Kinds = (*DiscoveryKinds)(nil)

// NewDiscoveryKinds returns a DiscoveryKinds reading c; Start fills it.
func NewDiscoveryKinds(c discovery.DiscoveryInterface) *DiscoveryKinds {
	return &DiscoveryKinds{Client: c, MinInterval: DefaultKindsRefresh, miss: make(chan struct{}, 1)}
}

// KindFor implements Kinds.
func (d *DiscoveryKinds) KindFor(gr schema.GroupResource) (string, bool) {
	if m := d.kinds.Load(); m != nil {
		if k, ok := (*m)[gr]; ok {
			return k, true
		}
	}
	select {
	case d.miss <- struct{}{}:
	default:
	}
	return "", false
}

// NeedLeaderElection is false: every replica serves the webhook.
func (d *DiscoveryKinds) NeedLeaderElection() bool { return false }

// Start refreshes now and after every miss, at most every MinInterval, until
// ctx ends.
func (d *DiscoveryKinds) Start(ctx context.Context) error {
	log := logr.FromContextOrDiscard(ctx).WithName("kinds")
	every := d.MinInterval
	if every <= 0 {
		every = DefaultKindsRefresh
	}
	for {
		if err := d.Refresh(); err != nil {
			log.Error(err, "discovery refresh failed; unmapped subresource requests stay denied")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.miss:
		}
	}
}

// Refresh reads discovery once and publishes the mapping. Groups that fail to
// answer (an unavailable aggregated API) keep no entries; the others are used.
func (d *DiscoveryKinds) Refresh() error {
	_, lists, err := d.Client.ServerGroupsAndResources()
	m := make(map[schema.GroupResource]string)
	for _, l := range lists {
		gv, perr := schema.ParseGroupVersion(l.GroupVersion)
		if perr != nil {
			continue
		}
		for _, r := range l.APIResources {
			if !strings.Contains(r.Name, "/") {
				m[schema.GroupResource{Group: gv.Group, Resource: r.Name}] = r.Kind
			}
		}
	}
	if len(m) > 0 {
		d.kinds.Store(&m)
	}
	if err != nil {
		return fmt.Errorf("read discovery: %w", err)
	}
	return nil
}
