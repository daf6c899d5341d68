package cookiesession

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// testRevocations returns an in-memory revocation list on clk.
func testRevocations(clk *clock) *RevocationList {
	l := newRevocationList(nil, RevocationListOptions{MaxAge: 24 * time.Hour})
	l.now = clk.Now
	return l
}

// newRevocationList returns NewRevocationList(o), failing tb (or panicking
// without one) on an error.
func newRevocationList(tb testing.TB, o RevocationListOptions) *RevocationList {
	l, err := NewRevocationList(o)
	if err != nil {
		if tb == nil {
			panic(err)
		}
		tb.Fatal(err)
	}
	return l
}

// login returns a jar holding a session of subject, and its ID.
func login(t *testing.T, s *Store[cart], subject string) (jar, string) {
	t.Helper()
	j := jar{}
	var id string
	j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.User = subject
		sess.SetSubject(subject)
		id = sess.ID()
	})))
	return j, id
}

func TestRevokeSession(t *testing.T) {
	clk := newClock()
	l := testRevocations(clk)
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
	l.RevokeSession(id, sess.ExpiresAt())
	if sess := s.Get(j.request("GET", "/")); !errors.Is(sess.Err(), ErrRevoked) || !sess.IsNew() {
		t.Fatalf("revoked session: %v", sess.Err())
	}
	if sess := s.Get(other.request("GET", "/")); sess.Err() != nil {
		t.Fatalf("another session of the subject refused: %v", sess.Err())
	}
	// The entry expires when the session would have.
	clk.Add(25 * time.Hour)
	l.RevokeSession("x", clk.Now().Add(time.Hour))
	if l.Revoked(id, "", clk.Now()) {
		t.Fatal("entry outlived its session")
	}
}

func TestRevokeSubjectAndAll(t *testing.T) {
	clk := newClock()
	l := testRevocations(clk)
	s := newStore[cart](t, Options{Now: clk.Now, Revocations: l})
	ada1, _ := login(t, s, "ada")
	ada2, _ := login(t, s, "ada")
	bob, _ := login(t, s, "bob")
	clk.Add(time.Second)
	l.RevokeSubject("ada", clk.Now())
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
	l.RevokeAll(clk.Now().Add(time.Second))
	for _, j := range []jar{bob, ada3} {
		if err := s.Get(j.request("GET", "/")).Err(); !errors.Is(err, ErrRevoked) {
			t.Errorf("after RevokeAll: %v", err)
		}
	}
}

// TestRevokeRenewGivesNewID checks that Renew replaces the identifier, so
// revoking the old one leaves the renewed session valid.
func TestRevokeRenewGivesNewID(t *testing.T) {
	clk := newClock()
	l := testRevocations(clk)
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
	l.RevokeSession(id, clk.Now().Add(time.Hour))
	if sess := s.Get(j.request("GET", "/")); sess.Err() != nil || sess.Subject() != "ada" {
		t.Fatalf("renewed session: %v, subject %q", sess.Err(), sess.Subject())
	}
}

// TestRevokeLegacyAfterGlobalCutOff checks the rule for legacy cookies,
// whose creation is unknown: a global cut-off refuses them.
func TestRevokeLegacyAfterGlobalCutOff(t *testing.T) {
	clk := newClock()
	l := testRevocations(clk)
	e := testLegacy{Keys: []string{"k"}}
	s := newStore[Map](t, Options{Name: "sid", Now: clk.Now, Revocations: l, Legacy: []Legacy{&e}})
	j := legacyJar(t, e, `{"user":"ada"}`)
	if sess := s.Get(j.request("GET", "/")); sess.IsNew() {
		t.Fatalf("legacy session refused: %v", sess.Err())
	}
	l.RevokeSubject("ada", clk.Now()) // cannot see a legacy cookie's subject
	if sess := s.Get(j.request("GET", "/")); sess.IsNew() {
		t.Fatalf("subject cut-off refused a legacy cookie it cannot identify: %v", sess.Err())
	}
	l.RevokeAll(clk.Now())
	if sess := s.Get(j.request("GET", "/")); !errors.Is(sess.Err(), ErrRevoked) {
		t.Fatalf("legacy cookie after a global cut-off: %v", sess.Err())
	}
}

