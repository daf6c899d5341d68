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

// resolveLimits applies defaults and checks the options' size fields.
func resolveLimits(o *Options) (chunks.Limits, error) {
	l := chunks.Limits{Cookie: o.MaxCookieBytes, Total: o.MaxTotalBytes, Chunks: o.MaxChunks}.Resolve(bounds.DefaultMaxCookieBytes, bounds.DefaultMaxTotalBytes)
	switch {
	case l.Cookie < 256 || l.Cookie > bounds.MaxCookieBytesLimit:
		return l, optionsError("MaxCookieBytes %d out of range: use 256..%d (0 means %d)", o.MaxCookieBytes, bounds.MaxCookieBytesLimit, bounds.DefaultMaxCookieBytes)
	case l.Chunks < 1 || l.Chunks > format.MaxChunks:
		return l, optionsError("MaxChunks %d out of range: use 1..%d (0 means 1, no chunking)", o.MaxChunks, format.MaxChunks)
	case l.Total < l.Cookie && l.Total != 0:
		return l, optionsError("MaxTotalBytes %d is below MaxCookieBytes %d: raise it or leave it 0", l.Total, l.Cookie)
	}
	return l, nil
}
