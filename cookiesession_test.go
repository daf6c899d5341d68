package cookiesession

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/testjar"
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

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

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

// do serves one request through h with the jar's cookies and updates it.
func (j jar) do(t testing.TB, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, j.request("GET", "/"))
	j.update(t, rec.Header())
	return rec
}

// hasLine reports whether one of lines starts with prefix.
func hasLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// serve is do for tests that look at the Set-Cookie lines only.
func (j jar) serve(h http.Handler) []string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, j.request("GET", "/"))
	lines := rec.Result().Header["Set-Cookie"]
	j.updateLines(lines)
	return lines
}

func counter(s *Store[cart]) http.Handler {
	return s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.N++
		fmt.Fprint(w, sess.Data.N)
	}))
}

func TestRoundTripTyped(t *testing.T) {
	s := newStore[cart](t, Options{})
	j := jar{}
	h := counter(s)
	for i := 1; i <= 3; i++ {
		rec := j.do(t, h)
		if got := rec.Body.String(); got != fmt.Sprint(i) {
			t.Fatalf("request %d: body %q", i, got)
		}
	}
	if len(j) != 1 || j["session"] == "" {
		t.Fatalf("jar = %v", j)
	}
}

func TestRoundTripUntyped(t *testing.T) {
	s, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Secure: SecureNever})
	if err != nil {
		t.Fatal(err)
	}
	j := jar{}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if sess.IsNew() {
			sess.Data["user"] = "ada"
			sess.Data["roles"] = []any{"admin", "dev"}
			return
		}
		fmt.Fprintf(w, "%v %v", sess.Data["user"], sess.Data["roles"])
	}))
	j.do(t, h)
	if rec := j.do(t, h); rec.Body.String() != "ada [admin dev]" {
		t.Fatalf("body %q", rec.Body.String())
	}
}

func TestNoSetCookieWhenUnchanged(t *testing.T) {
	s := newStore[cart](t, Options{})
	j := jar{}
	read := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = s.Get(r).Data.N
	}))
	// A new, untouched session writes nothing.
	if rec := j.do(t, read); rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("new untouched session set a cookie: %q", rec.Header()["Set-Cookie"])
	}
	j.do(t, counter(s))
	rec := j.do(t, read)
	if sc := rec.Header()["Set-Cookie"]; len(sc) != 0 {
		t.Fatalf("unchanged session set cookies: %q", sc)
	}
	if rec.Header().Get("Vary") != "Cookie" {
		t.Fatalf("a response that read the session lacks Vary: Cookie")
	}
	// Assigning an equal value is not a change either.
	same := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.N = sess.Data.N * 1
	}))
	if rec := j.do(t, same); len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatal("equal data re-sealed")
	}
	// A handler that never calls Get leaves the response alone.
	none := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	if rec := j.do(t, none); len(rec.Header()) != 0 {
		t.Fatalf("untouched session changed headers: %v", rec.Header())
	}
}

func TestSetCookieAttributesAndCacheHeaders(t *testing.T) {
	s := newStore[cart](t, Options{Name: "sid", Domain: "example.com", SameSite: http.SameSiteStrictMode, MaxAge: time.Hour, Secure: SecureAlways})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=600, s-maxage=600")
		s.Get(r).Data.N = 1
		w.WriteHeader(http.StatusOK)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "https://example.com/", nil))
	sc := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"sid=", "; Max-Age=3600", "; Path=/", "; Domain=example.com", "; HttpOnly", "; Secure", "; SameSite=Strict"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %q", sc, want)
		}
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "private, max-age=600" {
		t.Errorf("Cache-Control = %q", cc)
	}
	if v := rec.Header().Get("Vary"); v != "Cookie" {
		t.Errorf("Vary = %q", v)
	}
}

