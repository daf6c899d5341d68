package cookiesession

// Whether a cookie gets the Secure attribute: the mode, and the request's
// HTTPS, which package proxy decides from Options.TrustedProxies by the
// rules of docs/PROXIES.md.

import (
	"fmt"
	"net/http"

	"github.com/cookiesession/cookiesession/internal/proxy"
)

// SecureMode says when cookies get the Secure attribute (RFC 6265 §4.1.2.5),
// which tells the browser to send the cookie over HTTPS only.
//
// Whatever the mode, a cookie whose name starts with __Host- or __Secure-
// always gets Secure: browsers refuse such a cookie without it (RFC 6265bis
// §4.1.3), and New refuses SecureNever together with such a name.
type SecureMode uint8

const (
	// SecureAuto, the zero value and default, sets Secure when the request
	// arrived over TLS, or through a proxy listed in Options.TrustedProxies
	// that says the client used https. Behind a TLS-terminating proxy that
	// is not listed, cookies go out without Secure: in production prefer
	// SecureAlways or a __Host- name, which fail loudly instead.
	SecureAuto SecureMode = iota
	// SecureAlways sets Secure on every cookie. A cookie set in answer to a
	// request that did not arrive over HTTPS (directly or through a trusted
	// proxy) fails with ErrInsecureRequest instead of being silently dropped
	// by the browser; requests to a loopback host are the exception,
	// because browsers accept Secure cookies from http://localhost.
	SecureAlways
	// SecureNever never sets Secure. Use it only for tests and plain-HTTP
	// development on a host other than localhost.
	SecureNever
	// SecureTerminated sets Secure on every cookie without looking at the
	// request: for platforms that accept only HTTPS from browsers and
	// terminate TLS where the application cannot see it (serverless
	// functions, PaaS routers) and pass no forwarding header it can trust.
	// Use it only where plain HTTP cannot reach the application: on such a
	// request the browser drops the cookie.
	SecureTerminated
)

// String returns the constant's Go name, or SecureMode(N) for an unknown
// value.
func (m SecureMode) String() string {
	switch m {
	case SecureAuto:
		return "SecureAuto"
	case SecureAlways:
		return "SecureAlways"
	case SecureNever:
		return "SecureNever"
	case SecureTerminated:
		return "SecureTerminated"
	}
	return fmt.Sprintf("SecureMode(%d)", uint8(m))
}

// parseTrustedProxies parses Options.TrustedProxies (proxy.Parse
// documents the entries). A bad entry is an error matching
// ErrInvalidOptions that names it.
func parseTrustedProxies(entries []string) (*proxy.Trust, error) {
	t, err := proxy.Parse(entries)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	return t, nil
}

// connOf returns what package proxy needs of r.
func connOf(r *http.Request) proxy.Conn {
	return proxy.Conn{RemoteAddr: r.RemoteAddr, TLS: r.TLS != nil, Header: r.Header}
}

// secureAttribute decides the Secure attribute of a cookie set in answer to
// req. why is set for a cookie that browsers accept only with Secure,
// whatever the mode, and says why ("its __Host- prefix", "SameSite=None",
// "Partitioned"; RFC 6265bis §4.1.3); "" for any other cookie.
//
// When the cookie must be Secure (SecureAlways, or why is set) but the client
// did not reach the site over HTTPS, the browser would drop the cookie; the
// result is then an error matching ErrInsecureRequest that says why and
// what to change, never a silently dropped cookie. Plain-HTTP requests to
// a loopback host (localhost, 127.0.0.1, [::1]) are accepted, since
// browsers store Secure cookies from such origins.
func secureAttribute(req *Request, mode SecureMode, t *proxy.Trust, why string) (bool, error) {
	mustBeSecure := why != ""
	switch {
	case mode == SecureTerminated:
		return true, nil
	case !mustBeSecure && mode == SecureNever:
		return false, nil
	case !mustBeSecure && mode == SecureAuto:
		return req.HTTPS, nil
	case req.HTTPS || proxy.LoopbackHost(req.Host):
		return true, nil
	}
	reason := "Request.HTTPS is false"
	if req.from != nil {
		reason = t.Explain(connOf(req.from)) // built only for the error
	}
	if !mustBeSecure {
		why = "Options.Secure is SecureAlways"
	} else {
		why = "because of " + why
	}
	return false, fmt.Errorf("%w: the cookie must be Secure (%s) but %s, so the browser would drop it; "+
		"terminate TLS in front of the app, or list the TLS-terminating proxy in Options.TrustedProxies and have it send X-Forwarded-Proto or Forwarded (see docs/PROXIES.md)",
		ErrInsecureRequest, why, reason)
}
