package cookiesession

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
)

// TestNilMapDecodesEmpty: a map session set to nil is sealed as {} (or,
// when it is new, not at all), and a cookie already holding null, as
// earlier versions sealed it, opens as an empty map that takes writes.
func TestNilMapDecodesEmpty(t *testing.T) {
	type prefs map[string]int
	t.Run("Map", func(t *testing.T) {
		s := newStore[Map](t, Options{})
		j := jar{}
		j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Data["k"] = 1 })))
		j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Data = nil })))
		_, pt, err := s.c.codec.Open(bounds.DefaultName, 1, j[bounds.DefaultName])
		if err != nil || string(pt) != "{}" {
			t.Fatalf("a nil Map sealed as %q (%v), want {}", pt, err)
		}
		var n int
		j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sess := s.Get(r)
			sess.Data["k"] = 2 // panicked with a nil map
			n = len(sess.Data)
		})))
		if n != 1 {
			t.Fatalf("len(Data) = %d after a write", n)
		}
		// A new session set to nil is still empty: no cookie.
		if rec := (jar{}).do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Data = nil }))); len(rec.Header()["Set-Cookie"]) != 0 {
			t.Fatalf("a new session set to nil wrote %q", rec.Header()["Set-Cookie"])
		}
	})
	t.Run("null cookie/typed map", func(t *testing.T) {
		s := newStore[prefs](t, Options{})
		now := s.c.now()
		v, err := s.c.codec.Seal(bounds.DefaultName, format.Header{Created: now, Sealed: now}, []byte("null"))
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: bounds.DefaultName, Value: v})
		sess := s.Get(r)
		if sess.Err() != nil || sess.IsNew() || sess.Data == nil {
			t.Fatalf("null cookie: err %v, new %v, Data nil %v", sess.Err(), sess.IsNew(), sess.Data == nil)
		}
		sess.Data["k"] = 1 // panicked with a nil map
	})
}

// TestNestedMiddlewarePassesThrough: the same store's middleware applied
// twice (a global one and a sub-route's) shares one session and one
// writer, so the inner handler's change reaches the client whatever layer
// opened the session first, and with IdleTimeout's refresh due.
func TestNestedMiddlewarePassesThrough(t *testing.T) {
	for _, tc := range []struct {
		name     string
		idle     bool
		outerGet bool // a layer between the two middlewares opens the session
		write    bool // the inner handler writes a body
		other    bool // another store's middleware sits between the two
	}{
		{name: "inner opens"},
		{name: "inner opens, writes", write: true},
		{name: "outer opens", outerGet: true},
		{name: "outer opens, writes", outerGet: true, write: true},
		{name: "outer opens, idle refresh", outerGet: true, idle: true},
		{name: "outer opens, idle refresh, writes", outerGet: true, idle: true, write: true},
		{name: "inner opens, idle refresh", idle: true},
		{name: "other store between", outerGet: true, idle: true, other: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lost lostRecorder
			clk := newClock()
			o := Options{OnEvent: onLost(lost.report), Now: clk.Now}
			if tc.idle {
				o.IdleTimeout = time.Hour
			}
			s := newStore[cart](t, o)
			j := jar{}
			j.do(t, counter(s)) // N = 1
			clk.Add(30 * time.Minute)
			var outerW, innerW http.ResponseWriter
			inner := http.Handler(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				innerW = w
				s.Get(r).Data.N = 7
				if tc.write {
					w.Write([]byte("ok"))
				}
			})))
			if tc.other {
				inner = newStore[Map](t, Options{Name: "other"}).Middleware(inner)
			}
			h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				outerW = w
				if tc.outerGet {
					_ = s.Get(r).Data.N // an auth layer
				}
				inner.ServeHTTP(w, r)
			}))
			j.do(t, h)
			var n int
			j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n = s.Get(r).Data.N })))
			if n != 7 || len(lost.errs) != 0 {
				t.Fatalf("next request sees N = %d, want 7; lost reports %v", n, lost.errs)
			}
			if !tc.other && innerW != outerW {
				t.Fatalf("the inner middleware did not pass the writer through")
			}
		})
	}
}
