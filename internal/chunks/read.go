package chunks

// Chunking: a sealed value longer than one cookie's budget is split across
// several cookies. Chunk 1 is the cookie NAME itself; chunk k (k >= 2) is
// NAME~k. "~" never appears in Express cookie-session's NAME.sig nor in
// gorilla's names, and it keeps a __Host- or __Secure- prefix intact. The
// chunk count is bound into the AEAD's associated data, so missing,
// reordered, duplicated or mixed chunks fail to open. Every part but a
// value's last fills the per-cookie budget, so the reader knows where the
// value ends and ignores stale parts after it (scan.written).

import (
	"fmt"
	"math/bits"
	"net/textproto"
	"strings"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/cookie"
)

// Presence records which chunk indexes (1..Max) a request sent.
type Presence [Max/64 + 1]uint64

func (p *Presence) Set(i int)      { p[i>>6] |= 1 << (i & 63) }
func (p *Presence) Has(i int) bool { return p[i>>6]&(1<<(i&63)) != 0 }

// Highest returns the largest index present, or 0.
func (p *Presence) Highest() int {
	for w := len(p) - 1; w >= 0; w-- {
		if p[w] != 0 {
			return w*64 + bits.Len64(p[w]) - 1
		}
	}
	return 0
}

// Incoming is what a request carried of one session's cookies.
type Incoming struct {
	Value   string   // the reassembled value; "" when absent
	Chunks  int      // how many cookies it came in
	Present Presence // which chunk cookies were sent, for expiring them
	Foreign []string // names in the chunk namespace that no writer makes
	Full    bool     // every chunk fills the per-cookie budget

	// Whole is parts 1..WholeChunks, when the request carries more parts
	// than Value's, all contiguous: the value a writer with another
	// per-cookie budget made, tried when Value does not open.
	Whole       string
	WholeChunks int
}

// TooLarge is Read's error for a cookie, or a value, over the limits; the
// store reports it as its TooLargeError.
type TooLarge struct {
	Name string
	Overflow
}

func (e *TooLarge) Error() string {
	return fmt.Sprintf("%q needs %d bytes, limit %d", e.Name, e.Size, e.Limit)
}

// Bounds on the malformed chunk names one save expires: how many, and the
// longest name.
const (
	MaxForeign     = 8
	MaxForeignName = 256
)

// scan accumulates what Read finds.
type scan struct {
	name    string
	l       Limits
	in      Incoming
	err     error
	parts   []string // parts[i-1] is chunk i; only for chunked sessions
	first   string
	size    HeaderSize // of the chunks taken, for the total budget
	highest int
}

// Read scans the request's Cookie header lines for the cookie name
// and its chunks (cookie.Named: linear in the header size, at most
// cookie.MaxCookies pairs that contain the name, ErrChunks past it). It
// allocates only when the session is chunked. Hostile input (duplicates,
// out-of-range indexes, oversize values, gaps) yields ErrChunks or
// TooLarge, after recording which names were present so that a save can
// expire them.
func Read(lines []string, name string, l Limits) (Incoming, error) {
	c := scan{name: name, l: l}
	if !cookie.Named(lines, name, Sep, c.add) {
		if c.err == nil {
			c.err = TooManyCookies(name, true)
		}
		return c.in, c.err
	}
	return c.result()
}

// add takes one trimmed cookie pair that begins with the name.
func (c *scan) add(part string) {
	name, in := c.name, &c.in
	k, v, ok := strings.Cut(part, "=")
	if !ok {
		return
	}
	k = textproto.TrimString(k)
	i := Index(k, name)
	switch {
	case i == 0:
		return // another cookie that shares the prefix
	case i < 0:
		// Not a name this library writes (NAME~0, NAME~02,
		// NAME~999999999): ignore it, and have the next save delete
		// it, so it cannot wedge the session.
		if len(in.Foreign) < MaxForeign && cookie.ValidName(k) && len(k) <= MaxForeignName {
			in.Foreign = append(in.Foreign, k)
		}
		return
	case i > c.l.Chunks:
		// A chunk this store never writes (MaxChunks was lowered, or a
		// deletion never reached the browser): ignore it, and have the
		// next save delete it, so a stale chunk cannot log anyone out.
		in.Present.Set(i)
		return
	}
	if in.Present.Has(i) {
		if c.err == nil {
			c.err = fmt.Errorf("%w: cookie %q sent twice (another path or domain?)", ErrChunks, Name(name, i))
		}
		return
	}
	in.Present.Set(i)
	if c.err != nil {
		return // keep recording names only
	}
	c.value(k, v, i)
}

// value takes the value v of chunk i, called k.
func (c *scan) value(k, v string, i int) {
	v = cookie.Unquote(v)
	if size := CookieBytes(k, v); size > bounds.MaxCookieBytesLimit {
		c.err = &TooLarge{Name: k, Overflow: Overflow{Size: size, Limit: bounds.MaxCookieBytesLimit, Chunks: 1}}
		return
	}
	c.size.Add(len(k), len(v))
	c.highest = max(c.highest, i)
	if i == 1 {
		c.first = v
		return
	}
	if c.parts == nil {
		c.parts = make([]string, c.l.Chunks)
	}
	c.parts[i-1] = v
}

// result checks what the scan found and reassembles the value.
func (c *scan) result() (Incoming, error) {
	in, highest := c.in, c.highest
	if c.err != nil || highest == 0 {
		return in, c.err
	}
	if highest == 1 {
		in.Value, in.Chunks = c.first, 1
		in.Full = Fills(c.name, 1, len(c.first), c.l.Cookie)
		return in, nil
	}
	c.parts[0] = c.first
	n, count := c.written(highest), highest // count: the parts the total counts
	if 0 < n && n < highest {
		// Parts n+1.. are stale: left by a response that raced with the
		// one that wrote parts 1..n (two tabs), or the value was written
		// under another per-cookie budget, when the whole opens instead.
		if c.contiguous(highest) && c.size.Bytes() <= c.l.Total {
			in.Whole, in.WholeChunks = strings.Join(c.parts[:highest], ""), highest
		}
		c.size, count = HeaderSize{}, n
		for i, part := range c.parts[:n] {
			c.size.Add(NameLen(c.name, i+1), len(part))
		}
	}
	if total := c.size.Bytes(); total > c.l.Total && count > 1 {
		return in, &TooLarge{Name: c.name, Overflow: Overflow{Size: total, Limit: c.l.Total, Total: true, Chunks: count}}
	}
	if n == 0 {
		return in, fmt.Errorf("%w: chunk 1 of %d is missing", ErrChunks, highest)
	}
	in.Value, in.Chunks = strings.Join(c.parts[:n], ""), n
	in.Full = true
	for i, part := range c.parts[:n] {
		in.Full = in.Full && Fills(c.name, i+1, len(part), c.l.Cookie)
	}
	return in, nil
}

// written returns how many parts, of those up to highest, a writer with
// this store's per-cookie budget made: parts 1..n present, each but the
// last filling the budget (Split fills every part but the last),
// the last one either not filling it, or followed by a missing part or
// by highest. 0 when part 1 is missing.
func (c *scan) written(highest int) int {
	for i := 1; i <= highest; i++ {
		switch {
		case !c.in.Present.Has(i):
			return i - 1
		case !Fills(c.name, i, len(c.parts[i-1]), c.l.Cookie):
			return i
		}
	}
	return highest
}

// contiguous reports whether parts 1..n are all present.
func (c *scan) contiguous(n int) bool {
	for i := 1; i <= n; i++ {
		if !c.in.Present.Has(i) {
			return false
		}
	}
	return true
}
