package cookiesession

// Size limits that decide whether a browser stores a cookie and whether
// proxies pass the Cookie header on. docs/LIMITS.md lists the figures and
// their sources; package chunks applies them.

import (
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/format"
)

const (
	// DefaultMaxCookieBytes is the default per-cookie budget: the bytes of a
	// cookie's name plus its value. Chrome (net/cookies/parsed_cookie.h) and
	// Firefox (CookieCommons.h) ignore a cookie whose name plus value exceeds
	// 4096 bytes, as RFC 6265bis §5.7 tells them to; third-party measurements
	// report a 4093-byte limit for Safari including the "=". 4092 fits all
	// three.
	DefaultMaxCookieBytes = 4092

	// MaxCookieBytesLimit is the largest per-cookie budget New accepts: past
	// it, Chrome and Firefox drop the cookie without a word.
	MaxCookieBytesLimit = 4096

	// DefaultMaxTotalBytes is the default budget for all of a chunked
	// session's cookies together, counted as they appear in the Cookie
	// request header (name=value pairs joined by "; "). It leaves room for
	// other cookies under the smallest common proxy limit on one header line
	// (nginx's default 8 KB large_client_header_buffers, Apache's 8,190-byte
	// LimitRequestFieldSize).
	DefaultMaxTotalBytes = 6144
)

// resolveLimits applies defaults and checks the options' size fields.
func resolveLimits(o *Options) (chunks.Limits, error) {
	l := chunks.Limits{Cookie: o.MaxCookieBytes, Total: o.MaxTotalBytes, Chunks: o.MaxChunks}.Resolve(DefaultMaxCookieBytes, DefaultMaxTotalBytes)
	switch {
	case l.Cookie < 256 || l.Cookie > MaxCookieBytesLimit:
		return l, optionsError("MaxCookieBytes %d out of range: use 256..%d (0 means %d)", o.MaxCookieBytes, MaxCookieBytesLimit, DefaultMaxCookieBytes)
	case l.Chunks < 1 || l.Chunks > format.MaxChunks:
		return l, optionsError("MaxChunks %d out of range: use 1..%d (0 means 1, no chunking)", o.MaxChunks, format.MaxChunks)
	case l.Total < l.Cookie && l.Total != 0:
		return l, optionsError("MaxTotalBytes %d is below MaxCookieBytes %d: raise it or leave it 0", l.Total, l.Cookie)
	}
	return l, nil
}