// flipEveryByte checks that no single-bit change anywhere in a sealed value
// opens, both in the raw bytes and in the base64 text.
func TestTamperEveryByte(t *testing.T) {
	for _, c := range []Cipher{XChaCha20Poly1305, AES256GCM} {
		t.Run(c.String(), func(t *testing.T) {
			s := newStore[cart](t, Options{Cipher: c})
			j := jar{}
			j.do(t, counter(s))
			value := j["session"]
			raw, err := base64.RawURLEncoding.DecodeString(value)
			if err != nil {
				t.Fatal(err)
			}
			check := func(v string, what string) {
				t.Helper()
				r := httptest.NewRequest("GET", "/", nil)
				r.AddCookie(&http.Cookie{Name: "session", Value: v})
				sess := s.Get(r)
				if !sess.IsNew() || sess.Err() == nil || sess.Data.N != 0 {
					t.Fatalf("%s: opened (new=%v err=%v data=%+v)", what, sess.IsNew(), sess.Err(), sess.Data)
				}
			}
			for i := range raw {
				for bit := 0; bit < 8; bit++ {
					mod := bytes.Clone(raw)
					mod[i] ^= 1 << bit
					check(base64.RawURLEncoding.EncodeToString(mod), fmt.Sprintf("byte %d bit %d", i, bit))
				}
			}
			for i := range value {
				for _, ch := range []byte{'A', 'z', '-', '_', '0'} {
					if value[i] == ch {
						continue
					}
					mod := []byte(value)
					mod[i] = ch
					sess := s.Get(func() *http.Request {
						r := httptest.NewRequest("GET", "/", nil)
						r.AddCookie(&http.Cookie{Name: "session", Value: string(mod)})
						return r
					}())
					if !sess.IsNew() {
						t.Fatalf("char %d -> %q opened", i, ch)
					}
				}
			}
			// Truncations and extensions.
			for n := 0; n < len(value); n++ {
				check(value[:n], fmt.Sprintf("truncated to %d", n))
			}
			check(value+"AAAA", "extended")
		})
	}
}

func TestRejectReasons(t *testing.T) {
	clk := newClock()
	var rejected []error
	opts := Options{Now: clk.Now, MaxAge: time.Hour, IdleTimeout: 10 * time.Minute,
		OnEvent: onRejected(func(err error) { rejected = append(rejected, err) })}
	s := newStore[cart](t, opts)
	j := jar{}
	j.do(t, counter(s))
	good := j["session"]

	open := func(name, value string) *Session[cart] {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: name, Value: value})
		return s.Get(r)
	}
	if sess := open("session", good); sess.IsNew() || sess.Data.N != 1 || sess.Err() != nil {
		t.Fatalf("fresh value: new=%v n=%d err=%v", sess.IsNew(), sess.Data.N, sess.Err())
	}

	// Cross-name replay: another store with the same keys, another name.
	other := newStore[cart](t, Options{Name: "other", Now: clk.Now})
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "other", Value: good})
	if sess := other.Get(r); !errors.Is(sess.Err(), ErrAuthentication) || !sess.IsNew() {
		t.Fatalf("cross-name replay: err=%v", sess.Err())
	}

	cases := []struct {
		name    string
		advance time.Duration
		value   string
		want    error
	}{
		{"garbage", 0, "not*base64", ErrMalformed},
		{"empty-ish", 0, "AA", ErrMalformed},
		{"unknown-version", 0, "CQ" + good[2:], ErrMalformed},
		{"idle", 11 * time.Minute, good, ErrIdleTimeout},
		{"expired", 50 * time.Minute, good, ErrExpired}, // 61 minutes after creation
	}
	for _, c := range cases {
		clk.Add(c.advance)
		sess := open("session", c.value)
		if !errors.Is(sess.Err(), c.want) || !sess.IsNew() || sess.Data.N != 0 {
			t.Errorf("%s: err=%v, want %v (new=%v)", c.name, sess.Err(), c.want, sess.IsNew())
		}
	}
	if len(rejected) != len(cases) {
		t.Errorf("EventRejected or EventExpired raised %d times, want %d", len(rejected), len(cases))
	}
	for _, err := range rejected {
		if strings.Contains(err.Error(), good) {
			t.Errorf("error message contains the cookie value: %v", err)
		}
	}

	// A value from the future (a forged or badly skewed clock).
	future := newStore[cart](t, Options{Now: func() time.Time { return clk.Now().Add(time.Hour) }})
	fj := jar{}
	fj.do(t, counter(future))
	if sess := open("session", fj["session"]); !errors.Is(sess.Err(), ErrFromFuture) {
		t.Errorf("future value: err=%v", sess.Err())
	}
}

