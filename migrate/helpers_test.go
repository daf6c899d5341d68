package migrate

// Helpers shared by the package's tests: a store under test, and a cookie
// jar that replays Set-Cookie lines the way a browser does.

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

// testKey returns a fixed master key that looks random: SHA-256 of b.
func testKey(b byte) []byte { k := sha256.Sum256([]byte{b}); return k[:] }

// newStore returns a store with o, a test key unless o has keys, and
// Secure off unless o sets it.
func newStore[T any](t testing.TB, o cookiesession.Options) *cookiesession.Store[T] {
	t.Helper()
	if o.Keys == nil {
		o.Keys = [][]byte{testKey(1)}
	}
	if o.Secure == cookiesession.SecureAuto {
		o.Secure = cookiesession.SecureNever
	}
	s, err := cookiesession.New[T](o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// onRejected returns an Options.OnEvent that passes each refused cookie's
// error (EventExpired, EventRejected) to f.
func onRejected(f func(err error)) func(context.Context, cookiesession.Event) {
	return func(_ context.Context, e cookiesession.Event) {
		if e.Kind == cookiesession.EventExpired || e.Kind == cookiesession.EventRejected {
			f(e.Err)
		}
	}
}

// jar replays cookies between requests the way a browser would, by name.
// It reads Set-Cookie lines itself: net/http's parser drops names such as
// "express:sess" that legacy formats use.
type jar map[string]string

// updateLines applies Set-Cookie lines.
func (j jar) updateLines(lines []string) { testjar.Apply(j, lines) }

// header is the jar as a Cookie header, in name order.
func (j jar) header() string { return testjar.Header(j) }

// request returns a request carrying the jar's cookies.
func (j jar) request(method, target string) *http.Request { return testjar.Request(j, method, target) }

// serve serves one request through h with the jar's cookies, updates
// the jar and returns the Set-Cookie lines.
func (j jar) serve(h http.Handler) []string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, j.request("GET", "/"))
	lines := rec.Result().Header["Set-Cookie"]
	j.updateLines(lines)
	return lines
}

// expressJar returns a jar holding the cookies cookie-session 2 writes
// with keygrip's default HMAC-SHA1 under key for the session JSON js.
func expressJar(name, key, js string) jar {
	value := base64.StdEncoding.EncodeToString([]byte(js))
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(name + "=" + value))
	return jar{name: value, name + ".sig": base64.RawURLEncoding.EncodeToString(m.Sum(nil))}
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
