package cookiesession

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/jsonx"
	"github.com/cookiesession/cookiesession/internal/testjar"
	"github.com/cookiesession/cookiesession/memrevoke"
)

func TestExplicitSave(t *testing.T) {
	s := newStore[cart](t, Options{})
	rec := httptest.NewRecorder()
	sess := s.Get(httptest.NewRequest("GET", "/", nil))
	sess.Data.Items = []string{strings.Repeat("y", 4000)}
	if err := sess.Save(rec); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("Save = %v", err)
	}
	if len(rec.Header()) != 0 {
		t.Fatalf("failed Save wrote headers: %v", rec.Header())
	}
	sess.Data.Items = []string{"ok"}
	if err := sess.Save(rec); err != nil {
		t.Fatal(err)
	}
	if err := sess.Save(rec); err != nil { // nothing changed: no second line
		t.Fatal(err)
	}
	sess.Data.N = 7
	if err := sess.Save(rec); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Header()["Set-Cookie"]); n != 1 {
		t.Fatalf("%d Set-Cookie lines after three saves", n)
	}
	j := jar{}
	j.update(t, rec.Header())
	if got := s.Get(j.request("GET", "/")); got.Data.N != 7 || got.Data.Items[0] != "ok" {
		t.Fatalf("saved data %+v", got.Data)
	}
	// Under the middleware, Save after the header went out is refused.
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		w.WriteHeader(http.StatusOK)
		sess.Data.N = 9
		if err := sess.Save(w); !errors.Is(err, ErrAlreadyWritten) {
			t.Errorf("late Save = %v", err)
		}
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func TestDestroyRenewFlashPersistence(t *testing.T) {
	clk := newClock()
	s := newStore[cart](t, Options{Now: clk.Now, MaxAge: time.Hour})
	j := jar{}
	var act func(*Session[cart]) string
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, act(s.Get(r)))
	}))
	act = func(sess *Session[cart]) string { sess.Data.User = "ada"; sess.AddFlash("welcome"); return "" }
	rec := j.do(t, h)
	if !strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=3600") {
		t.Fatalf("persistent cookie: %q", rec.Header().Get("Set-Cookie"))
	}
	act = func(sess *Session[cart]) string { return strings.Join(sess.Flashes(), ",") }
	if rec := j.do(t, h); rec.Body.String() != "welcome" {
		t.Fatalf("flash: %q", rec.Body.String())
	}
	if rec := j.do(t, h); rec.Body.String() != "" {
		t.Fatalf("flash read twice: %q", rec.Body.String())
	}

	// Renew: fresh creation time, same data.
	clk.Add(50 * time.Minute)
	before := s.Get(j.request("GET", "/")).Created()
	act = func(sess *Session[cart]) string { sess.Renew(); return "" }
	j.do(t, h)
	after := s.Get(j.request("GET", "/"))
	if !after.Created().After(before) || after.Data.User != "ada" {
		t.Fatalf("renew: created %v -> %v, user %q", before, after.Created(), after.Data.User)
	}
	clk.Add(30 * time.Minute) // 80 minutes after the first creation
	if sess := s.Get(j.request("GET", "/")); sess.IsNew() {
		t.Fatalf("renewed session expired early: %v", sess.Err())
	}

	// Browser-session cookie ("remember me" off) survives later saves.
	act = func(sess *Session[cart]) string { sess.SetBrowserSession(true); return "" }
	rec = j.do(t, h)
	if strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age") {
		t.Fatalf("browser-session cookie has Max-Age: %q", rec.Header().Get("Set-Cookie"))
	}
	act = func(sess *Session[cart]) string { sess.Data.N++; return "" }
	rec = j.do(t, h)
	if sc := rec.Header().Get("Set-Cookie"); sc == "" || strings.Contains(sc, "Max-Age") {
		t.Fatalf("browser-session choice lost: %q", sc)
	}

	// Destroy expires the cookie.
	act = func(sess *Session[cart]) string { sess.Destroy(); return "" }
	rec = j.do(t, h)
	if sc := rec.Header().Get("Set-Cookie"); !strings.HasPrefix(sc, "session=; Max-Age=0") {
		t.Fatalf("destroy: %q", sc)
	}
	if len(j) != 0 {
		t.Fatalf("jar after destroy: %v", j)
	}
}

