package redisrevoke

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// hang freezes the server (SIGSTOP: connections stay open, nothing is
// answered) until the test's end.
func (s *server) hang(t *testing.T) {
	t.Helper()
	p := s.cmd.Process
	must(t, p.Signal(syscall.SIGSTOP))
	t.Cleanup(func() { _ = p.Signal(syscall.SIGCONT) })
}

// noTimeoutClient is a client that waits for a reply forever, as
// ReadTimeout -1 asks: only the List's own bounds can end a wait.
func noTimeoutClient(t *testing.T, s *server) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.addr(), ReadTimeout: -1, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// returnsWithin runs f and fails the test unless it returns within d; it
// does not wait for f past d.
func returnsWithin(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// With MaxStaleness, Revoked waits for its refresh at most RefreshTimeout,
// even when Redis hangs and the client would wait forever, and even while
// a background refresh is stuck holding the refresh token.
func TestRevokedBoundedWhileRedisHangs(t *testing.T) {
	s := startRedis(t)
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	l, err := New(ctx, noTimeoutClient(t, s), Options{MaxAge: time.Hour, MaxStaleness: 100 * time.Millisecond,
		RefreshTimeout: 200 * time.Millisecond, ResyncEvery: 50 * time.Millisecond, OnError: func(error) {}})
	must(t, err)
	defer l.Close()
	must(t, l.RevokeSession(bg, "sess-A", time.Now().Add(time.Hour)))
	s.hang(t)
	time.Sleep(150 * time.Millisecond) // stale, and the background refresh is stuck
	for i := range 3 {
		returnsWithin(t, 2*time.Second, "Revoked with RefreshTimeout 200ms", func() {
			if !l.Revoked("sess-A", "", time.Now()) {
				t.Error("a revoked session passes while Redis hangs")
			}
		})
		if i == 0 {
			time.Sleep(1100 * time.Millisecond) // past the one-a-second limit on failed attempts
		}
	}
	returnsWithin(t, 2*time.Second, "Refresh with a 200ms deadline", func() {
		ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
		defer cancel()
		if err := l.Refresh(ctx); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Refresh while Redis hangs: %v", err)
		}
	})
	returnsWithin(t, 2*time.Second, "RevokeSession with a 200ms deadline", func() {
		ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
		defer cancel()
		if err := l.RevokeSession(ctx, "sess-B", time.Now().Add(time.Hour)); !errors.Is(err, ErrUnavailable) {
			t.Errorf("RevokeSession while Redis hangs: %v", err)
		}
	})
}

// Close returns while a background refresh is blocked on a hung Redis.
func TestCloseWhileRedisHangs(t *testing.T) {
	s := startRedis(t)
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	l, err := New(ctx, noTimeoutClient(t, s), Options{MaxAge: time.Hour, ResyncEvery: 50 * time.Millisecond,
		PingEvery: 50 * time.Millisecond, OnError: func(error) {}})
	must(t, err)
	s.hang(t)
	time.Sleep(200 * time.Millisecond) // a re-sync is due, and stuck
	returnsWithin(t, 2*time.Second, "Close", func() { l.Close() })
}

// New returns by its context's deadline while Redis hangs.
func TestNewReturnsByDeadlineWhileRedisHangs(t *testing.T) {
	s := startRedis(t)
	s.hang(t)
	returnsWithin(t, 2*time.Second, "New with a 300ms deadline", func() {
		ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
		defer cancel()
		if _, err := New(ctx, noTimeoutClient(t, s), Options{MaxAge: time.Hour}); !errors.Is(err, ErrUnavailable) {
			t.Errorf("New while Redis hangs: %v", err)
		}
	})
}

// New waits for a Redis that starts after it, until its context ends.
func TestNewWaitsForRedis(t *testing.T) {
	s := startRedis(t)
	s.stop()
	c := redis.NewClient(&redis.Options{Addr: s.addr(), DialTimeout: time.Second})
	defer c.Close()
	type result struct {
		l   *List
		err error
	}
	got := make(chan result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		l, err := New(ctx, c, Options{MaxAge: time.Hour, OnError: func(error) {}})
		got <- result{l, err}
	}()
	time.Sleep(300 * time.Millisecond)
	s.start()
	r := <-got
	must(t, r.err)
	defer r.l.Close()

	// And gives up, with ErrUnavailable, when the context ends first.
	s.stop()
	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	if _, err := New(ctx, c, Options{MaxAge: time.Hour}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("New without Redis: %v", err)
	}
}

// A ResyncEvery below PingEvery is honoured: the loop wakes for whichever
// comes first.
func TestResyncBelowPing(t *testing.T) {
	s := startRedis(t)
	newList(t, s, Options{PingEvery: time.Hour, ResyncEvery: 100 * time.Millisecond})
	before := s.commands()
	time.Sleep(time.Second)
	// About 10 re-syncs of 3 ZSCORE each; ask for 3.
	if n := diff(before, s.commands())["zscore"]; n < 9 {
		t.Errorf("%d ZSCORE in 1s with ResyncEvery 100ms, want at least 9", n)
	}
}