func TestExpiredEvenIfBrowserSendsIt(t *testing.T) {
	clk := newClock()
	s := newStore[cart](t, Options{Now: clk.Now, MaxAge: time.Minute})
	j := jar{}
	h := counter(s)
	j.do(t, h)
	clk.Add(time.Minute)
	// The browser still sends the cookie (its clock is wrong, or the value
	// was stolen): the server starts over.
	if rec := j.do(t, h); rec.Body.String() != "1" {
		t.Fatalf("expired session still counted: %q", rec.Body.String())
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

func TestKeyRotation(t *testing.T) {
	oldStore := newStore[cart](t, Options{Keys: [][]byte{testKey(1)}})
	j := jar{}
	j.do(t, counter(oldStore))
	oldValue := j["session"]

	rotated := newStore[cart](t, Options{Keys: [][]byte{testKey(2), testKey(1)}})
	read := rotated.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, rotated.Get(r).Data.N)
	}))
	rec := j.do(t, read)
	if rec.Body.String() != "1" {
		t.Fatalf("old key did not open: %q", rec.Body.String())
	}
	if len(rec.Header()["Set-Cookie"]) != 1 || j["session"] == oldValue {
		t.Fatal("session opened with an old key was not re-sealed")
	}
	h, err := format.ParseHeader(j["session"])
	if err != nil || h.KeyID != rotated.c.codec.KeyID(0) {
		t.Fatalf("re-sealed under key id %x, want %x (%v)", h.KeyID, rotated.c.codec.KeyID(0), err)
	}
	// Once the old key is removed, old values are refused.
	removed := newStore[cart](t, Options{Keys: [][]byte{testKey(2)}})
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "session", Value: oldValue})
	if sess := removed.Get(r); !errors.Is(sess.Err(), ErrUnknownKey) {
		t.Fatalf("removed key: err=%v", sess.Err())
	}
	// The new value opens under the new key alone.
	if rec := j.do(t, removed.Middleware(read)); rec.Body.String() != "1" {
		t.Fatalf("re-sealed value did not open: %q", rec.Body.String())
	}
}

// TestMiddlewareCommitPoints checks that every way a handler can start the
// response carries the cookie.
func TestMiddlewareCommitPoints(t *testing.T) {
	s := newStore[cart](t, Options{})
	handlers := map[string]func(w http.ResponseWriter, r *http.Request){
		"write-only": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			w.Write([]byte("hi"))
		},
		"redirect": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			http.Redirect(w, r, "/next", http.StatusSeeOther)
		},
		"flush": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			w.(http.Flusher).Flush()
			s.Get(r).Data.N = 2 // too late: the header is gone
		},
		"response-controller-flush": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Error(err)
			}
		},
		"read-from": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			io.Copy(w, strings.NewReader("body"))
		},
		"empty": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
		},
		"early-hints": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			s.Get(r).Data.N = 1
			w.WriteHeader(http.StatusNoContent)
		},
	}
	for name, fn := range handlers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(s.Middleware(http.HandlerFunc(fn)))
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			cs := resp.Cookies()
			if len(cs) != 1 || cs[0].Name != "session" {
				t.Fatalf("cookies %v", cs)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.AddCookie(cs[0])
			if n := s.Get(r).Data.N; n != 1 {
				t.Fatalf("cookie holds n=%d", n)
			}
		})
	}
}

// TestFailedSave checks the error path: the error handler answers, the
// handler's writes are dropped without a superfluous WriteHeader, and the
// client's previous cookie is not touched.
func TestFailedSave(t *testing.T) {
	var logBuf bytes.Buffer
	var handled error
	s := newStore[cart](t, Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		handled = err
		http.Error(w, "session too big", http.StatusInsufficientStorage)
	}})
	big := strings.Repeat("x", 5000)
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if r.URL.Query().Get("big") != "" {
			sess.Data.Items = append(sess.Data.Items, big)
		} else {
			sess.Data.N++
		}
		w.Header().Set("Location", "/elsewhere")
		w.WriteHeader(http.StatusFound)
		if _, err := w.Write([]byte("handler body")); err == nil && r.URL.Query().Get("big") != "" {
			t.Error("write after a failed save reported no error")
		}
	}))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(&logBuf, "", 0)
	srv.Start()
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	prev := resp.Cookies()
	if len(prev) != 1 {
		t.Fatalf("first response cookies: %v", prev)
	}

	req, _ := http.NewRequest("GET", srv.URL+"/?big=1", nil)
	req.AddCookie(prev[0])
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInsufficientStorage || !strings.Contains(string(body), "session too big") || strings.Contains(string(body), "handler body") {
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
	if len(resp.Header["Set-Cookie"]) != 0 || resp.Header.Get("Location") != "" {
		t.Fatalf("failed save leaked headers: %v", resp.Header)
	}
	var tl *TooLargeError
	if !errors.Is(handled, ErrTooLarge) || !errors.As(handled, &tl) || tl.Size <= tl.Limit || tl.Limit != bounds.DefaultMaxCookieBytes {
		t.Fatalf("error handler got %v", handled)
	}
	if strings.Contains(logBuf.String(), "superfluous") {
		t.Fatalf("server logged: %s", logBuf.String())
	}
	// The previous cookie still opens with the previous data.
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(prev[0])
	if n := s.Get(r).Data.N; n != 1 {
		t.Fatalf("previous session n=%d", n)
	}
}

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