// TestNoIdentifierWithoutRevocation checks that a store without
// revocation seals no identifier (capacity), and drops one it opens.
func TestNoIdentifierWithoutRevocation(t *testing.T) {
	clk := newClock()
	s := newStore[cart](t, Options{Now: clk.Now, Revocations: testRevocations(clk)})
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

// TestRevocationListConcurrent exercises the list from many goroutines;
// run with -race.
func TestRevocationListConcurrent(t *testing.T) {
	l := newRevocationList(t, RevocationListOptions{MaxAge: time.Hour})
	var wg sync.WaitGroup
	now := time.Now()
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				id := string(rune('a'+g)) + strings.Repeat("x", i%7)
				l.RevokeSession(id, now.Add(time.Minute))
				l.RevokeSubject(id, now)
				_ = l.Revoked(id, id, now.Add(-time.Second))
			}
		}()
	}
	wg.Wait()
	if !l.Revoked("a", "", now) || l.Len() == 0 {
		t.Fatal("entries lost")
	}
}

// TestParseMetaRejects feeds parseMeta every malformed block.
func TestParseMetaRejects(t *testing.T) {
	good := "\x03\x01\x04\x00\x00\x0e\x10\x02\x10" + strings.Repeat("i", 16) + "\x03\x03ada{}"
	m, rest, err := parseMeta([]byte(good))
	if err != nil || m.maxAge != time.Hour || !m.hasID || m.subject != "ada" || string(rest) != "{}" {
		t.Fatalf("good block: %+v %q %v", m, rest, err)
	}
	for name, b := range map[string]string{
		"empty":            "",
		"truncated field":  "\x01\x01\x04\x00\x00",
		"truncated count":  "\x02\x01\x04\x00\x00\x0e\x10",
		"repeated tag":     "\x02\x01\x04\x00\x00\x0e\x10\x01\x04\x00\x00\x0e\x10",
		"out of order":     "\x02\x03\x01a\x01\x04\x00\x00\x0e\x10",
		"unknown tag":      "\x01\x09\x01a",
		"zero max-age":     "\x01\x01\x04\x00\x00\x00\x00",
		"short id":         "\x01\x02\x03abc",
		"empty subject":    "\x01\x03\x00",
		"subject not utf8": "\x01\x03\x02\xff\xfe",
	} {
		if _, _, err := parseMeta([]byte(b)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

// TestCapacityWithRevocation reports what the identifier costs in one
// cookie named __Host-session.
func TestCapacityWithRevocation(t *testing.T) {
	for _, rev := range []bool{false, true} {
		o := Options{Name: "__Host-session", Secure: SecureTerminated}
		if rev {
			o.Revocations = newRevocationList(t, RevocationListOptions{MaxAge: time.Hour})
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
	clk := newClock()
	l := testRevocations(clk)
	s := newStore[cart](t, Options{Now: clk.Now, Revocations: l})
	other, _ := login(t, s, "ada")
	clk.Add(time.Second)
	current, _ := login(t, s, "ada")
	clk.Add(300 * time.Millisecond)
	l.RevokeSubject("ada", s.Get(current.request("GET", "/")).Created())
	if err := s.Get(current.request("GET", "/")).Err(); err != nil {
		t.Fatalf("the current session was refused: %v", err)
	}
	if err := s.Get(other.request("GET", "/")).Err(); !errors.Is(err, ErrRevoked) {
		t.Fatalf("the other session: %v", err)
	}
	// A cut-off at now refuses a session created in the same second.
	l.RevokeSubject("ada", clk.Now())
	if err := s.Get(current.request("GET", "/")).Err(); !errors.Is(err, ErrRevoked) {
		t.Fatalf("same-second session after a cut-off at now: %v", err)
	}
}

// TestRevocationFutureRefused: a cut-off later than now plus the clock
// skew, or an until later than now plus MaxAge (plus the skew), is refused
// with ErrRevocationFuture and recorded nowhere: RevokeAll(now+24h) would
// otherwise refuse every new login for a day.
func TestRevocationFutureRefused(t *testing.T) {
	clk := newClock()
	l := testRevocations(clk) // MaxAge 24h, skew DefaultClockSkew
	now := clk.Now()
	for name, err := range map[string]error{
		"RevokeAll":     l.RevokeAll(now.Add(24 * time.Hour)),
		"RevokeSubject": l.RevokeSubject("ada", now.Add(DefaultClockSkew+time.Second)),
		"RevokeSession": l.RevokeSession("id", now.Add(24*time.Hour+DefaultClockSkew+time.Second)),
		"year 3000":     l.RevokeAll(time.UnixMilli(32503680000000)),
	} {
		if !errors.Is(err, ErrRevocationFuture) || !strings.Contains(err.Error(), "time.Now()") {
			t.Errorf("%s: %v, want ErrRevocationFuture saying what to pass", name, err)
		}
	}
	if l.Revoked("", "", now) || l.Revoked("", "ada", now) || l.Len() != 0 {
		t.Fatalf("a refused revocation was recorded: %d entries", l.Len())
	}
	// Within the bounds, all three are recorded.
	for name, err := range map[string]error{
		"RevokeAll":     l.RevokeAll(now.Add(DefaultClockSkew)),
		"RevokeSubject": l.RevokeSubject("ada", now.Add(time.Second)),
		"RevokeSession": l.RevokeSession("id", now.Add(24*time.Hour)),
	} {
		if err != nil {
			t.Errorf("%s within bounds: %v", name, err)
		}
	}
}

// TestRevocationListMaxAge: MaxAge is bounded like Options.MaxAge
// (1s..MaxAgeLimit); zero means MaxAgeLimit.
func TestRevocationListMaxAge(t *testing.T) {
	for _, o := range []RevocationListOptions{{MaxAge: MaxAgeLimit + time.Second}, {MaxAge: 100 * 365 * 24 * time.Hour}, {MaxAge: time.Millisecond}, {MaxEntries: -1}} {
		if _, err := NewRevocationList(o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%+v: %v, want ErrInvalidOptions", o, err)
		}
	}
	l := newRevocationList(t, RevocationListOptions{})
	if l.maxAge != MaxAgeLimit || l.limit != DefaultMaxRevocations || l.skew != DefaultClockSkew {
		t.Fatalf("zero options: maxAge %v limit %d skew %v", l.maxAge, l.limit, l.skew)
	}
}

// TestRevocationListFull: past MaxEntries a new entry is refused with
// ErrRevocationListFull, never dropped in silence; raising an entry held
// already, and a new one once old ones expired, still work.
func TestRevocationListFull(t *testing.T) {
	clk := newClock()
	l := newRevocationList(t, RevocationListOptions{MaxAge: time.Hour, MaxEntries: 3})
	l.now = clk.Now
	now := clk.Now()
	for i, err := range []error{
		l.RevokeSession("a", now.Add(time.Minute)),
		l.RevokeSession("b", now.Add(time.Hour)),
		l.RevokeSubject("ada", now),
	} {
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	err := l.RevokeSession("c", now.Add(time.Hour))
	if !errors.Is(err, ErrRevocationListFull) || !strings.Contains(err.Error(), "MaxEntries") {
		t.Fatalf("fourth entry: %v, want ErrRevocationListFull naming MaxEntries", err)
	}
	if err := l.RevokeSubject("bob", now); !errors.Is(err, ErrRevocationListFull) {
		t.Fatalf("fourth entry (subject): %v", err)
	}
	if l.Revoked("c", "", now) || l.Len() != 3 {
		t.Fatalf("a refused entry was recorded: %d entries", l.Len())
	}
	if err := l.RevokeSession("a", now.Add(time.Hour)); err != nil {
		t.Fatalf("raising a held entry: %v", err)
	}
	if err := l.RevokeAll(now); err != nil {
		t.Fatalf("the global cut-off is not counted: %v", err)
	}
	// Once an entry expires, its place is free again.
	l2 := newRevocationList(t, RevocationListOptions{MaxAge: time.Hour, MaxEntries: 1})
	l2.now = clk.Now
	if err := l2.RevokeSession("x", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Minute)
	if err := l2.RevokeSession("y", clk.Now().Add(time.Minute)); err != nil {
		t.Fatalf("after the only entry expired: %v", err)
	}
	if !l2.Revoked("y", "", clk.Now()) {
		t.Fatal("the new entry is not enforced")
	}
}

// TestRevokeSessionCompactID: an identifier of Session.ID's form is held
// compactly (seconds, rounded up: never shorter than asked, at most a
// second longer); any other string is held as given; both are refused
// until their until and dropped by a sweep after it.
func TestRevokeSessionCompactID(t *testing.T) {
	clk := newClock()
	l := testRevocations(clk)
	now := clk.Now()
	id := sessionID{1, 2, 3}.String()
	for _, key := range []string{id, "not-an-id", id[:21] + "B"} { // the last: not canonical base64url
		if err := l.RevokeSession(key, now.Add(10*time.Second+time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	if l.ids.Len() != 1 || len(l.sessions) != 2 {
		t.Fatalf("compact %d, strings %d; want 1 and 2", l.ids.Len(), len(l.sessions))
	}
	for _, step := range []struct {
		by      time.Duration
		refused bool
	}{{0, true}, {10 * time.Second, true}, {time.Second, false}} {
		clk.Add(step.by)
		for _, key := range []string{id, "not-an-id"} {
			if l.Revoked(key, "", now) != step.refused {
				t.Errorf("%q at %v: refused %v, want %v", key, clk.Now().Sub(now), !step.refused, step.refused)
			}
		}
	}
	l.mu.Lock()
	l.sweepAt(clk.Now())
	l.mu.Unlock()
	if l.Len() != 0 {
		t.Fatalf("%d entries after their until", l.Len())
	}
}
