package revision

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// received reports whether ch holds a notification, without waiting.
func received(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestStore(t *testing.T) {
	a, b, c := &Revision{}, &Revision{}, &Revision{}
	tests := []struct {
		name         string
		steps        func(s *Store)
		wantCurrent  *Revision
		wantNotified bool
	}{
		{name: "empty", steps: func(*Store) {}},
		{name: "publish", steps: func(s *Store) { s.Publish(a) }, wantCurrent: a, wantNotified: true},
		{name: "bursts coalesce", steps: func(s *Store) { s.Publish(a); s.Publish(b) }, wantCurrent: b, wantNotified: true},
		{name: "replace the current", steps: func(s *Store) { s.Publish(a); <-s.subs[0]; s.Replace(a, c) }, wantCurrent: c, wantNotified: true},
		{name: "replace never overwrites a newer revision", steps: func(s *Store) { s.Publish(a); s.Publish(b); <-s.subs[0]; s.Replace(a, c) }, wantCurrent: b},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Store{}
			ch, cancel := s.Subscribe()
			defer cancel()
			tt.steps(s)
			if s.Current() != tt.wantCurrent {
				t.Errorf("Current() = %p, want %p", s.Current(), tt.wantCurrent)
			}
			if got := received(ch); got != tt.wantNotified {
				t.Errorf("notified %t, want %t", got, tt.wantNotified)
			}
			if received(ch) {
				t.Error("a second notification queued: bursts must coalesce")
			}
		})
	}
}

func TestUnsubscribe(t *testing.T) {
	s := &Store{}
	ch, cancel := s.Subscribe()
	cancel()
	s.Publish(&Revision{})
	if received(ch) {
		t.Error("notified after the subscription ended")
	}
}

// passes records the revisions a Loop's passes saw.
type passes struct {
	mu   sync.Mutex
	seen []*Revision
	ran  chan struct{}
	fail bool
}

func (p *passes) pass(_ context.Context, rev *Revision) error {
	p.mu.Lock()
	p.seen = append(p.seen, rev)
	fail := p.fail
	p.mu.Unlock()
	p.ran <- struct{}{}
	if fail {
		return errors.New("boom")
	}
	return nil
}

func (p *passes) wait(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case <-p.ran:
	case <-time.After(within):
		t.Fatalf("no pass within %s", within)
	}
}

func TestLoop(t *testing.T) {
	a, b := &Revision{}, &Revision{}
	tests := []struct {
		name     string
		interval time.Duration
		retry    time.Duration
		fail     bool
		publish  []*Revision // one published after each pass but the last
		want     []*Revision
	}{
		{name: "on start and on every new revision", interval: time.Hour, publish: []*Revision{a, b}, want: []*Revision{nil, a, b}},
		{name: "on the interval", interval: 10 * time.Millisecond, want: []*Revision{nil, nil, nil}},
		{name: "after a failed pass, on Retry", interval: time.Hour, retry: 10 * time.Millisecond, fail: true, want: []*Revision{nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Store{}
			p := &passes{ran: make(chan struct{}), fail: tt.fail}
			l := &Loop{Name: "test", Revisions: s, Pass: p.pass, Interval: tt.interval, Retry: tt.retry}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error)
			go func() { done <- l.Start(ctx) }()
			for i := range tt.want {
				p.wait(t, 5*time.Second)
				if i < len(tt.publish) {
					s.Publish(tt.publish[i])
				}
			}
			cancel()
			go func() { // a pass racing the cancellation must not block Start
				for range p.ran {
				}
			}()
			if err := <-done; err != nil {
				t.Fatalf("Start = %v", err)
			}
			close(p.ran)
			p.mu.Lock()
			defer p.mu.Unlock()
			name := func(rs []*Revision) (out []string) {
				for _, r := range rs {
					out = append(out, map[*Revision]string{nil: "none", a: "a", b: "b"}[r])
				}
				return out
			}
			if diff := cmp.Diff(name(tt.want), name(p.seen[:len(tt.want)])); diff != "" {
				t.Errorf("revisions the passes saw (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoopMisconfigured(t *testing.T) {
	if err := (&Loop{Name: "bad", Revisions: &Store{}, Interval: time.Second}).Start(t.Context()); err == nil {
		t.Error("a Loop without Pass started")
	}
}
