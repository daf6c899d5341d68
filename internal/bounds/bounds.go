// Package bounds holds the numbers of cookiesession's defaults and limits,
// each with its source, once for the library and for the modules and the
// command built on it. docs/LIMITS.md lists the size figures and their
// sources.
package bounds

import "time"

// Cookie sizes. Package chunks applies them.
const (
	// DefaultMaxCookieBytes is the default per-cookie budget: the bytes of a
	// cookie's name plus its value. Chrome (net/cookies/parsed_cookie.h) and
	// Firefox (CookieCommons.h) ignore a cookie whose name plus value exceeds
	// 4096 bytes, as RFC 6265bis §5.7 tells them to; third-party measurements
	// report a 4093-byte limit for Safari including the "=". 4092 fits all
	// three.
	DefaultMaxCookieBytes = 4092

	// MaxCookieBytesLimit is the largest per-cookie budget a store accepts:
	// past it, Chrome and Firefox drop the cookie without a word.
	MaxCookieBytesLimit = 4096

	// DefaultMaxTotalBytes is the default budget for all of a chunked
	// session's cookies together, counted as they appear in the Cookie
	// request header (name=value pairs joined by "; "). It leaves room for
	// other cookies under the smallest common proxy limit on one header line
	// (nginx's default 8 KB large_client_header_buffers, Apache's 8,190-byte
	// LimitRequestFieldSize).
	DefaultMaxTotalBytes = 6144
)

// Lifetimes and clocks.
const (
	// DefaultMaxAge is a session's absolute lifetime when Options.MaxAge is
	// zero: one day.
	DefaultMaxAge = 24 * time.Hour

	// MaxAgeLimit is the longest lifetime a store, a revocation list or the
	// command accepts: RFC 6265bis §5.6.1 caps a cookie's Max-Age at 400
	// days, and a longer server-side lifetime would outlive the cookie
	// silently.
	MaxAgeLimit = 400 * 24 * time.Hour

	// DefaultClockSkew is how far in the future a value's timestamps, or a
	// revocation's cut-off, may lie (servers' clocks differ): one minute.
	DefaultClockSkew = time.Minute
)

const (
	// DefaultName is the cookie name when Options.Name is empty.
	DefaultName = "session"

	// SizeWarningShare is the share of its size budget past which a saved
	// session raises EventSizeWarning: 80%.
	SizeWarningShare = 0.8

	// MaxSubjectBytes is the longest subject Session.SetSubject takes: its
	// length is one byte in the sealed metadata (docs/FORMAT.md).
	MaxSubjectBytes = 255

	// DefaultMaxRevocations is the most live entries (revoked sessions
	// plus subject cut-offs) a revocation list, in memory or a Redis
	// replica, holds when its MaxEntries is zero. At the measured cost per
	// revoked session (docs/THREAT-MODEL.md, "Logout and revocation": at
	// most 29 B at 100,000 entries or more), it bounds a list near 29 MB.
	DefaultMaxRevocations = 1_000_000
)