func TestConcurrentRequests(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := counter(s)
	j := jar{}
	j.do(t, h)
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, j.request("GET", "/"))
				if rec.Body.String() != "2" {
					t.Errorf("body %q", rec.Body.String())
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestNewRejectsBadOptions checks every refusal New can give: each error
// matches ErrInvalidOptions and names the option field to change.
func TestNewRejectsBadOptions(t *testing.T) {
	k := [][]byte{testKey(1)}
	legacyOf := func(ls ...*fakeLegacy) []Legacy {
		out := make([]Legacy, len(ls))
		for i, l := range ls {
			out[i] = l
		}
		return out
	}
	cases := []struct {
		name  string
		o     Options
		field string // the message must contain it
	}{
		{"no keys", Options{}, "Keys: "},
		{"short key", Options{Keys: [][]byte{make([]byte, 31)}}, "Keys: "},
		{"empty key", Options{Keys: [][]byte{testKey(1), {}}}, "Keys: "},
		{"duplicate keys", Options{Keys: [][]byte{testKey(1), testKey(1)}}, "Keys: "},
		{"text key", Options{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}}, "Keys: "},
		{"repeated-byte key", Options{Keys: [][]byte{make([]byte, 32)}}, "Keys: "},
		{"cipher", Options{Keys: k, Cipher: 9}, "Cipher 9"},
		{"cookie budget", Options{Keys: k, MaxCookieBytes: 5000}, "MaxCookieBytes"},
		{"small cookie budget", Options{Keys: k, MaxCookieBytes: 100}, "MaxCookieBytes"},
		{"chunks", Options{Keys: k, MaxChunks: 300}, "MaxChunks"},
		{"negative chunks", Options{Keys: k, MaxChunks: -1}, "MaxChunks"},
		{"total below cookie", Options{Keys: k, MaxTotalBytes: 1000}, "MaxTotalBytes"},
		{"bad name", Options{Keys: k, Name: "a b"}, "Name"},
		{"name with chunk sep", Options{Keys: k, Name: "a~b"}, "Name"},
		{"long name", Options{Keys: k, Name: strings.Repeat("n", 2100)}, "Name"},
		{"long path", Options{Keys: k, Path: "/" + strings.Repeat("a", 1024)}, "Path"},
		{"long domain", Options{Keys: k, Domain: strings.Repeat("a", 1025)}, "Domain"},
		{"path ctl", Options{Keys: k, Path: "/a;b"}, "Path"},
		{"bad domain", Options{Keys: k, Domain: "exa mple.com"}, "Domain"},
		{"samesite", Options{Keys: k, SameSite: 9}, "SameSite"},
		{"secure", Options{Keys: k, Secure: 9}, "Secure"},
		{"trusted proxies", Options{Keys: k, TrustedProxies: []string{"proxy.internal"}}, "TrustedProxies"},
		{"host prefix domain", Options{Keys: k, Name: "__Host-s", Domain: "example.com"}, "Domain"},
		{"host prefix path", Options{Keys: k, Name: "__Host-s", Path: "/app"}, "Path"},
		{"host prefix insecure", Options{Keys: k, Name: "__Host-s", Secure: SecureNever}, "Secure"},
		{"secure prefix never", Options{Keys: k, Name: "__Secure-s", Secure: SecureNever}, "Secure"},
		{"samesite none never", Options{Keys: k, SameSite: http.SameSiteNoneMode, Secure: SecureNever}, "Secure"},
		{"partitioned never", Options{Keys: k, Partitioned: true, Secure: SecureNever}, "Secure"},
		{"max age too long", Options{Keys: k, MaxAge: 401 * 24 * time.Hour}, "MaxAge"},
		{"negative max age", Options{Keys: k, MaxAge: -time.Second}, "MaxAge"},
		{"negative idle", Options{Keys: k, IdleTimeout: -time.Second}, "IdleTimeout"},
		{"sub-second idle", Options{Keys: k, IdleTimeout: time.Millisecond}, "IdleTimeout"},
		{"ceiling below max age", Options{Keys: k, MaxAge: 2 * time.Hour, MaxAgeCeiling: time.Hour}, "MaxAgeCeiling"},
		{"ceiling too long", Options{Keys: k, MaxAgeCeiling: 401 * 24 * time.Hour}, "MaxAgeCeiling"},
		{"nil legacy", Options{Keys: k, Legacy: []Legacy{nil}}, "Options.Legacy[0]"},
		{"legacy compile", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{err: errors.New("refused")})}, "Options.Legacy[0]"},
		{"legacy no cookie", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{})}, "Options.Legacy[0]"},
		{"legacy path", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"old"}, path: "app"})}, "Options.Legacy[0]"},
		{"legacy domain", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"old"}, domain: "a b"})}, "Options.Legacy[0]"},
		{"legacy cookie name", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"o;ld"}})}, "Options.Legacy[0]"},
		{"legacy host prefix", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"__Host-old"}, path: "/app"})}, "Options.Legacy[0]"},
		{"legacy prefix insecure", Options{Keys: k, Secure: SecureNever, Legacy: legacyOf(&fakeLegacy{names: []string{"__Secure-old"}})}, "Options.Secure"},
		{"legacy store name", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"session"}})}, "Options.Name"},
		{"legacy shared cookie", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"old"}}, &fakeLegacy{names: []string{"old"}})}, "Options.Legacy"},
	}
	for _, c := range cases {
		_, err := New[cart](c.o)
		if !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: err = %v, want ErrInvalidOptions naming %s", c.name, err, c.field)
		}
	}
	if _, err := New[func()](Options{Keys: k}); !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), "Options.JSON") {
		t.Errorf("unencodable type: err = %v, want ErrInvalidOptions naming Options.JSON", err)
	}
	_, err := New[cart](Options{Keys: [][]byte{[]byte("short")}})
	if err == nil || !strings.Contains(err.Error(), "32") || strings.Contains(err.Error(), "short") {
		t.Errorf("short key message %q must say the size and not echo the key", err)
	}
}

