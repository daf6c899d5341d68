package cookiesession

// Helpers shared by the package's tests: the session type cart, keys,
// clocks, store builders, event hooks, the cookie jar, revocation lists and
// a ResponseWriter.

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/testjar"
	"github.com/cookiesession/cookiesession/memrevoke"
)

type cart struct {
	User  string   `json:"user,omitempty"`
	Items []string `json:"items,omitempty"`
	N     int      `json:"n,omitempty"`
}

// testKey returns a fixed master key that looks random: SHA-256 of b.
func testKey(b byte) []byte { k := sha256.Sum256([]byte{b}); return k[:] }

// clock is a settable time source for stores under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)} }

// nowClock returns a test clock at the current second: the in-memory list
// reads time.Now, so the store's times must lie near it.
func nowClock() *clock { return &clock{t: time.Now().Truncate(time.Second)} }

func newStore[T any](t testing.TB, o Options) *Store[T] {
	t.Helper()
	if o.Keys == nil {
		o.Keys = [][]byte{testKey(1)}
	}
	if o.Secure == SecureAuto {
		o.Secure = SecureNever
	}
	s, err := New[T](o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// onRejected returns an Options.OnEvent that passes each refused cookie's
// error (EventExpired, EventRejected) to f.
func onRejected(f func(err error)) func(context.Context, Event) {
	return func(_ context.Context, e Event) {
		if e.Kind == EventExpired || e.Kind == EventRejected {
			f(e.Err)
		}
	}
}

// onLost returns an Options.OnEvent that passes each lost change's
// *LostChangeError (EventLostChange) to f.
func onLost(f func(err error)) func(context.Context, Event) {
	return func(_ context.Context, e Event) {
		if e.Kind == EventLostChange {
			f(e.Err)
		}
	}
}

// lostRecorder collects what a store reports as EventLostChange.
type lostRecorder struct {
	mu   sync.Mutex
	errs []error
}

func (l *lostRecorder) report(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

// jar replays cookies between requests the way a browser would, by name.
// It reads Set-Cookie lines itself: net/http's parser drops names such as
// "express:sess" that legacy formats use.
type jar map[string]string

// update applies the Set-Cookie lines of h.
func (j jar) update(t testing.TB, h http.Header) {
	t.Helper()
	j.updateLines(h["Set-Cookie"])
}

// updateLines applies Set-Cookie lines.
func (j jar) updateLines(lines []string) { testjar.Apply(j, lines) }

// request returns a request carrying the jar's cookies.
func (j jar) request(method, target string) *http.Request { return testjar.Request(j, method, target) }

// get serves a GET of target through h with the jar's cookies and
// updates the jar from the response.
func (j jar) get(t testing.TB, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, j.request("GET", target))
	j.update(t, rec.Header())
	return rec
}

// setCookies serves target with the jar's cookies, updates the jar, and
// returns the response's Set-Cookie lines.
func (j jar) setCookies(t testing.TB, h http.Handler, target string) []string {
	t.Helper()
	return j.get(t, h, target).Header()["Set-Cookie"]
}

// do is get of "/".
func (j jar) do(t testing.TB, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	return j.get(t, h, "/")
}

// serve is testjar.Serve: the Set-Cookie lines as sent, applied to the jar.
func (j jar) serve(h http.Handler) []string { return testjar.Serve(j, h) }

func counter(s *Store[cart]) http.Handler {
	return s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.N++
		fmt.Fprint(w, sess.Data.N)
	}))
}

func j0() *http.Request { return (jar{}).request("GET", "/") }

// setCookie returns the response's Set-Cookie line for name.
func setCookie(t *testing.T, h http.Header, name string) string {
	t.Helper()
	for _, l := range h["Set-Cookie"] {
		if strings.HasPrefix(l, name+"=") {
			return l
		}
	}
	t.Fatalf("no Set-Cookie for %q in %q", name, h["Set-Cookie"])
	return ""
}

// maxAgeOf returns the Max-Age of a Set-Cookie line, or -1.
func maxAgeOf(line string) int {
	for _, a := range strings.Split(line, "; ") {
		if v, ok := strings.CutPrefix(a, "Max-Age="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return -1
}

// hasKind reports whether events holds one of kind k.
func hasKind(events []Event, k EventKind) bool {
	for _, e := range events {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// testRevocations returns an in-memory revocation list for sessions of at
// most 24 hours.
func testRevocations() *memrevoke.List {
	return newRevocationList(nil, memrevoke.Options{MaxAge: 24 * time.Hour})
}

// newRevocationList returns memrevoke.New(o), failing tb (or panicking
// without one) on an error.
func newRevocationList(tb testing.TB, o memrevoke.Options) *memrevoke.List {
	l, err := memrevoke.New(o)
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

// headerWriter is a ResponseWriter that only collects headers, with Flush
// as net/http's has.
type headerWriter http.Header

func (h headerWriter) Header() http.Header         { return http.Header(h) }
func (h headerWriter) Write(p []byte) (int, error) { return len(p), nil }
func (h headerWriter) WriteHeader(int)             {}
func (h headerWriter) Flush()                      {}

// cookieOf commits a new session of s holding data, in one cookie, and
// returns the Cookie lines of a request that carries it.
func cookieOf[T any](t testing.TB, s *Store[T], data T) []string {
	t.Helper()
	sess := s.Open(Request{})
	sess.Data = data
	u, err := sess.Commit()
	if err != nil || len(u.SetCookie) != 1 {
		t.Fatalf("Commit: %v, %d lines", err, len(u.SetCookie))
	}
	return []string{strings.SplitN(u.SetCookie[0], ";", 2)[0]}
}
