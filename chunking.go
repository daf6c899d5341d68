package cookiesession

// Chunking: a sealed value longer than one cookie's budget is split across
// several cookies. Chunk 1 is the cookie NAME itself; chunk k (k >= 2) is
// NAME~k. "~" never appears in Express cookie-session's NAME.sig nor in
// gorilla's names, and it keeps a __Host- or __Secure- prefix intact. The
// chunk count is bound into the AEAD's associated data, so missing, extra,
// reordered, duplicated or mixed chunks fail to open.

import (
	"fmt"
	"math/bits"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// chunkSep separates a cookie name from a chunk index.
const chunkSep = '~'

// chunkName returns the name of chunk i (1-based) of the cookie called name.
func chunkName(name string, i int) string {
	if i == 1 {
		return name
	}
	return name + string(chunkSep) + strconv.Itoa(i)
}

// chunkNameLen is len(chunkName(name, i)) without building it.
func chunkNameLen(name string, i int) int {
	switch {
	case i == 1:
		return len(name)
	case i < 10:
		return len(name) + 2
	case i < 100:
		return len(name) + 3
	}
	return len(name) + 4
}

// planChunks returns how many cookies a value of valueLen bytes needs, and
// the size it takes in a Cookie header, or a *TooLargeError.
func planChunks(name string, valueLen int, l limits) (int, error) {
	left, n, total := valueLen, 0, 0
	for left > 0 || n == 0 {
		n++
		if n > l.chunks {
			break
		}
		room := l.cookie - chunkNameLen(name, n)
		part := min(left, room)
		left -= part
		total += chunkNameLen(name, n) + 1 + part
		if n > 1 {
			total += 2 // "; "
		}
	}
	if left > 0 {
		if l.chunks == 1 {
			return 0, &TooLargeError{Name: name, Size: len(name) + valueLen, Limit: l.cookie, Chunks: 1}
		}
		// More chunks than allowed: report the Cookie-header bytes needed
		// against what MaxChunks full cookies (or the total budget) hold.
		need, chunks := totalSize(name, valueLen, l.cookie)
		most, _ := totalSize(name, valueLen-left, l.cookie)
		if most > l.total { // the total budget binds before MaxChunks does
			return 0, &TooLargeError{Name: name, Size: need, Limit: l.total, Total: true, Chunks: chunks}
		}
		return 0, &TooLargeError{Name: name, Size: need, Limit: most, Chunks: chunks}
	}
	if n > 1 && total > l.total {
		return 0, &TooLargeError{Name: name, Size: total, Limit: l.total, Total: true, Chunks: n}
	}
	return n, nil
}

// totalSize returns the Cookie-header bytes and the number of cookies of a
// value of valueLen bytes split without a chunk limit; it feeds error
// messages only.
func totalSize(name string, valueLen, perCookie int) (bytes, chunks int) {
	total, i := 0, 0
	for valueLen > 0 {
		i++
		room := perCookie - chunkNameLen(name, i)
		part := min(valueLen, room)
		valueLen -= part
		total += chunkNameLen(name, i) + 1 + part + 2
	}
	return total - 2, i
}

// splitValue cuts value into n parts the way planChunks counted them.
func splitValue(name, value string, n int, l limits) []string {
	parts := make([]string, n)
	for i := 1; i <= n; i++ {
		room := l.cookie - chunkNameLen(name, i)
		if i == n || room > len(value) {
			room = len(value)
		}
		parts[i-1], value = value[:room], value[room:]
	}
	return parts
}

// presence records which chunk indexes (1..MaxChunksLimit) a request sent.
type presence [4]uint64

func (p *presence) set(i int)      { p[i>>6] |= 1 << (i & 63) }
func (p *presence) has(i int) bool { return p[i>>6]&(1<<(i&63)) != 0 }

// highest returns the largest index present, or 0.
func (p *presence) highest() int {
	for w := len(p) - 1; w >= 0; w-- {
		if p[w] != 0 {
			return w*64 + bits.Len64(p[w]) - 1
		}
	}
	return 0
}

// incoming is what a request carried of one session's cookies.
type incoming struct {
	value   string   // the reassembled value; "" when absent
	chunks  int      // how many cookies it came in
	present presence // which chunk cookies were sent, for expiring them
	foreign []string // names in the chunk namespace that no writer makes
}

// maxForeign bounds how many malformed chunk names one save expires.
const maxForeign = 8

// maxCookies bounds the cookie pairs a reader examines in one request:
// the store's reader stops after that many pairs that contain its name,
// and the Express reader does not search a request that carries more. Past
// it the session is reported (ErrChunks), never silently dropped. It is
// net/http's defaultCookieMaxNum (Go 1.23+, GODEBUG httpcookiemaxnum),
// past which Request.Cookies returns no cookie at all, and RFC 6265 §6.1's
// figure for all the cookies a browser stores. A browser sends far fewer
// in one request: Chrome (kDomainMaxCookies) and Firefox
// (network.cookie.maxPerHost) keep 180 per site.
const maxCookies = 3000

// tooManyCookies reports a request over maxCookies: pairs that contain
// name when named, else pairs in all.
func tooManyCookies(name string, named bool) error {
	what := "cookies"
	if named {
		what = fmt.Sprintf("cookies that contain the name %q", name)
	}
	return fmt.Errorf("%w: the request carries more than %d %s, which no browser sends: session %q not read; clearing the site's cookies in the client fixes it, and if the app sets that many, it must set fewer", ErrChunks, maxCookies, what, name)
}

// cookiePairs counts the cookie pairs of Cookie header lines the way
// net/http does before it parses them: one more than the ';' of each line.
func cookiePairs(lines []string) int {
	n := 0
	for _, line := range lines {
		n += strings.Count(line, ";") + 1
	}
	return n
}

// chunkScan accumulates what readChunks finds.
type chunkScan struct {
	name           string
	l              limits
	in             incoming
	err            error
	parts          []string // parts[i-1] is chunk i; only for chunked sessions
	first          string
	total, highest int
}

// readChunks scans the request's Cookie headers for the cookie name and its
// chunks. It allocates only when the session is chunked, and its work is
// linear in the header size: a vectorised search for the name, then at
// most one look at each cookie pair that contains it, and at most
// maxCookies of those (ErrChunks past it). Cookies that do not contain the
// name cost only the search, so a session behind any number of junk
// cookies is still found. Hostile input (duplicates,
// out-of-range indexes, oversize values, gaps) yields ErrChunks or
// ErrTooLarge, after recording which names were present so that a save can
// expire them.
//
// A pair counts as strings.TrimSpace of the text between two ';' of a
// line; only a pair whose trimmed text begins with name can be the
// session's, and the first occurrence of name in that pair is there.
func readChunks(r *http.Request, name string, l limits) (incoming, error) {
	c := chunkScan{name: name, l: l}
	seen := 0
	for _, line := range r.Header["Cookie"] {
		for from := 0; from < len(line); {
			i := strings.Index(line[from:], name)
			if i < 0 {
				break
			}
			pos := from + i
			end := len(line)
			if j := strings.IndexByte(line[pos:], ';'); j >= 0 {
				end = pos + j
			}
			if seen++; seen > maxCookies {
				if c.err == nil {
					c.err = tooManyCookies(name, true)
				}
				return c.in, c.err
			}
			if next := pos + len(name); next < end && (line[next] == '=' || line[next] == chunkSep) && blankBefore(line, from, pos) {
				c.add(strings.TrimSpace(line[pos:end]))
			}
			from = end + 1
		}
	}
	return c.result()
}

// blankBefore reports whether line[from:pos] ends with a run of the spaces
// strings.TrimSpace removes that reaches back to from or to a ';': that is,
// whether a cookie pair starts at pos once trimmed. from is the start of a
// line or follows a ';'.
func blankBefore(line string, from, pos int) bool {
	for pos > from {
		c := line[pos-1]
		switch {
		case c == ';':
			return true
		case c == ' ' || c >= '\t' && c <= '\r': // what TrimSpace removes
			pos--
		case c < utf8.RuneSelf:
			return false
		default:
			r, n := utf8.DecodeLastRuneInString(line[from:pos])
			if !unicode.IsSpace(r) {
				return false
			}
			pos -= n
		}
	}
	return true
}

// add takes one trimmed cookie pair that begins with the name.
func (c *chunkScan) add(part string) {
	name, in := c.name, &c.in
	k, v, ok := strings.Cut(part, "=")
	if !ok || len(k) < len(name) || k[:len(name)] != name {
		return
	}
	i := 1
	if len(k) > len(name) {
		if k[len(name)] != chunkSep {
			return // another cookie that shares the prefix
		}
		i = parseChunkIndex(k[len(name)+1:])
		if i < 2 {
			// Not a name this library writes (NAME~0, NAME~02,
			// NAME~999999999): ignore it, and have the next save delete
			// it, so it cannot wedge the session.
			if len(in.foreign) < maxForeign && validCookieName(k) && len(k) <= 256 {
				in.foreign = append(in.foreign, k)
			}
			return
		}
	}
	if in.present.has(i) {
		if c.err == nil {
			c.err = fmt.Errorf("%w: cookie %q sent twice (another path or domain?)", ErrChunks, chunkName(name, i))
		}
		return
	}
	in.present.set(i)
	if c.err != nil {
		return // keep recording names only
	}
	c.value(k, v, i)
}

// value takes the value v of chunk i, called k.
func (c *chunkScan) value(k, v string, i int) {
	if i > c.l.chunks {
		c.err = fmt.Errorf("%w: chunk %d present but at most %d allowed", ErrChunks, i, c.l.chunks)
		return
	}
	if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if len(k)+len(v) > MaxCookieBytesLimit {
		c.err = &TooLargeError{Name: k, Size: len(k) + len(v), Limit: MaxCookieBytesLimit, Chunks: 1}
		return
	}
	c.total += len(k) + 1 + len(v)
	c.highest = max(c.highest, i)
	if i == 1 {
		c.first = v
		return
	}
	if c.parts == nil {
		c.parts = make([]string, c.l.chunks)
	}
	c.parts[i-1] = v
}

// result checks what the scan found and reassembles the value.
func (c *chunkScan) result() (incoming, error) {
	in, highest := c.in, c.highest
	if c.err != nil || highest == 0 {
		return in, c.err
	}
	if highest == 1 {
		in.value, in.chunks = c.first, 1
		return in, nil
	}
	if c.total > c.l.total {
		return in, &TooLargeError{Name: c.name, Size: c.total, Limit: c.l.total, Total: true, Chunks: highest}
	}
	c.parts[0] = c.first
	for i := 1; i <= highest; i++ {
		if !in.present.has(i) {
			return in, fmt.Errorf("%w: chunk %d of %d is missing", ErrChunks, i, highest)
		}
	}
	in.value, in.chunks = strings.Join(c.parts[:highest], ""), highest
	return in, nil
}

// parseChunkIndex parses a chunk index of at most three decimal digits
// without leading zeros; it returns -1 for anything else.
func parseChunkIndex(s string) int {
	if len(s) == 0 || len(s) > 3 || s[0] == '0' {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	if n > MaxChunksLimit {
		return -1
	}
	return n
}

// truncateName shortens a hostile cookie name for an error message.
func truncateName(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