// TestUseAfterDestroy checks that a session used again after Destroy (a
// "logged out" flash, say) is saved as a new session.
func TestUseAfterDestroy(t *testing.T) {
	s := newStore[cart](t, Options{MaxChunks: 3, MaxTotalBytes: 12000})
	j := jar{}
	var act func(*Session[cart])
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { act(s.Get(r)) }))
	act = func(sess *Session[cart]) {
		sess.Data.Items = []string{strings.Repeat("i", 5000)}
		sess.Data.User = "ada"
	}
	j.do(t, h)
	if len(j) != 2 {
		t.Fatalf("jar %v", keys(j))
	}
	act = func(sess *Session[cart]) { sess.Destroy(); sess.AddFlash("bye") }
	j.do(t, h)
	sess := s.Get(j.request("GET", "/"))
	if len(j) != 1 || sess.IsNew() || sess.Data.User != "" || len(sess.Data.Items) != 0 {
		t.Fatalf("after destroy+flash: jar %v, new=%v data=%+v", keys(j), sess.IsNew(), sess.Data)
	}
	if f := sess.Flashes(); len(f) != 1 || f[0] != "bye" {
		t.Fatalf("flashes %v", f)
	}
}

func TestRollingRefresh(t *testing.T) {
	clk := newClock()
	s := newStore[cart](t, Options{Now: clk.Now, MaxAge: time.Hour, IdleTimeout: 8 * time.Minute})
	j := jar{}
	j.do(t, counter(s))
	read := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = s.Get(r) }))
	clk.Add(time.Minute) // refresh is due after IdleTimeout/4 = 2m
	if rec := j.do(t, read); len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatal("refreshed before it was due")
	}
	for i := 0; i < 10; i++ { // 30 minutes of activity every 3 minutes
		clk.Add(3 * time.Minute)
		rec := j.do(t, read)
		if len(rec.Header()["Set-Cookie"]) != 1 {
			t.Fatalf("step %d: no refresh", i)
		}
	}
	sess := s.Get(j.request("GET", "/"))
	if sess.IsNew() || sess.Data.N != 1 {
		t.Fatalf("active session lost: err=%v", sess.Err())
	}
	clk.Add(8 * time.Minute)
	if sess := s.Get(j.request("GET", "/")); !errors.Is(sess.Err(), ErrIdleTimeout) {
		t.Fatalf("idle session: err=%v", sess.Err())
	}
}

// TestSetMaxAge checks a per-session lifetime: sealed in the value, sent as
// Max-Age, enforced on the server past the store's MaxAge, bounded by the
// ceiling, and kept by Renew.
func TestSetMaxAge(t *testing.T) {
	clk := newClock()
	const month = 30 * 24 * time.Hour
	s := newStore[cart](t, Options{Now: clk.Now, MaxAgeCeiling: month})
	j := jar{}
	var setErr error
	remember := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.User = "ada"
		setErr = sess.SetMaxAge(month)
	}))
	rec := j.do(t, remember)
	if setErr != nil {
		t.Fatal(setErr)
	}
	if got := maxAgeOf(setCookie(t, rec.Header(), "session")); got != int(month/time.Second) {
		t.Fatalf("Max-Age %d, want %d", got, int(month/time.Second))
	}
	clk.Add(25 * time.Hour) // past the store's 24 h MaxAge
	if sess := s.Get(j.request("GET", "/")); sess.IsNew() || sess.Data.User != "ada" {
		t.Fatalf("remembered session refused after 25 h: %v", sess.Err())
	}
	renew := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Renew() }))
	rec = j.do(t, renew)
	if got := maxAgeOf(setCookie(t, rec.Header(), "session")); got != int(month/time.Second) {
		t.Fatalf("after Renew Max-Age %d, want the session's own %d", got, int(month/time.Second))
	}
	clk.Add(month)
	if sess := s.Get(j.request("GET", "/")); !errors.Is(sess.Err(), ErrExpired) {
		t.Fatalf("past its own lifetime: Err() = %v, want ErrExpired", sess.Err())
	}

	sess := s.Get(j.request("GET", "/"))
	for _, d := range []time.Duration{month + time.Second, -time.Second, time.Millisecond} {
		if err := sess.SetMaxAge(d); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("SetMaxAge(%v) = %v, want ErrInvalidOptions", d, err)
		}
	}
	if err := newStore[cart](t, Options{}).Get(j.request("GET", "/")).SetMaxAge(25 * time.Hour); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("without a ceiling SetMaxAge past MaxAge = %v", err)
	}
	if _, err := New[cart](Options{Keys: [][]byte{testKey(1)}, MaxAge: time.Hour, MaxAgeCeiling: time.Minute}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("ceiling below MaxAge accepted: %v", err)
	}
}