// fakeLegacy is a Legacy whose Compile returns err, or itself: a format
// with the cookies names under path and domain that reads and writes
// nothing.
type fakeLegacy struct {
	names        []string
	path, domain string
	err          error
}

func (f *fakeLegacy) Compile() (LegacyFormat, error)                   { return f, f.err }
func (f *fakeLegacy) Format() string                                   { return "fake" }
func (f *fakeLegacy) Cookies() ([]string, string, string)              { return f.names, f.path, f.domain }
func (f *fakeLegacy) Transition() bool                                 { return false }
func (f *fakeLegacy) Load([]string, time.Time) (LegacyLoad, error)     { return LegacyLoad{}, nil }
func (f *fakeLegacy) Write([]byte, any, CookieAttrs) ([]string, error) { return nil, nil }
func (f *fakeLegacy) Expire(CookieAttrs, []string) []string            { return nil }

// TestOneCookieCapacity checks the documented capacity: at least 3,000
// bytes of JSON in one cookie under the default budget.
func TestOneCookieCapacity(t *testing.T) {
	for _, name := range []string{"session", "__Host-session"} {
		s := newStore[Map](t, Options{Name: name, Secure: SecureAlways})
		fits := 0
		for n := 2900; n < 3200; n++ {
			sess := s.Get(httptest.NewRequest("GET", "https://x/", nil))
			sess.Data["v"] = strings.Repeat("a", n-len(`{"v":""}`))
			if err := sess.Save(httptest.NewRecorder()); err != nil {
				break
			}
			fits = n
		}
		if fits < 3000 {
			t.Errorf("%s: %d bytes of JSON fit one cookie, want >= 3000", name, fits)
		}
		t.Logf("%s: %d bytes of JSON fit one %d-byte cookie", name, fits, bounds.DefaultMaxCookieBytes)
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

// TestHandledSaveError checks that a handler that handled a failed Save
// keeps its own response: the middleware does not report it again.
func TestHandledSaveError(t *testing.T) {
	called := false
	s := newStore[cart](t, Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) { called = true }})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.Items = []string{strings.Repeat("i", 5000)}
		if err := sess.Save(w); errors.Is(err, ErrTooLarge) {
			http.Error(w, "your cart is full", http.StatusUnprocessableEntity)
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if called || rec.Code != http.StatusUnprocessableEntity || len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatalf("error handler called=%v, status %d, cookies %v", called, rec.Code, rec.Header()["Set-Cookie"])
	}
	// A change after the failed Save is saved (or reported) as usual.
	h = s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.Items = []string{strings.Repeat("i", 5000)}
		if sess.Save(w) != nil {
			sess.Data.Items = []string{"small"}
		}
	}))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if called || len(rec.Header()["Set-Cookie"]) != 1 {
		t.Fatalf("reverted session not saved: called=%v %v", called, rec.Header())
	}
}
