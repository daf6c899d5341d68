package cookiesession

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestDeadline checks Session.Deadline against what the server enforces: a
// session opens until one second before its deadline and is refused as
// expired from it on, whatever the idle timeout; a new, destroyed or
// renewed session's deadline is the one a save now seals.
func TestDeadline(t *testing.T) {
	const maxAge, own = 24 * time.Hour, 3 * time.Hour
	cases := map[string]struct {
		change func(*Session[cart])
		life   time.Duration
	}{
		"MaxAge":    {func(*Session[cart]) {}, maxAge},
		"SetMaxAge": {func(s *Session[cart]) { s.SetMaxAge(own) }, own},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			clk := newClock()
			start := clk.Now()
			s := newStore[cart](t, Options{Now: clk.Now, MaxAge: maxAge, MaxAgeCeiling: 2 * maxAge})
			j := jar{}
			j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sess := s.Get(r)
				if got, want := sess.Deadline(), start.Add(maxAge); !got.Equal(want) {
					t.Errorf("new session: Deadline %v, want now + MaxAge %v", got, want)
				}
				c.change(sess)
				if got, want := sess.Deadline(), start.Add(c.life); !got.Equal(want) {
					t.Errorf("new session: Deadline %v, want now + lifetime %v", got, want)
				}
				sess.Data.N = 1
			})))
			clk.Add(time.Hour)
			sess := s.Get(j.request("GET", "/"))
			deadline := start.Add(c.life)
			if got := sess.Deadline(); !got.Equal(deadline) {
				t.Fatalf("opened an hour later: Deadline %v, want created + lifetime %v", got, deadline)
			}
			clk.Add(deadline.Sub(clk.Now()) - time.Second)
			if sess := s.Get(j.request("GET", "/")); sess.Err() != nil || !sess.Deadline().Equal(deadline) {
				t.Fatalf("a second before Deadline: %v, Deadline %v", sess.Err(), sess.Deadline())
			}
			clk.Add(time.Second)
			if sess := s.Get(j.request("GET", "/")); !errors.Is(sess.Err(), ErrExpired) {
				t.Fatalf("at Deadline: %v, want ErrExpired", sess.Err())
			}
		})
	}
}

// TestDeadlineRenewDestroy checks the deadline of a session renewed or
// destroyed in the request: that of the session a save now seals.
func TestDeadlineRenewDestroy(t *testing.T) {
	clk := newClock()
	s := newStore[cart](t, Options{Now: clk.Now, MaxAge: 24 * time.Hour})
	j := jar{}
	j.do(t, counter(s))
	clk.Add(10 * time.Hour)
	sess := s.Get(j.request("GET", "/"))
	sess.SetMaxAge(2 * time.Hour)
	sess.Renew()
	if got, want := sess.Deadline(), clk.Now().Add(2*time.Hour); !got.Equal(want) {
		t.Fatalf("renewed: Deadline %v, want now + its own lifetime %v", got, want)
	}
	sess.Destroy()
	if got, want := sess.Deadline(), clk.Now().Add(24*time.Hour); !got.Equal(want) {
		t.Fatalf("destroyed: Deadline %v, want now + MaxAge %v", got, want)
	}
}

// TestDeadlineRevokesEveryCopy checks what Deadline is for: revoked until
// it, a copy of the cookie that was refreshed elsewhere stays refused for
// its whole life, where ExpiresAt (shortened by the idle timeout) would
// let that copy back in.
func TestDeadlineRevokesEveryCopy(t *testing.T) {
	clk := nowClock()
	l := testRevocations()
	s := newStore[cart](t, Options{Now: clk.Now, Revocations: l, MaxAge: 24 * time.Hour, IdleTimeout: time.Hour})
	here, _ := login(t, s, "ada")
	there := jar{}
	for k, v := range here {
		there[k] = v
	}
	clk.Add(30 * time.Minute)
	there.do(t, counter(s)) // a refresh: this copy idles out at 1h30
	sess := s.Get(here.request("GET", "/"))
	if !sess.ExpiresAt().Before(sess.Deadline()) {
		t.Fatalf("ExpiresAt %v not before Deadline %v: the test needs the idle timeout to cut", sess.ExpiresAt(), sess.Deadline())
	}
	if err := l.RevokeSession(sess.ID(), sess.Deadline()); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour - time.Minute) // past ExpiresAt, before the copy idles out
	if sess := s.Get(there.request("GET", "/")); !errors.Is(sess.Err(), ErrRevoked) {
		t.Fatalf("the refreshed copy: %v, want ErrRevoked", sess.Err())
	}
}
