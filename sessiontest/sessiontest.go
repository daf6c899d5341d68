// Package sessiontest helps test handlers that use a cookiesession Store:
// NewRequest builds a request that already carries a session, and Data
// reads back the session a response wrote. Both go through the store's own
// public API (a real seal, a real open), so what they accept is what the
// store accepts from and sends to a browser.
//
// Neither takes a testing.TB: NewRequest panics when the session cannot be
// sealed, as httptest.NewRequest panics on a malformed target, and Data
// returns false when the response carries no session it could open. Check
// that boolean: a test that ignores it passes on a handler that saved
// nothing.
package sessiontest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"time"

	"github.com/cookiesession/cookiesession"
)

// NewRequest returns a request, as httptest.NewRequest(method, target,
// nil) builds it, that carries a session of s holding data: sealed now
// with the store's first key, split into chunk cookies when the store
// chunks and data needs it. The session is not new (Session.IsNew is
// false), even when data is the zero T, and it has no flash messages.
// Set a body on the request afterwards if the handler reads one.
//
// The request carries the cookies only as a browser would send them to
// target: NewRequest panics when the store's Path or Domain would keep
// them from it (a store with Path "/account" and the target "/"), rather
// than let a test pass on a request no browser sends.
//
// When the store would refuse to write its cookie over plain HTTP (a
// "__Host-" or "__Secure-" name, Options.Secure set to SecureAlways,
// SameSite=None, Partitioned), the request is marked as HTTPS: its TLS
// field is set as httptest.NewRequest sets it for an "https://" target.
// Otherwise, and for a loopback host such as "http://localhost/" (where
// browsers and the store accept a Secure cookie over HTTP), a target
// without that scheme gives a plain-HTTP request.
//
// The store's hooks see the seal as they see any save (Options.OnEvent
// gets EventCreated, and EventSizeWarning when due, with this request). NewRequest panics with an error
// matching the store's (cookiesession.ErrTooLarge, ErrEncode, ...) when
// data cannot be sealed, and as httptest.NewRequest panics on a malformed
// method or target.
func NewRequest[T any](s *cookiesession.Store[T], method, target string, data T) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	cookies, err := seal(s, r, data)
	if errors.Is(err, cookiesession.ErrInsecureRequest) && r.TLS == nil {
		r.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, HandshakeComplete: true, ServerName: r.Host}
		cookies, err = seal(s, r, data)
	}
	if err != nil {
		panic(fmt.Errorf("sessiontest: NewRequest cannot seal the session: %w", err))
	}
	sent := sentBack(r, cookies)
	if len(cookies) == 0 || len(sent) != len(cookies) {
		panic(fmt.Errorf("sessiontest: NewRequest: a browser would not send the session's cookies to %s (%d of %d): check the store's Path and Domain against the target", target, len(sent), len(cookies)))
	}
	for _, c := range sent {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return r
}

// sentBack returns those of the cookies, set by a response to r, that a
// browser would send back with r: net/http/cookiejar applies the Domain,
// Path and Secure rules of RFC 6265 §5.3 and §5.4.
func sentBack(r *http.Request, cookies []*http.Cookie) []*http.Cookie {
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	if r.TLS != nil {
		u.Scheme = "https"
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic(err) // cookiejar.New(nil) never fails
	}
	jar.SetCookies(&u, cookies)
	return jar.Cookies(&u)
}

// seal saves a new session of s, for the request r, holding data, and
// returns the cookies it set, deletions left out.
func seal[T any](s *cookiesession.Store[T], r *http.Request, data T) ([]*http.Cookie, error) {
	sess := s.Get(r)
	sess.Data = data
	sess.Renew() // a change even when data is the zero T: the session is sealed
	rec := httptest.NewRecorder()
	if err := sess.Save(rec); err != nil {
		return nil, err
	}
	return live(rec.Result()), nil
}

// Data returns the session that the response recorded in rec wrote, and
// true; or the zero T and false when the response set no cookie of the
// session, only deleted it (Session.Destroy), or set one that s does not
// open (another store's key, name or format, or expired). Chunked sessions
// are read whole.
//
// Data reads what the client would receive: the Set-Cookie lines of the
// header as it was when the response started (rec.Result), so a line a
// handler added after writing the body does not count. Call it once the
// handler has returned. A handler that did not change the session writes
// no cookie, so Data returns false: it tells what a response wrote, not
// what the session holds.
func Data[T any](s *cookiesession.Store[T], rec *httptest.ResponseRecorder) (T, bool) {
	var zero T
	cookies := live(rec.Result())
	if len(cookies) == 0 {
		return zero, false
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	sess := s.Get(r)
	if sess.IsNew() {
		return zero, false
	}
	return sess.Data, true
}

// live returns the cookies resp sets, leaving out those it deletes: an
// empty value, a Max-Age of zero or less, or an Expires in the past
// without a Max-Age (RFC 6265 §5.2.1, §5.2.2).
func live(resp *http.Response) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range resp.Cookies() {
		expired := c.MaxAge == 0 && c.RawExpires != "" && c.Expires.Before(time.Now())
		if c.Value == "" || c.MaxAge < 0 || expired {
			continue
		}
		out = append(out, c)
	}
	return out
}
