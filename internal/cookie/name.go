package cookie

// Cookie names: the strict grammar this library writes, the lenient one
// other libraries' cookies may carry, and the prefixes that bind
// attributes to a name.

import "strings"

// ValidName reports whether name is a cookie-name of RFC 6265 §4.1.1: a
// token (RFC 9110 §5.6.2).
func ValidName(name string) bool { return IsToken(name) }

// notInLegacyName are the visible ASCII bytes that break a Cookie header
// or a Set-Cookie line when they stand in a name.
const notInLegacyName = `;=,"\`

// ValidLegacyName accepts the names another library may have used:
// visible ASCII without the characters that break a Cookie header. It
// allows ':' (cookie-session 1.x's "express:sess"), which is not an RFC
// 6265 token.
func ValidLegacyName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(notInLegacyName, c) >= 0 {
			return false
		}
	}
	return true
}

// The cookie-name prefixes of RFC 6265bis §4.1.3. Browsers match them in
// any case (the storage model, §5.7, since draft 13), so "__host-" and
// "__SECURE-" carry the same rules: __Host- requires Secure, Path "/" and
// no Domain; __Secure- requires Secure.
const (
	HostPrefix   = "__Host-"
	SecurePrefix = "__Secure-"
)

// HasPrefix reports whether name begins with prefix, ignoring case, as
// browsers match the prefixes.
func HasPrefix(name, prefix string) bool {
	return len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix)
}

// HostPrefixAllows reports whether a cookie called name may have the
// given Path and Domain: a __Host- name (in any case) requires Path "/"
// (or "", the store's own) and no Domain.
func HostPrefixAllows(name, path, domain string) bool {
	return !HasPrefix(name, HostPrefix) || domain == "" && (path == "" || path == "/")
}