// TestChangedPopulated checks cookie-session's isChanged and isPopulated.
func TestChangedPopulated(t *testing.T) {
	s := newStore[cart](t, Options{})
	sess := s.Get(j0())
	if sess.Changed() || sess.Populated() {
		t.Fatal("new session changed or populated")
	}
	sess.Data.N = 1
	if !sess.Changed() || !sess.Populated() {
		t.Fatal("changed data not seen")
	}
	j := jar{}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x := s.Get(r)
		x.Data.N++
		w.Write([]byte("x")) // saved now
		if !x.Changed() {
			t.Error("Changed() false after the save of a change")
		}
	}))
	j.do(t, h)
	read := s.Get(j.request("GET", "/"))
	if read.Changed() || !read.Populated() {
		t.Fatalf("opened session: changed %v populated %v", read.Changed(), read.Populated())
	}
	read.AddFlash("hi")
	if !read.Changed() {
		t.Fatal("flash not a change")
	}
}

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

// hjRec is a recorder whose connection can be hijacked.
type hjRec struct{ *httptest.ResponseRecorder }

func (h hjRec) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c1, _ := net.Pipe()
	return c1, bufio.NewReadWriter(bufio.NewReader(c1), bufio.NewWriter(c1)), nil
}

// stateCase is one row of TestSessionStates: a store, the cookies the
// client holds, what the handler does on each request, and what must come
// of it.
type stateCase struct {
	name     string
	opts     func(clk *clock) Options // Name is "sid"; OnEvent and ErrorHandler are the test's
	jar      func(t *testing.T) jar   // the client's cookies; nil: none
	signedIn bool                     // a first request stores {"user":"a"}, unchecked
	requests int                      // requests served in a row; 0 means 1
	// handle is the handler; its notes, joined by "|", must equal note.
	handle   func(s *Session[Map], w http.ResponseWriter, clk *clock) string
	note     string
	lines    string                              // a Set-Cookie line of the last response starts with it; "-": none may be sent
	lost     string                              // the one lost change reported contains it; "": none may be
	lostIs   error                               // and matches it, if set
	events   string                              // the events other than lost changes, comma-separated; "*": any
	status   int                                 // the last response's status; 0: any
	panic    any                                 // what the handler panics with, and the middleware lets go on
	answered error                               // the ErrorHandler answered with it; nil: it did not answer
	verify   func(t *testing.T, res stateResult) // more checks, if any
}

// run serves the row's requests.
func (tc *stateCase) run(t *testing.T) stateResult {
	var res stateResult
	clk := newClock()
	o := Options{}
	if tc.opts != nil {
		o = tc.opts(clk)
	}
	o.Name = "sid"
	o.OnEvent = func(_ context.Context, e Event) {
		if e.Kind == EventLostChange {
			res.lost = append(res.lost, e.Err)
			return
		}
		res.events = append(res.events, e.Kind.String())
	}
	o.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		res.errorHandler = err
		w.WriteHeader(http.StatusInternalServerError)
	}
	s := newStore[Map](t, o)
	j := jar{}
	if tc.jar != nil {
		j = tc.jar(t)
	}
	if tc.signedIn {
		j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Data["user"] = "a" })))
		res.events = nil
	}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res.notes = append(res.notes, tc.handle(s.Get(r), w, clk))
	}))
	for range max(tc.requests, 1) {
		rec := httptest.NewRecorder()
		func() {
			defer func() { res.panicked = recover() }()
			h.ServeHTTP(hjRec{rec}, j.request("GET", "/"))
		}()
		res.lines, res.status = rec.Result().Header["Set-Cookie"], rec.Code
		j.updateLines(res.lines)
	}
	return res
}

