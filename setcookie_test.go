package cookiesession

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

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

// TestExpires checks that every persistent line carries Expires beside
// Max-Age, and deletions an Expires in the past; and that no line carries
// Chrome's Priority attribute, which the store no longer sends.
func TestExpires(t *testing.T) {
	clk := newClock()
	s := newStore[cart](t, Options{Now: clk.Now, MaxAge: time.Hour})
	j := jar{}
	line := setCookie(t, j.do(t, counter(s)).Header(), "session")
	want := "; Expires=" + clk.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if !strings.Contains(line, "; Max-Age=3600"+want) || strings.Contains(line, "Priority") {
		t.Fatalf("line %q", line)
	}
	c, err := http.ParseSetCookie(line)
	if err != nil || !c.Expires.Equal(clk.Now().Add(time.Hour)) {
		t.Fatalf("parsed %+v %v", c, err)
	}
	destroy := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Destroy() }))
	if line := setCookie(t, j.do(t, destroy).Header(), "session"); !strings.Contains(line, "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT") {
		t.Fatalf("deletion %q", line)
	}
	browser := newStore[cart](t, Options{BrowserSession: true})
	if line := setCookie(t, (jar{}).do(t, counter(browser)).Header(), "session"); strings.Contains(line, "Expires=") || strings.Contains(line, "Max-Age") {
		t.Fatalf("browser-session line %q", line)
	}
}
