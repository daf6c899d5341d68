package chunks

import (
	"errors"
	"fmt"
	"strings"
)

// ErrChunks reports a chunked session whose cookies do not fit together,
// or a request carrying more than MaxCookies cookies (the library's
// ErrChunks).
var ErrChunks = errors.New("cookiesession: session cookies inconsistent")

// MaxCookies bounds the cookie pairs a reader examines in one request:
// the store's reader stops after that many pairs that contain its name,
// and the Express reader does not search a request that carries more. Past
// it the session is reported (ErrChunks), never silently dropped. It is
// net/http's defaultCookieMaxNum (Go 1.23+, GODEBUG httpcookiemaxnum),
// past which Request.Cookies returns no cookie at all, and RFC 6265 §6.1's
// figure for all the cookies a browser stores. A browser sends far fewer
// in one request: Chrome (kDomainMaxCookies) and Firefox
// (network.cookie.maxPerHost) keep 180 per site.
const MaxCookies = 3000

// TooManyCookies reports a request over MaxCookies: pairs that contain
// name when named, else pairs in all.
func TooManyCookies(name string, named bool) error {
	what := "cookies"
	if named {
		what = fmt.Sprintf("cookies that contain the name %q", name)
	}
	return fmt.Errorf("%w: the request carries more than %d %s, which no browser sends: session %q not read; clearing the site's cookies in the client fixes it, and if the app sets that many, it must set fewer", ErrChunks, MaxCookies, what, name)
}

// CookiePairs counts the cookie pairs of Cookie header lines the way
// net/http does before it parses them: one more than the ';' of each line.
func CookiePairs(lines []string) int {
	n := 0
	for _, line := range lines {
		n += strings.Count(line, ";") + 1
	}
	return n
}

// NextNamed finds the next occurrence of name in line from from on, and
// the end of the cookie pair it is in (the next ';', or the line's end):
// the step of the store's and the Express reader's searches of a Cookie
// header line.
func NextNamed(line string, from int, name string) (pos, end int, ok bool) {
	i := strings.Index(line[from:], name)
	if i < 0 {
		return 0, 0, false
	}
	pos, end = from+i, len(line)
	if j := strings.IndexByte(line[pos:], ';'); j >= 0 {
		end = pos + j
	}
	return pos, end, true
}