// check compares res with the row's expectations.
func (tc *stateCase) check(t *testing.T, res stateResult) {
	t.Helper()
	if got := strings.Join(res.notes, "|"); tc.note != "" && got != tc.note {
		t.Errorf("handler saw %q, want %q", got, tc.note)
	}
	switch {
	case tc.lines == "-" && len(res.lines) > 0:
		t.Errorf("Set-Cookie %q, want none", res.lines)
	case tc.lines != "" && tc.lines != "-" && !testjar.HasLine(res.lines, tc.lines):
		t.Errorf("Set-Cookie %q, want a line starting %q", res.lines, tc.lines)
	}
	switch {
	case tc.lost == "" && len(res.lost) > 0:
		t.Errorf("lost changes reported: %v, want none", res.lost)
	case tc.lost != "" && (len(res.lost) != 1 || !strings.Contains(res.lost[0].Error(), tc.lost)):
		t.Errorf("lost changes reported: %v, want one naming %q", res.lost, tc.lost)
	case tc.lostIs != nil && !errors.Is(res.lost[0], tc.lostIs):
		t.Errorf("lost change %v does not match %v", res.lost[0], tc.lostIs)
	}
	if res.panicked != tc.panic {
		t.Errorf("panic %v, want %v", res.panicked, tc.panic)
	}
	if !errors.Is(res.errorHandler, tc.answered) || (res.errorHandler == nil) != (tc.answered == nil) {
		t.Errorf("ErrorHandler answered %v, want %v", res.errorHandler, tc.answered)
	}
	if got := strings.Join(res.events, ","); tc.events != "*" && got != tc.events {
		t.Errorf("events %q, want %q", got, tc.events)
	}
	if tc.status != 0 && res.status != tc.status {
		t.Errorf("status %d, want %d (error handler: %v)", res.status, tc.status, res.errorHandler)
	}
}

// stateResult is what a row's requests produced.
type stateResult struct {
	notes, events []string
	lines         []string
	lost          []error
	status        int
	errorHandler  error
	panicked      any
}

// step is one thing a handler does in a row built by steps; it returns
// the error of a Save.
type step = func(w http.ResponseWriter, s *Session[Map]) error

// steps returns a handler that takes the steps in order and notes the
// last error one returned, by name: "nil", "ErrAlreadyWritten", ...
func steps(st ...step) func(*Session[Map], http.ResponseWriter, *clock) string {
	return func(s *Session[Map], w http.ResponseWriter, _ *clock) string {
		var last error
		for _, f := range st {
			if err := f(w, s); err != nil {
				last = err
			}
		}
		for _, e := range []struct {
			err  error
			name string
		}{{nil, "nil"}, {ErrAlreadyWritten, "ErrAlreadyWritten"}, {ErrEncode, "ErrEncode"}, {ErrTooLarge, "ErrTooLarge"}} {
			if errors.Is(last, e.err) {
				return e.name
			}
		}
		return last.Error()
	}
}

