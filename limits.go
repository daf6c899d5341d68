package cookiesession

// Size limits that decide whether a browser stores a cookie and whether
// proxies pass the Cookie header on. docs/LIMITS.md lists the figures and
// their sources; package bounds holds the numbers shared with the nested
// modules, package chunks applies them.

import (
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/format"
)

// maxAttributeBytes is the longest attribute value (Path, Domain) a
// browser keeps: RFC 6265bis §5.6 ignores longer ones.
const maxAttributeBytes = 1024

// limits are a store's resolved size budgets.
type limits struct {
	cookie int // name + value per cookie
	total  int // all chunks, as in the Cookie header
	chunks int // most cookies per session
}

// resolveLimits applies defaults and checks the options' size fields.
func resolveLimits(o *Options) (limits, error) {
	w := chunks.Limits{Cookie: o.MaxCookieBytes, Total: o.MaxTotalBytes, Chunks: o.MaxChunks}.Resolve(bounds.DefaultMaxCookieBytes, bounds.DefaultMaxTotalBytes)
	l := limits{cookie: w.Cookie, total: w.Total, chunks: w.Chunks}
	switch {
	case l.cookie < 256 || l.cookie > bounds.MaxCookieBytesLimit:
		return l, optionsError("MaxCookieBytes %d out of range: use 256..%d (0 means %d)", o.MaxCookieBytes, bounds.MaxCookieBytesLimit, bounds.DefaultMaxCookieBytes)
	case l.chunks < 1 || l.chunks > format.MaxChunks:
		return l, optionsError("MaxChunks %d out of range: use 1..%d (0 means 1, no chunking)", o.MaxChunks, format.MaxChunks)
	case l.total < l.cookie && l.total != 0:
		return l, optionsError("MaxTotalBytes %d is below MaxCookieBytes %d: raise it or leave it 0", l.total, l.cookie)
	}
	return l, nil
}
