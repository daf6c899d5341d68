package cookiesession

// A store's Set-Cookie lines (formatted by package cookie) and the cache
// headers of the responses that carry them (RFC 6265bis §4.1, RFC 9111).

import (
	"net/http"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/format"
)

// dropLines removes the Set-Cookie lines for which drop is true.
func dropLines(h http.Header, drop func(line string) bool) {
	lines := h["Set-Cookie"]
	if len(lines) == 0 {
		return
	}
	kept := lines[:0]
	for _, l := range lines {
		if !drop(l) {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		delete(h, "Set-Cookie")
	} else {
		h["Set-Cookie"] = kept
	}
}

// keepFromSharedCaches keeps shared caches from storing a response that sets a session
// cookie: Vary: Cookie, and Cache-Control "private" in place of "public" or
// s-maxage (RFC 9111 §5.2.2.7).
func keepFromSharedCaches(h http.Header) {
	cc := "" // h.Get without canonicalising a canonical key on every response
	if v := h["Cache-Control"]; len(v) > 0 {
		cc = v[0]
	}
	if cc == "" && len(h["Vary"]) == 0 {
		// The common case, in one allocation for both headers.
		v := [2]string{"Cookie", `private, no-cache="Set-Cookie"`}
		h["Vary"], h["Cache-Control"] = v[0:1:1], v[1:2:2]
		return
	}
	addVary(h)
	if cc == "" {
		h.Set("Cache-Control", `private, no-cache="Set-Cookie"`)
		return
	}
	var out []string
	private := false
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(strings.ToLower(d), "=")
		switch name {
		case "public", "s-maxage", "proxy-revalidate":
			continue
		case "private", "no-store":
			private = true
		}
		if d != "" {
			out = append(out, d)
		}
	}
	if !private {
		out = append([]string{"private"}, out...)
	}
	h.Set("Cache-Control", strings.Join(out, ", "))
}

// addVary adds Cookie to the Vary header unless it is there.
func addVary(h http.Header) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, "Cookie") {
				return
			}
		}
	}
	h.Add("Vary", "Cookie")
}

// CookieAttrs are the attributes of one response's Set-Cookie lines, as
// a store hands them to a LegacyFormat: Path, Domain, Secure, HttpOnly,
// SameSite and the other attributes of Options, and Max-Age and Expires
// for a persistent cookie.
type CookieAttrs struct {
	l cookie.Line
}

// attrs returns the attributes of the Set-Cookie lines answering req at now
// (RFC 6265bis §4.1): a persistent cookie gets Max-Age maxAge (at least 1)
// and the matching Expires, as cookie-session and gorilla send both (a
// client that ignores Max-Age would otherwise keep a browser-session
// cookie).
func (c *core) attrs(req *Request, persistent bool, maxAge int, now time.Time) (CookieAttrs, error) {
	secure, err := secureAttribute(req, c.secure, c.trust, c.secureWhy)
	if err != nil {
		return CookieAttrs{}, err
	}
	l := cookie.Line{Suffix: c.suffix[0]}
	if secure {
		l.Suffix = c.suffix[1]
	}
	if persistent {
		l.MaxAge = max(maxAge, 1)
		l.Expires = now.Add(time.Duration(l.MaxAge) * time.Second)
	}
	return CookieAttrs{l}, nil
}

// attrSuffix formats the attributes every line of the store shares.
func (c *core) attrSuffix(secure bool) string {
	sameSite := "Lax"
	switch c.sameSite {
	case http.SameSiteStrictMode:
		sameSite = "Strict"
	case http.SameSiteNoneMode:
		sameSite = "None"
	}
	return cookie.Attributes{
		Path: c.path, Domain: c.domain, HTTPOnly: c.httpOnly, Secure: secure,
		SameSite: sameSite, Partitioned: c.partitioned,
	}.Suffix()
}

// Line formats a Set-Cookie line that stores value under name.
func (a CookieAttrs) Line(name, value string) string { return a.l.Format(name, value) }

// lineRaw is Line for a value still to be base64-encoded: it encodes
// straight into the line, in one allocation.
func (a CookieAttrs) lineRaw(name string, raw []byte) string {
	var b strings.Builder
	a.l.Begin(&b, name, strictBase64.EncodedLen(len(raw)))
	format.AppendBase64(&b, raw)
	a.l.End(&b)
	return b.String()
}

// ExpireLine formats a Set-Cookie line that deletes the cookie name: a
// Max-Age of 0 and, for clients that ignore Max-Age, an Expires in the
// past (RFC 6265 §5.2.1).
func (a CookieAttrs) ExpireLine(name string) string { return a.l.Expire(name) }