// TestSessionStates drives the session's save state through the
// middleware, one regression per row.
func TestSessionStates(t *testing.T) {
	held := testLegacy{Keys: []string{"k1"}}
	transition := testLegacy{Keys: []string{"k1"}, Transition: true}
	heldJar := func(l testLegacy) func(t *testing.T) jar {
		return func(t *testing.T) jar { return legacyJar(t, l, `{"user":"a"}`) }
	}
	for _, tc := range []stateCase{{
		// A session read from a legacy cookie, with IdleTimeout set,
		// expires from its upgrade, not from year 1.
		name: "legacy ExpiresAt counts from the upgrade",
		opts: func(clk *clock) Options {
			return Options{Legacy: []Legacy{&held}, IdleTimeout: time.Hour, Now: clk.Now}
		},
		jar: heldJar(held),
		handle: func(s *Session[Map], _ http.ResponseWriter, clk *clock) string {
			return fmt.Sprint(s.ExpiresAt().Sub(clk.Now()))
		},
		note: "1h0m0s", lines: "sid=", events: "upgraded",
	}, {
		// An untouched legacy session is not Changed, and a hijack
		// reports no lost Data change for it.
		name: "legacy upgrade is not a change",
		opts: func(*clock) Options { return Options{Legacy: []Legacy{&held}} },
		jar:  heldJar(held),
		handle: func(s *Session[Map], w http.ResponseWriter, _ *clock) string {
			changed := s.Changed()
			w.(http.Hijacker).Hijack()
			return fmt.Sprint(changed)
		},
		note: "false", lines: "-", events: "",
	}, {
		// A refused legacy cookie leaves no trace on the new session: no
		// EventUpgraded when it is saved.
		name: "refused legacy cookie not upgraded",
		opts: func(clk *clock) Options {
			rl := testRevocations() // on time.Now; legacy cookies are asked with the zero time
			if err := rl.RevokeAll(time.Now()); err != nil {
				panic(err)
			}
			return Options{Legacy: []Legacy{&held}, Revocations: rl, Now: clk.Now}
		},
		jar: heldJar(held),
		handle: func(s *Session[Map], _ http.ResponseWriter, _ *clock) string {
			s.Data["fresh"] = 1
			return fmt.Sprint(errors.Is(s.Err(), ErrRevoked))
		},
		note: "true", lines: "sid=", events: "rejected,created",
	}, {
		// With Revocations, an upgraded legacy session has its identifier
		// on the upgrade request already, and keeps it.
		name: "legacy upgrade gets its ID at once",
		opts: func(*clock) Options {
			return Options{Legacy: []Legacy{&held}, Revocations: newRevocationList(nil, memrevoke.Options{MaxAge: 24 * time.Hour})}
		},
		jar: heldJar(held), requests: 2,
		handle: func(s *Session[Map], _ http.ResponseWriter, _ *clock) string { return s.ID() },
		lines:  "-", events: "upgraded",
		verify: func(t *testing.T, res stateResult) {
			if len(res.notes) != 2 || res.notes[0] == "" || res.notes[0] != res.notes[1] {
				t.Errorf("IDs %q: want one, from the upgrade request on", res.notes)
			}
		},
	}, {
		// After Save fails with ErrEncode and the handler answers, the
		// ErrorHandler does not answer over it.
		name: "failed Save left to the handler",
		handle: func(s *Session[Map], w http.ResponseWriter, _ *clock) string {
			s.Data["bad"] = math.NaN()
			if err := s.Save(w); errors.Is(err, ErrEncode) {
				http.Error(w, "handled", http.StatusUnprocessableEntity)
			}
			return ""
		},
		lines: "-", events: "", status: http.StatusUnprocessableEntity,
	}, {
		// A change after a failed Save is saved.
		name: "change after a failed Save saved",
		handle: func(s *Session[Map], w http.ResponseWriter, _ *clock) string {
			s.AddFlash(strings.Repeat("x", 5000))
			err := s.Save(w)
			if errors.Is(err, ErrTooLarge) {
				s.Flashes()
				s.AddFlash("your message was too long")
			}
			return fmt.Sprint(errors.Is(err, ErrTooLarge))
		},
		note: "true", lines: "sid=", events: "created",
	}, {
		// In transition mode, Destroy then reuse, written in the legacy
		// format, is not reported lost and raises the event of a new
		// session.
		name: "transition: Destroy then reuse",
		opts: func(*clock) Options { return Options{Legacy: []Legacy{&transition}} },
		jar:  heldJar(transition),
		handle: func(s *Session[Map], w http.ResponseWriter, _ *clock) string {
			s.Destroy()
			s.Data["user"] = "b"
			w.Write([]byte("hi"))
			return fmt.Sprint(s.Changed())
		},
		note: "true", lines: "session=", events: "created",
	}, {
		// A change after a Save told ErrAlreadyWritten is still reported.
		name: "change after ErrAlreadyWritten reported",
		handle: func(s *Session[Map], w http.ResponseWriter, _ *clock) string {
			w.WriteHeader(http.StatusOK)
			err := s.Save(w)
			s.Destroy()
			return fmt.Sprint(errors.Is(err, ErrAlreadyWritten))
		},
		note: "true", lines: "-", lost: "Destroy", events: "",
	}, {
		// A successful Save supersedes an earlier failed one: the same
		// change made again, too late, is reported.
		name: "failed Save superseded by a later one",
		handle: func(s *Session[Map], w http.ResponseWriter, _ *clock) string {
			big := strings.Repeat("x", 5000)
			s.AddFlash(big)
			err := s.Save(w)
			s.Flashes()
			err2 := s.Save(w)
			w.Write([]byte("hi"))
			s.AddFlash(big)
			return fmt.Sprint(errors.Is(err, ErrTooLarge), err2)
		},
		note: "true <nil>", lines: "-", lost: "flash messages", events: "",
	}, {
		// Setting a value back to what the client holds is no change.
		name: "a change undone is no change",
		opts: func(*clock) Options { return Options{} },
		handle: func(s *Session[Map], w http.ResponseWriter, _ *clock) string {
			s.SetSubject("x")
			s.AddFlash("m")
			s.SetSubject("")
			s.Flashes()
			w.Write([]byte("hi"))
			return fmt.Sprint(s.Changed())
		},
		note: "false", lines: "-", events: "",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.run(t)
			tc.check(t, res)
			if tc.verify != nil {
				tc.verify(t, res)
			}
		})
	}
	for _, tc := range lostChangeRows(heldJar(transition), &transition) {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.run(t)) })
	}
	// In transition mode a new session saved in the legacy format, by
	// the middleware or an explicit Save, is not reported lost.
	for _, f := range []struct {
		name string
		opts Options
		line string
	}{{"legacy", Options{Legacy: []Legacy{&transition}}, "session="}} { // Express, gorilla: package migrate's TestStoreExpressTransition, TestGorillaTransitionNewSession
		for _, save := range []bool{false, true} {
			tc := stateCase{
				name: fmt.Sprintf("transition: new %s session, Save %v", f.name, save),
				opts: func(*clock) Options { return f.opts },
				handle: func(s *Session[Map], w http.ResponseWriter, _ *clock) string {
					s.Data["user"] = "b"
					if save {
						return fmt.Sprint(s.Save(w))
					}
					w.Write([]byte("hi"))
					return "<nil>"
				},
				note: "<nil>", lines: f.line, events: "created",
			}
			t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.run(t)) })
		}
	}
}

