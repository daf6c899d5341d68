package cookiesession

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/memrevoke"
)

func TestRevokeSession(t *testing.T) {
	clk := nowClock()
	l := testRevocations()
	s := newStore[cart](t, Options{Now: clk.Now, Revocations: l})
	j, id := login(t, s, "ada")
	other, _ := login(t, s, "ada")
	if len(id) != 22 {
		t.Fatalf("ID %q: want 128 bits in base64url", id)
	}
	sess := s.Get(j.request("GET", "/"))
	if sess.IsNew() || sess.ID() != id || sess.Subject() != "ada" {
		t.Fatalf("opened: new %v id %q subject %q (%v)", sess.IsNew(), sess.ID(), sess.Subject(), sess.Err())
	}
	if err := l.RevokeSession(id, sess.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
	if sess := s.Get(j.request("GET", "/")); !errors.Is(sess.Err(), ErrRevoked) || !sess.IsNew() {
		t.Fatalf("revoked session: %v", sess.Err())
	}
	if sess := s.Get(other.request("GET", "/")); sess.Err() != nil {
		t.Fatalf("another session of the subject refused: %v", sess.Err())
	}
	// That the session is refused as expired from its deadline on is
	// TestRevokedUntilDeadline; that a sweep then drops the entry,
	// memrevoke's TestEntriesExpire.
}

// TestRevokedUntilDeadline: a session revoked until its Deadline, or by a
// subject cut-off, is refused with ErrRevoked up to its end and with
// ErrExpired from it, while the list still holds the entry. The store
// checks the lifetime before it asks the list: that is why memrevoke and
// redisrevoke need not read the clock for these entries. The lifetimes:
// Options.MaxAge, a longer SetMaxAge, and the ceiling, which the list's
// MaxAge equals, against a subject cut-off.
func TestRevokedUntilDeadline(t *testing.T) {
	for _, c := range []struct {
		name    string
		setMax  time.Duration // SetMaxAge; 0: Options.MaxAge
		life    time.Duration // the lifetime that gives
		subject bool          // a subject cut-off instead of RevokeSession
	}{
		{"identifier, Options.MaxAge", 0, time.Hour, false},
		{"identifier, SetMaxAge", 30 * time.Hour, 30 * time.Hour, false},
		{"subject cut-off, SetMaxAge at the ceiling", 48 * time.Hour, 48 * time.Hour, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := nowClock()
			l := newRevocationList(t, memrevoke.Options{MaxAge: 48 * time.Hour})
			s := newStore[cart](t, Options{Now: clk.Now, MaxAge: time.Hour, MaxAgeCeiling: 48 * time.Hour, Revocations: l})
			j := jar{}
			var id string
			var deadline time.Time
			j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sess := s.Get(r)
				sess.SetSubject("ada")
				if err := sess.SetMaxAge(c.setMax); err != nil {
					t.Error(err)
				}
				id, deadline = sess.ID(), sess.Deadline()
			})))
			created := clk.Now()
			if got := deadline.Sub(created); got != c.life {
				t.Fatalf("Deadline %v after creation, want %v", got, c.life)
			}
			clk.Add(time.Second)
			var err error
			if c.subject {
				err = l.RevokeSubject("ada", clk.Now())
			} else {
				err = l.RevokeSession(id, deadline)
			}
			if err != nil {
				t.Fatal(err)
			}
			clk.Add(deadline.Sub(clk.Now()) - time.Second)
			if err := s.Get(j.request("GET", "/")).Err(); !errors.Is(err, ErrRevoked) {
				t.Fatalf("a second before its deadline: %v, want ErrRevoked", err)
			}
			clk.Add(time.Second)
			if err := s.Get(j.request("GET", "/")).Err(); !errors.Is(err, ErrExpired) {
				t.Fatalf("at its deadline: %v, want ErrExpired", err)
			}
			if !l.Revoked(id, "ada", created) {
				t.Fatal("the list no longer holds the entry: the test shows nothing")
			}
		})
	}
}

func TestRevokeSubjectAndAll(t *testing.T) {
	clk := nowClock()
	l := testRevocations()
	s := newStore[cart](t, Options{Now: clk.Now, Revocations: l})
	ada1, _ := login(t, s, "ada")
	ada2, _ := login(t, s, "ada")
	bob, _ := login(t, s, "bob")
	clk.Add(time.Second)
	if err := l.RevokeSubject("ada", clk.Now()); err != nil {
		t.Fatal(err)
	}
	for i, j := range []jar{ada1, ada2} {
		if err := s.Get(j.request("GET", "/")).Err(); !errors.Is(err, ErrRevoked) {
			t.Errorf("ada's session %d: %v", i, err)
		}
	}
	if err := s.Get(bob.request("GET", "/")).Err(); err != nil {
		t.Fatalf("bob refused: %v", err)
	}
	clk.Add(time.Second)
	ada3, _ := login(t, s, "ada") // logged in again after the cut-off
	if err := s.Get(ada3.request("GET", "/")).Err(); err != nil {
		t.Fatalf("new login refused: %v", err)
	}
	if err := l.RevokeAll(clk.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, j := range []jar{bob, ada3} {
		if err := s.Get(j.request("GET", "/")).Err(); !errors.Is(err, ErrRevoked) {
			t.Errorf("after RevokeAll: %v", err)
		}
	}
}

// TestRevokeRenewGivesNewID checks that Renew replaces the identifier, so
// revoking the old one leaves the renewed session valid.
func TestRevokeRenewGivesNewID(t *testing.T) {
	clk := nowClock()
	l := testRevocations()
	s := newStore[cart](t, Options{Now: clk.Now, Revocations: l})
	j, id := login(t, s, "ada")
	var renewed string
	j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Renew()
		renewed = sess.ID()
	})))
	if renewed == id || renewed == "" {
		t.Fatalf("Renew kept the ID %q", id)
	}
	if err := l.RevokeSession(id, clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if sess := s.Get(j.request("GET", "/")); sess.Err() != nil || sess.Subject() != "ada" {
		t.Fatalf("renewed session: %v, subject %q", sess.Err(), sess.Subject())
	}
}

