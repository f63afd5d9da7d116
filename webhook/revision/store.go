package revision

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Store publishes the current revision and tells subscribers when a new one is
// published. Current is one atomic load (safe on the request path). The zero
// Store is ready to use and holds no revision.
type Store struct {
	cur  atomic.Pointer[Revision]
	mu   sync.Mutex
	subs []chan struct{}
}

// Current returns the revision being served, or nil before the first.
func (s *Store) Current() *Revision { return s.cur.Load() }

// Publish makes r current in one atomic swap and notifies every subscriber.
func (s *Store) Publish(r *Revision) {
	s.cur.Store(r)
	s.notify()
}

// Replace publishes next only if old is still current (a refreshed revision
// never overwrites a newer commit); it reports whether it did.
func (s *Store) Replace(old, next *Revision) bool {
	if !s.cur.CompareAndSwap(old, next) {
		return false
	}
	s.notify()
	return true
}

// Subscribe returns a channel that receives a value after each new revision is
// published (bursts coalesce into one: it is buffered by one and never blocks
// Publish) and a function that ends the subscription.
func (s *Store) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.subs = append(s.subs, ch)
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.subs = slices.DeleteFunc(s.subs, func(c chan struct{}) bool { return c == ch })
	}
}

func (s *Store) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