// errBoom is a handler's panic value.
var errBoom = errors.New("boom")

// lostChangeRows are the rows of TestSessionStates that walk a signed-in
// session (or a legacy one in transition mode) through steps: every
// change a response did not carry is reported once (or the save answers
// with an error), and a handler's panic goes on with its own value.
func lostChangeRows(transitionJar func(*testing.T) jar, transition *testLegacy) []stateCase {
	destroy := func(w http.ResponseWriter, s *Session[Map]) error { s.Destroy(); return nil }
	change := func(w http.ResponseWriter, s *Session[Map]) error { s.Data["user"] = "b"; return nil }
	flash := func(w http.ResponseWriter, s *Session[Map]) error { s.AddFlash("saved"); return nil }
	readFlash := func(w http.ResponseWriter, s *Session[Map]) error { s.Flashes(); return nil }
	header := func(w http.ResponseWriter, s *Session[Map]) error { w.WriteHeader(http.StatusAccepted); return nil }
	write := func(w http.ResponseWriter, s *Session[Map]) error { w.Write([]byte("ok")); return nil }
	save := func(w http.ResponseWriter, s *Session[Map]) error { return s.Save(w) }
	panics := func(v any) step { return func(http.ResponseWriter, *Session[Map]) error { panic(v) } }
	inTransition := func(*clock) Options { return Options{Legacy: []Legacy{transition}} }
	rows := []stateCase{
		{name: "nothing", handle: steps(write), note: "nil"},
		{name: "destroy, panic", handle: steps(destroy, panics(errBoom)), panic: errBoom, lost: "(Destroy)", lostIs: ErrPanicked},
		{name: "destroy, panic abort", handle: steps(destroy, panics(http.ErrAbortHandler)), panic: http.ErrAbortHandler, lost: "(Destroy)", lostIs: ErrPanicked},
		{name: "destroy, header, panic", handle: steps(destroy, header, panics(errBoom)), panic: errBoom, lost: "(Destroy)", lostIs: ErrPanicked},
		{name: "destroy, header, panic abort", handle: steps(destroy, header, panics(http.ErrAbortHandler)), panic: http.ErrAbortHandler, lost: "(Destroy)", lostIs: ErrPanicked},
		{name: "data, save, panic", handle: steps(change, save, panics(errBoom)), panic: errBoom, lost: "(Data)", lostIs: ErrPanicked},
		{name: "panic, nothing changed", handle: steps(panics(errBoom)), panic: errBoom},
		{name: "write, told, destroy", handle: steps(write, save, destroy), note: "ErrAlreadyWritten", lost: "(Destroy)", lostIs: ErrAlreadyWritten},
		{name: "write, told, data", handle: steps(write, save, change), note: "ErrAlreadyWritten", lost: "(Data)", lostIs: ErrAlreadyWritten},
		{name: "write, data, told", handle: steps(write, change, save), note: "ErrAlreadyWritten"},
		{name: "write, told, destroy, told", handle: steps(write, save, destroy, save), note: "ErrAlreadyWritten"},
		{name: "transition flash", opts: inTransition, jar: transitionJar, handle: steps(change, flash), note: "nil", answered: ErrEncode, lines: "-"},
		{name: "transition flash, save", opts: inTransition, jar: transitionJar, handle: steps(change, flash, save), note: "ErrEncode"},
		{name: "transition flash read", opts: inTransition, jar: transitionJar, handle: steps(change, flash, readFlash), note: "nil", lines: "session="},
	}
	for i := range rows {
		rows[i].signedIn, rows[i].events = rows[i].opts == nil, "*"
	}
	return rows
}

