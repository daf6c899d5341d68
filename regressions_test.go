package cookiesession

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestLegacyExpiresAtWithIdle: a session read from a legacy cookie, with
// IdleTimeout set, expires from its upgrade, not from year 1.
func TestLegacyExpiresAtWithIdle(t *testing.T) {
	e := ExpressSession{Keys: []string{"k1"}}
	clk := newClock()
	s := newStore[Map](t, Options{Name: "sid", Express: &e, IdleTimeout: time.Hour, Now: clk.Now})
	cj := expressJar(t, e, `{"user":"a"}`)
	var exp time.Time
	cj.serve(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exp = s.Get(r).ExpiresAt()
	})))
	if exp.Before(clk.Now()) {
		t.Errorf("ExpiresAt of a legacy session = %v, now %v", exp, clk.Now())
	}
}

// TestLegacyUpgradeNotAChange: an untouched legacy session is not Changed,
// and a hijack reports no lost Data change for it.
type hjRec struct{ *httptest.ResponseRecorder }

func (h hjRec) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c1, _ := net.Pipe()
	return c1, bufio.NewReadWriter(bufio.NewReader(c1), bufio.NewWriter(c1)), nil
}

func TestLegacyUpgradeNotAChange(t *testing.T) {
	e := ExpressSession{Keys: []string{"k1"}}
	var lost error
	s := newStore[Map](t, Options{Name: "sid", Express: &e, OnEvent: onLost(func(err error) { lost = err })})
	cj := expressJar(t, e, `{"user":"a"}`)
	var changed bool
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		changed = s.Get(r).Changed()
		w.(http.Hijacker).Hijack()
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(hjRec{rec}, cj.request("GET", "/"))
	if changed {
		t.Errorf("Changed() = true for an untouched legacy session")
	}
	if lost != nil {
		t.Errorf("lost change reported for an untouched legacy session: %v", lost)
	}
}

// TestRejectedLegacyNoUpgradeEvent: a refused legacy cookie leaves no trace
// on the new session (no EventUpgraded when it is saved).
func TestRejectedLegacyNoUpgradeEvent(t *testing.T) {
	e := ExpressSession{Keys: []string{"k1"}}
	var events []string
	rl := NewRevocationList(24 * time.Hour)
	clk := newClock()
	rl.now = clk.Now
	s := newStore[Map](t, Options{Name: "sid", Express: &e, Revocations: rl, Now: clk.Now,
		OnEvent: func(_ context.Context, ev Event) { events = append(events, ev.Kind.String()+":"+ev.From) }})
	rl.RevokeAll(clk.Now().Add(time.Second))
	cj := expressJar(t, e, `{"user":"a"}`)
	var err error
	cj.serve(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		err = sess.Err()
		sess.Data["fresh"] = 1
	})))
	t.Logf("err=%v events=%v", err, events)
	for _, ev := range events {
		if strings.HasPrefix(ev, "upgraded") {
			t.Errorf("EventUpgraded for a rejected legacy cookie: %v", events)
		}
	}
}

// TestLegacyUpgradeGetsID: with Revocations, an upgraded legacy session has
// its identifier on the upgrade request already.
func TestLegacyUpgradeGetsID(t *testing.T) {
	e := ExpressSession{Keys: []string{"k1"}}
	rl := NewRevocationList(24 * time.Hour)
	s := newStore[Map](t, Options{Name: "sid", Express: &e, Revocations: rl})
	cj := expressJar(t, e, `{"user":"a"}`)
	var ids []string
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids = append(ids, s.Get(r).ID())
	}))
	cj.serve(h)
	lines := cj.serve(h)
	cj.serve(h)
	t.Logf("ids=%q second response lines=%d", ids, len(lines))
	if ids[0] == "" {
		t.Errorf("ID() empty on the upgrade request with Revocations set")
	}
	if ids[0] != ids[1] {
		t.Errorf("ID changed between the upgrade request and the next one: %q", ids)
	}
}

// TestHandledEncodeErrorLeftToHandler: after Save fails with ErrEncode and
// the handler answers, the ErrorHandler does not answer over it.
type badJSON struct{ Bad bool }

func (b badJSON) MarshalJSON() ([]byte, error) {
	if b.Bad {
		return nil, errors.New("nope")
	}
	return []byte(`{}`), nil
}

func (b *badJSON) UnmarshalJSON([]byte) error { return nil }

