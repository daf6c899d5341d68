package cookie

// Reading Cookie header lines (RFC 6265 §4.2, §5.4) as net/http reads
// them, under a cap on the pairs a reader examines.

import (
	"net/textproto"
	"strings"
)

// MaxCookies bounds the cookie pairs a reader examines in one request:
// Named stops after that many pairs that contain its name, and the
// Express reader does not search a request that carries more (CountPairs).
// Past it the session is reported, never silently dropped. It is
// net/http's defaultCookieMaxNum (Go 1.23+, GODEBUG httpcookiemaxnum),
// past which Request.Cookies returns no cookie at all, and RFC 6265 §6.1's
// figure for all the cookies a browser stores. A browser sends far fewer
// in one request: Chrome (kDomainMaxCookies) and Firefox
// (network.cookie.maxPerHost) keep 180 per site.
const MaxCookies = 3000

// Blank reports whether b may stand around a cookie pair or its name in a
// Cookie header: SP and HTAB, the WSP of RFC 6265 §5.2 (and §4.2.1's OWS),
// and CR and LF, which net/http also trims (textproto.TrimString) and no
// browser puts in a cookie. Nothing else is a blank: to a browser,
// "\u00a0__Host-s" or "\v__Host-s" is a cookie of another name, with none
// of the __Host- rules, so a reader that skipped those bytes would let
// anyone who can set a cookie for the parent domain pass one as __Host-s.
func Blank(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// Unquote drops the double quotes around a cookie value, as RFC 6265
// §4.1.1 allows a value to carry them.
func Unquote(v string) string {
	if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// Pair is one name=value of a Cookie header.
type Pair struct{ Name, Value string }

// Pairs splits a Cookie header into its name=value pairs the way Named
// reads them: at each ';', Blank bytes trimmed around the pair and its
// name, double quotes around a value dropped; a piece without '=' is no
// pair. It is the plain reference reader, with no cap.
func Pairs(header string) []Pair {
	var out []Pair
	for part := range strings.SplitSeq(header, ";") {
		k, v, ok := strings.Cut(textproto.TrimString(part), "=")
		if !ok {
			continue
		}
		out = append(out, Pair{textproto.TrimString(k), Unquote(v)})
	}
	return out
}

// CountPairs counts the cookie pairs of Cookie header lines the way
// net/http does before it parses them: one more than the ';' of each line.
func CountPairs(lines []string) int {
	n := 0
	for _, line := range lines {
		n += strings.Count(line, ";") + 1
	}
	return n
}

// Named calls yield with each pair of the Cookie header lines whose name
// is name or begins with name followed by sep, trimmed of Blank bytes
// (name=value, not unquoted; a piece without '=', which Pairs skips, is
// left to yield to skip). It returns false, having stopped, at the
// pair past MaxCookies that contains name; true when it read every line.
//
// Its work is linear in the header size and it allocates nothing: a
// vectorised search for name, then at most one look at each pair that
// contains it. Pairs that do not contain name cost only the search, so a
// cookie behind any number of junk cookies is still found. A pair is the
// text between two ';' of a line with the blanks around it and around its
// name trimmed, as net/http reads it: only a pair whose trimmed text
// begins with name can be one of name's, and the first occurrence of name
// in that pair is there.
func Named(lines []string, name string, sep byte, yield func(pair string)) bool {
	seen := 0
	for _, line := range lines {
		for from := 0; from < len(line); {
			pos, end, ok := NextNamed(line, from, name)
			if !ok {
				break
			}
			if seen++; seen > MaxCookies {
				return false
			}
			if next := pos + len(name); next < end && (line[next] == '=' || line[next] == sep || Blank(line[next])) && blankBefore(line, from, pos) {
				yield(textproto.TrimString(line[pos:end]))
			}
			from = end + 1
		}
	}
	return true
}

// NextNamed finds the next occurrence of name in line from from on, and
// the end of the cookie pair it is in (the next ';', or the line's end).
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

// blankBefore reports whether line[from:pos] ends with a run of Blank
// bytes that reaches back to from or to a ';': that is, whether a cookie
// pair starts at pos once trimmed. from is the start of a line or follows
// a ';'.
func blankBefore(line string, from, pos int) bool {
	for ; pos > from; pos-- {
		switch c := line[pos-1]; {
		case c == ';':
			return true
		case !Blank(c):
			return false
		}
	}
	return true
}