// lateChangeReported runs two requests through a store of T's middleware:
// the first saves prepare's session, the second changes it with before,
// starts the response (committing it), then changes it with after. It
// fails unless exactly one EventLostChange names Data.
func lateChangeReported[T any](t *testing.T, prepare, before, after func(*T)) {
	t.Helper()
	var lost lostRecorder
	s := newStore[T](t, Options{OnEvent: onLost(lost.report)})
	j := jar{}
	j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		prepare(&s.Get(r).Data)
	})))
	j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		before(&sess.Data)
		io.WriteString(w, "body")
		if !sess.Changed() {
			t.Error("Changed() false after a change")
		}
		after(&sess.Data)
	})))
	if len(lost.errs) != 1 {
		t.Fatalf("%d reports of the late change, want 1: %v", len(lost.errs), lost.errs)
	}
	if lc, ok := lost.errs[0].(*LostChangeError); !ok || lc.What != "Data" {
		t.Fatalf("report %v, want a LostChangeError naming Data", lost.errs[0])
	}
}

// TestLateChangeValueCompare checks that the value copy and compare that
// spares the second encoding still sees every late change: in a plain type
// (the compare), and in the types whose change leaves their own bytes as
// they were (a slice element, a map entry, a pointer's target, a Map),
// which must be encoded again.
func TestLateChangeValueCompare(t *testing.T) {
	type padded struct {
		A int8
		B int64
		S string
		F float64
		T time.Time
	}
	t.Run("plain/int", func(t *testing.T) {
		lateChangeReported(t, func(d *padded) { d.B = 1 }, func(d *padded) { d.A++ }, func(d *padded) { d.B++ })
	})
	t.Run("plain/string", func(t *testing.T) {
		lateChangeReported(t, func(d *padded) { d.S = "abc" }, func(d *padded) { d.A++ }, func(d *padded) { d.S = "abd" })
	})
	t.Run("plain/negative-zero", func(t *testing.T) { // -0 encodes as -0, +0 as 0
		lateChangeReported(t, func(d *padded) {}, func(d *padded) { d.A++ }, func(d *padded) { d.F = math.Copysign(0, -1) })
	})
	t.Run("plain/time", func(t *testing.T) {
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		lateChangeReported(t, func(d *padded) { d.T = at }, func(d *padded) { d.A++ }, func(d *padded) { d.T = d.T.Add(time.Nanosecond) })
	})
	type withSlice struct{ L []int }
	t.Run("slice-element", func(t *testing.T) {
		lateChangeReported(t, func(d *withSlice) { d.L = []int{1} }, func(d *withSlice) { d.L[0] = 2 }, func(d *withSlice) { d.L[0] = 3 })
	})
	type withMap struct{ M map[string]int }
	t.Run("map-entry", func(t *testing.T) {
		lateChangeReported(t, func(d *withMap) { d.M = map[string]int{"k": 1} }, func(d *withMap) { d.M["k"] = 2 }, func(d *withMap) { d.M["k"] = 3 })
	})
	type withPointer struct{ P *int }
	t.Run("pointer-target", func(t *testing.T) {
		lateChangeReported(t, func(d *withPointer) { d.P = new(int) }, func(d *withPointer) { *d.P = 2 }, func(d *withPointer) { *d.P = 3 })
	})
	t.Run("Map", func(t *testing.T) {
		lateChangeReported(t, func(d *Map) { (*d)["k"] = 1 }, func(d *Map) { (*d)["k"] = 2 }, func(d *Map) { (*d)["k"] = 3 })
	})
}

