package source

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// deliveryHeaders name one delivery at each git host: GitHub, Gitea and Forgejo,
// GitLab (per event, and per delivery attempt in newer versions).
var deliveryHeaders = []string{"X-GitHub-Delivery", "X-Gitea-Delivery", "X-Gitlab-Event-UUID", "Idempotency-Key"}

// deliveryKeys identify an authenticated delivery: its delivery ids and its
// signature (a replay under a new id carries the same signature).
func deliveryKeys(hdr http.Header, sig string) []string {
	var keys []string
	for _, name := range deliveryHeaders {
		if v := hdr.Get(name); v != "" {
			keys = append(keys, strings.ToLower(name)+"="+v)
		}
	}
	if sig != "" {
		keys = append(keys, "signature="+strings.ToLower(sig))
	}
	return keys
}

// replayCache remembers delivery keys for a window, at most max of them.
type replayCache struct {
	window time.Duration
	max    int

	mu    sync.Mutex
	times map[string]time.Time
	order []replayEntry // oldest first
}

type replayEntry struct {
	key string
	at  time.Time
}

func newReplayCache(window time.Duration, max int) *replayCache {
	return &replayCache{window: window, max: max, times: map[string]time.Time{}}
}

// seen reports whether any key was recorded within the window before now, and
// records the keys when none was.
func (c *replayCache) seen(keys []string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget(now)
	for _, k := range keys {
		if _, ok := c.times[k]; ok {
			return true
		}
	}
	for _, k := range keys {
		for len(c.order) >= c.max {
			c.drop()
		}
		c.times[k] = now
		c.order = append(c.order, replayEntry{k, now})
	}
	return false
}

// forget drops the keys recorded a window or more before now.
func (c *replayCache) forget(now time.Time) {
	for len(c.order) > 0 && now.Sub(c.order[0].at) >= c.window {
		c.drop()
	}
}

func (c *replayCache) drop() {
	e := c.order[0]
	c.order = c.order[1:]
	if t, ok := c.times[e.key]; ok && t.Equal(e.at) {
		delete(c.times, e.key)
	}
}
