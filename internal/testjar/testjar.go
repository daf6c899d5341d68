// Package testjar is the tests' cookie jar: it replays cookies between
// requests the way a browser does, by name. It reads Set-Cookie lines
// itself, because net/http's parser drops names such as "express:sess"
// that legacy formats use. Only tests import it.
package testjar

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
)

// Apply applies Set-Cookie lines to jar: a line whose Max-Age is zero or
// negative deletes its cookie, any other sets it.
func Apply(jar map[string]string, lines []string) {
	for _, l := range lines {
		pair, attrs, _ := strings.Cut(l, ";")
		name, value, _ := strings.Cut(pair, "=")
		if Expires(attrs) {
			delete(jar, name)
		} else {
			jar[name] = value
		}
	}
}

// Expires reports whether a Set-Cookie line's attributes delete the cookie.
func Expires(attrs string) bool {
	for _, a := range strings.Split(attrs, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(a), "=")
		if strings.EqualFold(k, "Max-Age") && (v == "0" || strings.HasPrefix(v, "-")) {
			return true
		}
	}
	return false
}

// Header is jar as a Cookie header, in name order.
func Header(jar map[string]string) string {
	parts := make([]string, 0, len(jar))
	for k, v := range jar {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// Request returns a request carrying jar's cookies.
func Request(jar map[string]string, method, target string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	if len(jar) > 0 {
		r.Header.Set("Cookie", Header(jar))
	}
	return r
}