// TestStructJSONAsEncodingJSON: the data of a flat struct, encoded and
// decoded without encoding/json's reflection walk (internal/structjson),
// seals the bytes jsonx.Marshal writes; a cookie that path cannot read
// exactly (a key in another case, an unknown key, white space, a value of
// the wrong kind) opens as encoding/json opens it; an untouched request
// sends nothing.
func TestStructJSONAsEncodingJSON(t *testing.T) {
	type flat struct {
		N     int     `json:"n"`
		Name  string  `json:"name,omitempty"`
		Ratio float64 `json:"ratio"`
		OK    bool
	}
	o := Options{Keys: [][]byte{testKey(1)}, Secure: SecureNever}
	store, err := New[flat](o)
	if err != nil {
		t.Fatal(err)
	}
	if store.c.structJSON == nil {
		t.Fatal("flat: no structjson codec")
	}
	raw, err := New[json.RawMessage](o) // the data JSON as sealed
	if err != nil {
		t.Fatal(err)
	}
	data := flat{N: -3, Name: "<&> \"q\" \\ \x01 é", Ratio: 1e-7, OK: true}
	cookie := cookieOf(t, store, data)
	want, _ := jsonx.Marshal(&data)
	if sealed := raw.Open(Request{Cookie: cookie}); string(sealed.Data) != string(want) {
		t.Fatalf("sealed %s, jsonx.Marshal %s", sealed.Data, want)
	}
	again := store.Open(Request{Cookie: cookie})
	if again.Data != data {
		t.Fatalf("opened %#v, want %#v", again.Data, data)
	}
	if u, err := again.Commit(); err != nil || len(u.SetCookie) != 0 {
		t.Fatalf("untouched: %v, %q", err, u.SetCookie)
	}
	for _, c := range []struct {
		json string
		want flat
		err  error
	}{
		{`{"N":5,"Name":"x","extra":[1]}`, flat{N: 5, Name: "x"}, nil}, // encoding/json matches keys in any case
		{`{ "n" : 7 }`, flat{N: 7}, nil},
		{`{"n":1,"ratio":null}`, flat{N: 1}, nil},
		{`{"n":"1"}`, flat{}, ErrDecode},
		{`{"n":1.5}`, flat{}, ErrDecode},
	} {
		got := store.Open(Request{Cookie: cookieOf(t, raw, json.RawMessage(c.json))})
		if got.Data != c.want || !errors.Is(got.Err(), c.err) {
			t.Errorf("%s: opened %#v, %v; want %#v, %v", c.json, got.Data, got.Err(), c.want, c.err)
		}
	}
}
