package cookiesession

// Chunking: a sealed value longer than one cookie's budget is split across
// several cookies. Chunk 1 is the cookie NAME itself; chunk k (k >= 2) is
// NAME~k. "~" never appears in Express cookie-session's NAME.sig nor in
// gorilla's names, and it keeps a __Host- or __Secure- prefix intact. The
// chunk count is bound into the AEAD's associated data, so missing,
// reordered, duplicated or mixed chunks fail to open. Every part but a
// value's last fills the per-cookie budget, so the reader knows where the
// value ends and ignores stale parts after it (chunkScan.written).

import (
	"errors"
	"fmt"
	"math/bits"
	"net/textproto"
	"strings"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
)

// planChunks returns how many cookies a value of valueLen bytes needs, or
// a *TooLargeError.
func planChunks(name string, valueLen int, l chunks.Limits) (int, error) {
	n, over := chunks.Plan(name, valueLen, l)
	if over != nil {
		return 0, &TooLargeError{Name: name, Size: over.Size, Limit: over.Limit, Total: over.Total, Chunks: over.Chunks}
	}
	return n, nil
}

// presence records which chunk indexes (1..chunks.Max) a request sent.
type presence [chunks.Max/64 + 1]uint64

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
	full    bool     // every chunk fills the per-cookie budget

	// whole is parts 1..wholeChunks, when the request carries more parts
	// than value's, all contiguous: the value a writer with another
	// per-cookie budget made, tried when value does not open.
	whole       string
	wholeChunks int
}

// lost explains err, why in.value did not open, when the chunk after the
// last one the request carries is missing: every chunk, the last one
// included, fills the per-cookie budget (chunks.Fills), and the store could
// have written one more. Only a value cut short fails that way:
// ErrMalformed or ErrAuthentication.
func (in *incoming) lost(err error, name string, l chunks.Limits) error {
	if !in.full || in.chunks >= l.Chunks || !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrAuthentication) {
		return err
	}
	return fmt.Errorf("%w: %s", ErrChunks, chunks.MissingAfter(name, in.chunks, l.Cookie))
}

// Bounds on the malformed chunk names one save expires: how many, and the
// longest name.
const (
	maxForeign     = 8
	maxForeignName = 256
)

// chunkScan accumulates what readChunks finds.
type chunkScan struct {
	name    string
	l       chunks.Limits
	in      incoming
	err     error
	parts   []string // parts[i-1] is chunk i; only for chunked sessions
	first   string
	size    chunks.HeaderSize // of the chunks taken, for the total budget
	highest int
}

// readChunks scans the request's Cookie header lines for the cookie name
// and its chunks (cookie.Named: linear in the header size, at most
// cookie.MaxCookies pairs that contain the name, ErrChunks past it). It
// allocates only when the session is chunked. Hostile input (duplicates,
// out-of-range indexes, oversize values, gaps) yields ErrChunks or
// ErrTooLarge, after recording which names were present so that a save can
// expire them.
func readChunks(lines []string, name string, l chunks.Limits) (incoming, error) {
	c := chunkScan{name: name, l: l}
	if !cookie.Named(lines, name, chunks.Sep, c.add) {
		if c.err == nil {
			c.err = chunks.TooManyCookies(name, true)
		}
		return c.in, c.err
	}
	return c.result()
}

// add takes one trimmed cookie pair that begins with the name.
func (c *chunkScan) add(part string) {
	name, in := c.name, &c.in
	k, v, ok := strings.Cut(part, "=")
	if !ok {
		return
	}
	k = textproto.TrimString(k)
	i := chunks.Index(k, name)
	switch {
	case i == 0:
		return // another cookie that shares the prefix
	case i < 0:
		// Not a name this library writes (NAME~0, NAME~02,
		// NAME~999999999): ignore it, and have the next save delete
		// it, so it cannot wedge the session.
		if len(in.foreign) < maxForeign && cookie.ValidName(k) && len(k) <= maxForeignName {
			in.foreign = append(in.foreign, k)
		}
		return
	case i > c.l.Chunks:
		// A chunk this store never writes (MaxChunks was lowered, or a
		// deletion never reached the browser): ignore it, and have the
		// next save delete it, so a stale chunk cannot log anyone out.
		in.present.set(i)
		return
	}
	if in.present.has(i) {
		if c.err == nil {
			c.err = fmt.Errorf("%w: cookie %q sent twice (another path or domain?)", ErrChunks, chunks.Name(name, i))
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
	v = cookie.Unquote(v)
	if size := chunks.CookieBytes(k, v); size > bounds.MaxCookieBytesLimit {
		c.err = &TooLargeError{Name: k, Size: size, Limit: bounds.MaxCookieBytesLimit, Chunks: 1}
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
func (c *chunkScan) result() (incoming, error) {
	in, highest := c.in, c.highest
	if c.err != nil || highest == 0 {
		return in, c.err
	}
	if highest == 1 {
		in.value, in.chunks = c.first, 1
		in.full = chunks.Fills(c.name, 1, len(c.first), c.l.Cookie)
		return in, nil
	}
	c.parts[0] = c.first
	n, count := c.written(highest), highest // count: the parts the total counts
	if 0 < n && n < highest {
		// Parts n+1.. are stale: left by a response that raced with the
		// one that wrote parts 1..n (two tabs), or the value was written
		// under another per-cookie budget, when the whole opens instead.
		if c.contiguous(highest) && c.size.Bytes() <= c.l.Total {
			in.whole, in.wholeChunks = strings.Join(c.parts[:highest], ""), highest
		}
		c.size, count = chunks.HeaderSize{}, n
		for i, part := range c.parts[:n] {
			c.size.Add(chunks.NameLen(c.name, i+1), len(part))
		}
	}
	if total := c.size.Bytes(); total > c.l.Total && count > 1 {
		return in, &TooLargeError{Name: c.name, Size: total, Limit: c.l.Total, Total: true, Chunks: count}
	}
	if n == 0 {
		return in, fmt.Errorf("%w: chunk 1 of %d is missing", ErrChunks, highest)
	}
	in.value, in.chunks = strings.Join(c.parts[:n], ""), n
	in.full = true
	for i, part := range c.parts[:n] {
		in.full = in.full && chunks.Fills(c.name, i+1, len(part), c.l.Cookie)
	}
	return in, nil
}

// written returns how many parts, of those up to highest, a writer with
// this store's per-cookie budget made: parts 1..n present, each but the
// last filling the budget (chunks.Split fills every part but the last),
// the last one either not filling it, or followed by a missing part or
// by highest. 0 when part 1 is missing.
func (c *chunkScan) written(highest int) int {
	for i := 1; i <= highest; i++ {
		switch {
		case !c.in.present.has(i):
			return i - 1
		case !chunks.Fills(c.name, i, len(c.parts[i-1]), c.l.Cookie):
			return i
		}
	}
	return highest
}

// contiguous reports whether parts 1..n are all present.
func (c *chunkScan) contiguous(n int) bool {
	for i := 1; i <= n; i++ {
		if !c.in.present.has(i) {
			return false
		}
	}
	return true
}