func TestHandledEncodeErrorLeftToHandler(t *testing.T) {
	called := false
	s := newStore[badJSON](t, Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		called = true
		w.WriteHeader(500)
	}})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.Bad = true
		if err := sess.Save(w); errors.Is(err, ErrEncode) {
			http.Error(w, "handled", http.StatusUnprocessableEntity)
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if called || rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("handled ErrEncode overridden: ErrorHandler called=%v, status %d, body %q", called, rec.Code, rec.Body.String())
	}
}

// E2: a non-data change after a failed Save is silently dropped.
func TestChangeAfterFailedSaveSaved(t *testing.T) {
	var lost error
	s := newStore[cart](t, Options{OnEvent: onLost(func(err error) { lost = err })})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.AddFlash(strings.Repeat("x", 5000))
		if err := sess.Save(w); errors.Is(err, ErrTooLarge) {
			sess.Flashes()
			sess.AddFlash("your message was too long")
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if len(rec.Header()["Set-Cookie"]) == 0 {
		t.Errorf("flash added after a failed Save neither saved nor reported (lost=%v)", lost)
	}
}

// hjCount counts the WriteHeader calls that reach it after a hijack.
type hjCount struct {
	*httptest.ResponseRecorder
	after int
	hj    bool
}

func (h *hjCount) WriteHeader(c int) {
	if h.hj {
		h.after++
	}
	h.ResponseRecorder.WriteHeader(c)
}
func (h *hjCount) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h.hj = true
	c1, _ := net.Pipe()
	return c1, bufio.NewReadWriter(bufio.NewReader(c1), bufio.NewWriter(c1)), nil
}

// TestInformationalAfterHijackDropped: a 1xx status after a hijack is not
// passed to the hijacked writer.
func TestInformationalAfterHijackDropped(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Hijacker).Hijack()
		w.WriteHeader(http.StatusEarlyHints)
	}))
	rw := &hjCount{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(rw, httptest.NewRequest("GET", "/", nil))
	if rw.after != 0 {
		t.Errorf("WriteHeader(103) reached the hijacked writer %d times", rw.after)
	}
}

// TestTransitionDestroyReuseNotLost: in transition mode, Destroy then reuse,
// written in the legacy format, is not reported lost and raises the events
// of a destroyed and a new session.
func TestTransitionDestroyReuseNotLost(t *testing.T) {
	e := ExpressSession{Keys: []string{"k1"}, Transition: true}
	var lost error
	var events []string
	s := newStore[Map](t, Options{Name: "sid", Express: &e,
		OnEvent: func(_ context.Context, ev Event) {
			if ev.Kind == EventLostChange {
				lost = ev.Err
				return
			}
			events = append(events, ev.Kind.String())
		}})
	cj := expressJar(t, e, `{"user":"a"}`)
	var changedAfter bool
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Destroy()
		sess.Data["user"] = "b"
		w.Write([]byte("hi"))
		changedAfter = sess.Changed()
	}))
	lines := cj.serve(h)
	if lost != nil || !hasLine(lines, "session=") || strings.Join(events, ",") != "created" || !changedAfter {
		t.Errorf("lines %q, events %v, Changed %v, lost %v", lines, events, changedAfter, lost)
	}
}

// TestTransitionNewSessionNotLost: in transition mode a new session saved in
// the legacy format is not reported lost, and raises EventCreated.
func TestTransitionNewSessionNotLost(t *testing.T) {
	for _, name := range []string{"express", "gorilla"} {
		o := Options{Name: "sid"}
		if name == "express" {
			o.Express = &ExpressSession{Keys: []string{"k1"}, Transition: true}
		} else {
			o.Gorilla = &GorillaSession{Name: "gs", KeyPairs: [][]byte{testKey(9)}, Transition: true}
		}
		var lost error
		o.OnEvent = onLost(func(err error) { lost = err })
		s := newStore[Map](t, o)
		h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sess := s.Get(r)
			sess.Data["user"] = "b"
			w.Write([]byte("hi"))
		}))
		j := jar{}
		if lines := j.serve(h); lost != nil || len(lines) == 0 {
			t.Errorf("%s: new session saved in the response: lines %q, reported lost: %v", name, lines, lost)
		}
		// An explicit Save, then the middleware's commit: nothing lost.
		var saveErr error
		h2 := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sess := s.Get(r)
			sess.Data["user"] = "c"
			saveErr = sess.Save(w)
		}))
		lost = nil
		if lines := (jar{}).serve(h2); saveErr != nil || lost != nil || len(lines) == 0 {
			t.Errorf("%s: Save %v, lines %q, lost %v", name, saveErr, lines, lost)
		}
	}
}
