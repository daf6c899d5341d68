// Package testjar is the tests' cookie jar: it replays cookies between
// requests the way a browser does, by name. It reads Set-Cookie lines
// itself, because net/http's parser drops names such as "express:sess"
// that legacy formats use. It also makes the hostile Cookie headers the
// readers are tested on. Only tests import it.
package testjar

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"

	"github.com/cookiesession/cookiesession/internal/chunks"
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

// Serve serves a GET of "/" through h with jar's cookies, applies the
// response's Set-Cookie lines as sent (rec.Result(): a header changed after
// the response started does not count) to jar, and returns them.
func Serve(jar map[string]string, h http.Handler) []string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, Request(jar, "GET", "/"))
	lines := rec.Result().Header["Set-Cookie"]
	Apply(jar, lines)
	return lines
}

// HasLine reports whether one of lines starts with prefix.
func HasLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// NameBlanks returns the bytes and runes tried before a cookie name: every
// ASCII control, SP and DEL, and every rune unicode.IsSpace accepts beyond
// ASCII, plus U+FEFF. BlankOK says which of them may stand before a name.
func NameBlanks() []string {
	var out []string
	for c := 0; c <= 0x20; c++ {
		out = append(out, string(rune(c)))
	}
	out = append(out, "\x7f")
	for _, r := range []rune{0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff} {
		out = append(out, string(r))
	}
	for r := rune(0x2000); r <= 0x200a; r++ {
		out = append(out, string(r))
	}
	return out
}

// BlankOK reports whether the blank b may stand before a cookie name:
// those net/http trims (cookie.Blank).
func BlankOK(b string) bool { return b == " " || b == "\t" || b == "\r" || b == "\n" }

// RandomLines returns one to four Cookie header lines, each of up to 23
// pieces drawn from fragments by rng: the random headers that readers are
// held to their references on.
func RandomLines(rng *rand.Rand, fragments []string) []string {
	lines := make([]string, 1+rng.IntN(4))
	for i := range lines {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(fragments[rng.IntN(len(fragments))])
		}
		lines[i] = b.String()
	}
	return lines
}

// ChunkLayouts returns a Cookie header line for every layout of the chunks
// 1..4 of name, each absent, filling a cookie of budget bytes, or short of
// it (3^4 = 81 lines): where a value ends, and which parts after it are
// stale.
func ChunkLayouts(name string, budget int) []string {
	var lines []string
	for layout := range 81 {
		var pairs []string
		for i, k := 1, layout; i <= 4; i, k = i+1, k/3 {
			n := chunks.Name(name, i)
			switch k % 3 {
			case 1:
				pairs = append(pairs, n+"="+strings.Repeat("A", budget-len(n)))
			case 2:
				pairs = append(pairs, n+"=AAAA")
			}
		}
		lines = append(lines, strings.Join(pairs, "; "))
	}
	return lines
}
