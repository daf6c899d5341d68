package serverless

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
)

func newKey() string {
	k := make([]byte, 32)
	rand.Read(k)
	return base64.RawURLEncoding.EncodeToString(k)
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// invoke calls h the way an adapter does, with the given cookies, and
// returns the body and the cookies the response set.
func invoke(t *testing.T, h http.HandlerFunc, cookies []*http.Cookie) (string, []*http.Cookie) {
	t.Helper()
	r := httptest.NewRequest("GET", "http://abc123.lambda-url.example/", nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h(rec, r)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	set := rec.Result().Cookies()
	if len(set) == 0 {
		set = cookies // nothing changed: the browser keeps what it has
	}
	return rec.Body.String(), set
}

func TestHandleRoundTrip(t *testing.T) {
	t.Setenv("COOKIESESSION_KEYS", newKey())
	t.Setenv("HTTPS_ONLY", "true")
	body, cookies := invoke(t, Handle, nil)
	if body != "visits: 1\n" || len(cookies) != 1 {
		t.Fatalf("first invocation: %q, %d cookies", body, len(cookies))
	}
	if c := cookies[0]; c.Name != "__Host-session" || !c.Secure || !c.HttpOnly {
		t.Fatalf("cookie %+v", c)
	}
	if body, _ = invoke(t, Handle, cookies); body != "visits: 2\n" {
		t.Fatalf("second invocation (same instance): %q", body)
	}
}

func TestAnotherInstanceOpensTheSession(t *testing.T) {
	keys := newKey()
	a, err := Build(env(map[string]string{"COOKIESESSION_KEYS": keys, "HTTPS_ONLY": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(env(map[string]string{"COOKIESESSION_KEYS": keys, "HTTPS_ONLY": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	_, cookies := invoke(t, a.ServeHTTP, nil)
	if body, _ := invoke(t, b.ServeHTTP, cookies); body != "visits: 2\n" {
		t.Fatalf("second instance: %q", body)
	}

	// A deployment with a new key first and the old one second still opens
	// the session, and re-seals it under the new key.
	rotated, err := Build(env(map[string]string{"COOKIESESSION_KEYS": newKey() + "," + keys, "HTTPS_ONLY": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	body, resealed := invoke(t, rotated.ServeHTTP, cookies)
	if body != "visits: 2\n" || resealed[0].Value == cookies[0].Value {
		t.Fatalf("rotated instance: %q, re-sealed %v", body, resealed[0].Value != cookies[0].Value)
	}
}

func TestWithoutHTTPSOnlyTheCookieIsRefused(t *testing.T) {
	h, err := Build(env(map[string]string{"COOKIESESSION_KEYS": newKey()}))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://abc123.lambda-url.example/", nil))
	if rec.Code != http.StatusInternalServerError || len(rec.Result().Cookies()) != 0 {
		t.Fatalf("plain-HTTP request: status %d, cookies %v", rec.Code, rec.Result().Cookies())
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := Build(env(nil)); err == nil {
		t.Fatal("no keys accepted")
	}
	if _, err := Build(env(map[string]string{"COOKIESESSION_KEYS": "not base64!"})); err == nil || strings.Contains(err.Error(), "not base64!") {
		t.Fatalf("bad key: %v", err)
	}
	short := base64.StdEncoding.EncodeToString([]byte("short"))
	if _, err := Build(env(map[string]string{"COOKIESESSION_KEYS": short})); !errors.Is(err, cookiesession.ErrInvalidOptions) {
		t.Fatalf("short key: %v", err)
	}
}
