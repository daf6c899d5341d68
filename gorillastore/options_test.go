package gorillastore_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/gorillastore"
	"github.com/gorilla/sessions"
)

// saveWith loads a new session named name from a request to target,
// lets change alter it, saves it, and returns the Set-Cookie lines and
// Save's error.
func saveWith(t *testing.T, store *gorillastore.Store, name, target string, change func(*sessions.Session)) ([]string, error) {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	s, err := store.Get(r, name)
	if err != nil {
		t.Fatal(err)
	}
	s.Values["k"] = "v"
	change(s)
	w := httptest.NewRecorder()
	err = s.Save(r, w)
	return w.Header().Values("Set-Cookie"), err
}

// TestOptionsAsLoaded checks that session.Options describe the cookie the
// store writes.
func TestOptionsAsLoaded(t *testing.T) {
	store := newStore(t, cookiesession.Options{Name: "__Host-s", MaxAge: time.Hour, SameSite: http.SameSiteStrictMode})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	s, _ := store.Get(r, "__Host-s")
	want := sessions.Options{Path: "/", MaxAge: 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode}
	if *s.Options != want {
		t.Fatalf("Options %+v, want %+v", *s.Options, want)
	}
	plain := newStore(t, cookiesession.Options{Path: "/app", BrowserSession: true})
	s, _ = plain.Get(httptest.NewRequest("GET", "http://example.com/app", nil), "session")
	want = sessions.Options{Path: "/app", MaxAge: 0, Secure: false, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if *s.Options != want {
		t.Fatalf("Options %+v, want %+v", *s.Options, want)
	}
}

// TestOptionsMaxAge maps MaxAge to the session's lifetime and persistence.
func TestOptionsMaxAge(t *testing.T) {
	store := newStore(t, cookiesession.Options{MaxAgeCeiling: 30 * 24 * time.Hour})
	for _, c := range []struct {
		maxAge int
		attr   string // in the Set-Cookie line
		err    error
	}{
		{86400, "; Max-Age=86400", nil}, // the store's own
		{7 * 86400, "; Max-Age=604800", nil},
		{0, "", nil}, // a browser-session cookie: no Max-Age, no Expires
		{31 * 86400, "", gorillastore.ErrOptions},
	} {
		lines, err := saveWith(t, store, "session", "https://example.com/", func(s *sessions.Session) { s.Options.MaxAge = c.maxAge })
		switch {
		case !errors.Is(err, c.err):
			t.Errorf("MaxAge %d: %v, want %v", c.maxAge, err, c.err)
		case err != nil:
			if len(lines) != 0 {
				t.Errorf("MaxAge %d: Set-Cookie despite the error", c.maxAge)
			}
		case len(lines) != 1:
			t.Errorf("MaxAge %d: %d lines", c.maxAge, len(lines))
		case c.attr == "" && (strings.Contains(lines[0], "Max-Age") || strings.Contains(lines[0], "Expires")):
			t.Errorf("MaxAge 0: persistent cookie %q", lines[0])
		case c.attr != "" && !strings.Contains(lines[0], c.attr):
			t.Errorf("MaxAge %d: %q lacks %q", c.maxAge, lines[0], c.attr)
		}
	}
}

// TestOptionsLifetimeEnforced checks that a MaxAge shorter than the
// store's is enforced on the server, not only by the browser.
func TestOptionsLifetimeEnforced(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	store := newStore(t, cookiesession.Options{Now: func() time.Time { return now }})
	lines, err := saveWith(t, store, "session", "https://example.com/", func(s *sessions.Session) { s.Options.MaxAge = 60 })
	if err != nil {
		t.Fatal(err)
	}
	cookie := strings.SplitN(lines[0], ";", 2)[0]
	for _, c := range []struct {
		after time.Duration
		isNew bool
	}{{59 * time.Second, false}, {60 * time.Second, true}} {
		now = time.Unix(1_800_000_000, 0).Add(c.after)
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		r.Header.Set("Cookie", cookie)
		s, _ := store.Get(r, "session")
		if s.IsNew != c.isNew || (!c.isNew && s.Options.MaxAge != 60) {
			t.Errorf("after %v: IsNew %v MaxAge %d", c.after, s.IsNew, s.Options.MaxAge)
		}
	}
}

// TestOptionsAttributesRefused checks that every attribute the store does
// not write fails Save, and that Secure false defers to the request only
// where the store's options leave it to the request.
func TestOptionsAttributesRefused(t *testing.T) {
	host := newStore(t, cookiesession.Options{Name: "__Host-s"})
	auto := newStore(t, cookiesession.Options{MaxAge: 7 * 24 * time.Hour})
	for _, c := range []struct {
		store  *gorillastore.Store
		name   string
		target string
		change func(*sessions.Options)
		ok     bool
	}{
		{host, "__Host-s", "https://example.com/", func(o *sessions.Options) { o.Secure = false }, false},
		{host, "__Host-s", "https://example.com/", func(o *sessions.Options) { o.Path = "/app" }, false},
		{host, "__Host-s", "https://example.com/", func(o *sessions.Options) { o.Domain = "example.com" }, false},
		{auto, "session", "https://example.com/", func(o *sessions.Options) { o.HttpOnly = false }, false},
		{auto, "session", "https://example.com/", func(o *sessions.Options) { o.Partitioned = true }, false},
		{auto, "session", "https://example.com/", func(o *sessions.Options) { o.SameSite = http.SameSiteNoneMode }, false},
		{auto, "session", "http://example.com/", func(o *sessions.Options) { o.Secure = true }, false},
		// gorilla's README snippet: Secure and SameSite left zero.
		{auto, "session", "https://example.com/", func(o *sessions.Options) {
			*o = sessions.Options{Path: "/", MaxAge: 86400 * 7, HttpOnly: true}
		}, true},
		{auto, "session", "http://example.com/", func(o *sessions.Options) { o.Secure = false }, true},
		// gin-contrib/sessions' logout: every other field zero.
		{host, "__Host-s", "https://example.com/", func(o *sessions.Options) { *o = sessions.Options{MaxAge: -1} }, true},
	} {
		lines, err := saveWith(t, c.store, c.name, c.target, func(s *sessions.Session) { c.change(s.Options) })
		if c.ok != (err == nil) || (err != nil && (!errors.Is(err, gorillastore.ErrOptions) || len(lines) != 0)) {
			t.Errorf("%s %s: Save %v, %d lines; want ok=%v", c.name, c.target, err, len(lines), c.ok)
		}
	}
	if _, err := saveWith(t, auto, "session", "https://example.com/", func(s *sessions.Session) { s.Options = nil }); !errors.Is(err, gorillastore.ErrOptions) {
		t.Errorf("nil Options: %v", err)
	}
}

// TestInsecureRequestFromSave: a store that must write Secure refuses a
// plain-HTTP request from afar, as cookiesession does.
func TestInsecureRequestFromSave(t *testing.T) {
	store := newStore(t, cookiesession.Options{Secure: cookiesession.SecureAlways})
	_, err := saveWith(t, store, "session", "http://example.com/", func(*sessions.Session) {})
	if !errors.Is(err, cookiesession.ErrInsecureRequest) {
		t.Fatalf("Save: %v, want ErrInsecureRequest", err)
	}
}