// TestRevokeLegacyAfterGlobalCutOff checks the rule for legacy cookies,
// whose creation is unknown: a global cut-off refuses them.
func TestRevokeLegacyAfterGlobalCutOff(t *testing.T) {
	clk := nowClock()
	l := testRevocations()
	e := testLegacy{Keys: []string{"k"}}
	s := newStore[Map](t, Options{Name: "sid", Now: clk.Now, Revocations: l, Legacy: []Legacy{&e}})
	j := legacyJar(t, e, `{"user":"ada"}`)
	if sess := s.Get(j.request("GET", "/")); sess.IsNew() {
		t.Fatalf("legacy session refused: %v", sess.Err())
	}
	if err := l.RevokeSubject("ada", clk.Now()); err != nil { // cannot see a legacy cookie's subject
		t.Fatal(err)
	}
	if sess := s.Get(j.request("GET", "/")); sess.IsNew() {
		t.Fatalf("subject cut-off refused a legacy cookie it cannot identify: %v", sess.Err())
	}
	if err := l.RevokeAll(clk.Now()); err != nil {
		t.Fatal(err)
	}
	if sess := s.Get(j.request("GET", "/")); !errors.Is(sess.Err(), ErrRevoked) {
		t.Fatalf("legacy cookie after a global cut-off: %v", sess.Err())
	}
}

// TestNoIdentifierWithoutRevocation checks that a store without
// revocation seals no identifier (capacity), and drops one it opens.
func TestNoIdentifierWithoutRevocation(t *testing.T) {
	clk := nowClock()
	s := newStore[cart](t, Options{Now: clk.Now, Revocations: testRevocations()})
	j, _ := login(t, s, "ada")
	plain := newStore[cart](t, Options{Now: clk.Now})
	if sess := plain.Get(j.request("GET", "/")); sess.ID() != "" || sess.IsNew() {
		t.Fatalf("store without revocation: ID %q, err %v", sess.ID(), sess.Err())
	}
	fresh := jar{}
	fresh.do(t, counter(plain))
	h, err := format.ParseHeader(fresh["session"])
	if err != nil || h.Meta {
		t.Fatalf("a plain session sealed metadata: %+v %v", h, err)
	}
	if len(strings.TrimSpace(fresh["session"])) == 0 {
		t.Fatal("no cookie")
	}
}

// TestCapacityWithRevocation reports what the identifier costs in one
// cookie named __Host-session.
func TestCapacityWithRevocation(t *testing.T) {
	for _, rev := range []bool{false, true} {
		o := Options{Name: "__Host-session", Secure: SecureTerminated}
		if rev {
			o.Revocations = newRevocationList(t, memrevoke.Options{MaxAge: time.Hour})
		}
		s := newStore[Map](t, o)
		most := 0
		for n := 2800; n < 3200; n++ {
			sess := s.Get(j0())
			sess.Data["v"] = strings.Repeat("a", n-len(`{"v":""}`))
			if sess.Save(headerWriter(http.Header{})) != nil {
				break
			}
			most = n
		}
		t.Logf("revocation %v: %d bytes of JSON in one cookie", rev, most)
		if !rev && most < 3000 {
			t.Fatalf("capacity %d below 3,000", most)
		}
		if rev && most < 2950 {
			t.Fatalf("the identifier costs more than 50 bytes: %d", most)
		}
	}
}

// TestRevokeSubjectKeepCurrent checks the documented way to log out a
// user's other sessions and keep the current one: a cut-off at the
// current session's own creation.
func TestRevokeSubjectKeepCurrent(t *testing.T) {
	clk := nowClock()
	l := testRevocations()
	s := newStore[cart](t, Options{Now: clk.Now, Revocations: l})
	other, _ := login(t, s, "ada")
	clk.Add(time.Second)
	current, _ := login(t, s, "ada")
	clk.Add(300 * time.Millisecond)
	if err := l.RevokeSubject("ada", s.Get(current.request("GET", "/")).Created()); err != nil {
		t.Fatal(err)
	}
	if err := s.Get(current.request("GET", "/")).Err(); err != nil {
		t.Fatalf("the current session was refused: %v", err)
	}
	if err := s.Get(other.request("GET", "/")).Err(); !errors.Is(err, ErrRevoked) {
		t.Fatalf("the other session: %v", err)
	}
	// A cut-off at now refuses a session created in the same second.
	if err := l.RevokeSubject("ada", clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.Get(current.request("GET", "/")).Err(); !errors.Is(err, ErrRevoked) {
		t.Fatalf("same-second session after a cut-off at now: %v", err)
	}
}
