package chunks

// Sizes, budgets and the split (docs/LIMITS.md).

import "github.com/cookiesession/cookiesession/internal/cookie"

// CookieBytes is what the per-cookie budget counts of a cookie: the bytes
// of its name plus its value, without the "=".
func CookieBytes(name, value string) int { return len(name) + len(value) }

// HeaderSize counts the bytes cookies take in a Cookie header: their
// name=value pairs joined by "; ", as the total budget counts them. The
// zero value is an empty header.
type HeaderSize struct{ bytes, pairs int }

// Add counts one more pair of a name of nameLen bytes and a value of
// valueLen bytes.
func (h *HeaderSize) Add(nameLen, valueLen int) {
	if h.pairs > 0 {
		h.bytes += 2 // "; "
	}
	h.bytes += nameLen + 1 + valueLen // name=value
	h.pairs++
}

// Bytes returns the bytes of the pairs added so far.
func (h HeaderSize) Bytes() int { return h.bytes }

// HeaderBytes returns the bytes ps take in a Cookie header.
func HeaderBytes(ps []cookie.Pair) int {
	var h HeaderSize
	for _, p := range ps {
		h.Add(len(p.Name), len(p.Value))
	}
	return h.Bytes()
}

// Limits are a session's size budgets.
type Limits struct {
	Cookie int // name + value of each cookie (CookieBytes)
	Total  int // all of a chunked session's cookies, as HeaderSize counts them
	Chunks int // most cookies per session
}

// Resolve applies the defaults to the zero fields of l: Cookie becomes
// cookie; Chunks 1, no chunking; Total becomes total when chunking, else
// the per-cookie budget. It checks nothing.
func (l Limits) Resolve(cookie, total int) Limits {
	if l.Cookie == 0 {
		l.Cookie = cookie
	}
	if l.Chunks == 0 {
		l.Chunks = 1
	}
	if l.Total == 0 {
		l.Total = total
		if l.Chunks == 1 {
			l.Total = l.Cookie
		}
	}
	return l
}

// Overflow says why a value does not fit the limits. Size is the bytes
// needed and Limit the limit they exceed; Chunks is the number of cookies
// the value needs. With Chunks 1: name plus value against the per-cookie
// budget. With Total: the Cookie-header bytes against the total budget.
// With neither (Chunks > 1): the Cookie-header bytes needed against what
// Limits.Chunks full cookies hold.
type Overflow struct {
	Size, Limit int
	Total       bool
	Chunks      int
}

// Plan returns how many cookies a value of valueLen bytes for the cookie
// called name takes under l, or why it does not fit. Each cookie but the
// last is filled to the per-cookie budget; Split cuts the value the same
// way.
func Plan(name string, valueLen int, l Limits) (int, *Overflow) {
	left, n := valueLen, 0
	var size HeaderSize
	for left > 0 || n == 0 {
		n++
		if n > l.Chunks {
			break
		}
		part := min(left, l.Cookie-NameLen(name, n))
		left -= part
		size.Add(NameLen(name, n), part)
	}
	if left > 0 {
		return 0, overflow(name, valueLen, valueLen-left, l)
	}
	if n > 1 && size.Bytes() > l.Total {
		return 0, &Overflow{Size: size.Bytes(), Limit: l.Total, Total: true, Chunks: n}
	}
	return n, nil
}

// overflow describes a value of valueLen bytes of which l.Chunks cookies
// hold only fits bytes.
func overflow(name string, valueLen, fits int, l Limits) *Overflow {
	if l.Chunks == 1 {
		return &Overflow{Size: len(name) + valueLen, Limit: l.Cookie, Chunks: 1}
	}
	// More chunks than allowed: report the Cookie-header bytes needed
	// against what l.Chunks full cookies (or the total budget) hold.
	need, chunks := unlimited(name, valueLen, l.Cookie)
	most, _ := unlimited(name, fits, l.Cookie)
	if most > l.Total { // the total budget binds before l.Chunks does
		return &Overflow{Size: need, Limit: l.Total, Total: true, Chunks: chunks}
	}
	return &Overflow{Size: need, Limit: most, Chunks: chunks}
}

// unlimited returns the Cookie-header bytes and the number of cookies of a
// value of valueLen bytes split without a chunk limit.
func unlimited(name string, valueLen, perCookie int) (bytes, chunks int) {
	var size HeaderSize
	for valueLen > 0 {
		chunks++
		part := min(valueLen, perCookie-NameLen(name, chunks))
		valueLen -= part
		size.Add(NameLen(name, chunks), part)
	}
	return size.Bytes(), chunks
}

// Split cuts value into the n parts Plan counted: part i is the value of
// the cookie Name(name, i).
func Split(name, value string, n int, l Limits) []string {
	parts := make([]string, n)
	for i := 1; i <= n; i++ {
		room := l.Cookie - NameLen(name, i)
		if i == n || room > len(value) {
			room = len(value)
		}
		parts[i-1], value = value[:room], value[room:]
	}
	return parts
}

// LastFills reports whether the last of the n parts Split cuts a value of
// valueLen bytes into fills the per-cookie budget, as all the others do: a
// reader cannot then tell from the lengths where the value ends.
func LastFills(name string, valueLen, n int, l Limits) bool {
	for i := 1; i < n; i++ {
		valueLen -= l.Cookie - NameLen(name, i)
	}
	return Fills(name, n, valueLen, l.Cookie)
}
