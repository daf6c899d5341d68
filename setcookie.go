package cookiesession

// Set-Cookie lines and the cache headers of the responses that carry them
// (RFC 6265bis §4.1, RFC 9111).

import (
	"net/http"
	"strconv"
	"strings"
)

// dropOwnLines removes Set-Cookie lines an earlier Save of this response
// added for the cookie name or its chunks, so that a second Save replaces
// the first.
func dropOwnLines(h http.Header, name string) {
	dropLines(h, func(l string) bool {
		return strings.HasPrefix(l, name) && len(l) > len(name) && (l[len(name)] == '=' || l[len(name)] == chunkSep)
	})
}

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

// noStore keeps shared caches from storing a response that sets a session
// cookie: Vary: Cookie, and Cache-Control "private" in place of "public" or
// s-maxage (RFC 9111 §5.2.2.7).
func noStore(h http.Header) {
	cc := h.Get("Cache-Control")
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

// cookieAttrs are the attributes of one response's Set-Cookie lines.
type cookieAttrs struct {
	suffix string // "; Path=/; ...", without Max-Age
	maxAge int    // seconds; 0 means a browser-session cookie
}

// attrs returns the attributes of the Set-Cookie lines answering r (RFC
// 6265bis §4.1): a persistent cookie gets Max-Age maxAge (at least 1).
func (c *core) attrs(r *http.Request, persistent bool, maxAge int) (cookieAttrs, error) {
	secure, err := secureAttribute(r, c.secure, c.trust, c.mustBeSecure)
	if err != nil {
		return cookieAttrs{}, err
	}
	a := cookieAttrs{suffix: c.suffix[0]}
	if secure {
		a.suffix = c.suffix[1]
	}
	if persistent {
		a.maxAge = max(maxAge, 1)
	}
	return a, nil
}

// attrSuffix formats the attributes every line of the store shares.
func (c *core) attrSuffix(secure bool) string {
	var b strings.Builder
	b.WriteString("; Path=")
	b.WriteString(c.path)
	if c.domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(c.domain)
	}
	if c.httpOnly {
		b.WriteString("; HttpOnly")
	}
	if secure {
		b.WriteString("; Secure")
	}
	switch c.sameSite {
	case http.SameSiteStrictMode:
		b.WriteString("; SameSite=Strict")
	case http.SameSiteNoneMode:
		b.WriteString("; SameSite=None")
	default:
		b.WriteString("; SameSite=Lax")
	}
	if c.partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String()
}

// line formats a Set-Cookie line that stores value under name.
func (a cookieAttrs) line(name, value string) string {
	var b strings.Builder
	b.Grow(len(name) + len(value) + len(a.suffix) + 24)
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(value)
	a.finish(&b)
	return b.String()
}

// lineRaw is line for a value still to be base64-encoded: it encodes
// straight into the line, in one allocation.
func (a cookieAttrs) lineRaw(name string, raw []byte) string {
	var b strings.Builder
	b.Grow(len(name) + strictBase64.EncodedLen(len(raw)) + len(a.suffix) + 24)
	b.WriteString(name)
	b.WriteByte('=')
	appendBase64(&b, raw)
	a.finish(&b)
	return b.String()
}

// finish appends Max-Age, if any, and the shared attributes.
func (a cookieAttrs) finish(b *strings.Builder) {
	if a.maxAge > 0 {
		var num [20]byte
		b.WriteString("; Max-Age=")
		b.Write(strconv.AppendInt(num[:0], int64(a.maxAge), 10))
	}
	b.WriteString(a.suffix)
}

// expireLine formats a Set-Cookie line that deletes the cookie name.
func (a cookieAttrs) expireLine(name string) string {
	return name + "=; Max-Age=0" + a.suffix
}
