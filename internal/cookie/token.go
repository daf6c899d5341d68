package cookie

// The token grammar of RFC 9110 §5.6.2, shared by cookie names (RFC 6265
// §4.1.1) and the parameters of the Forwarded header (RFC 7239 §4).

import "strings"

// tokenSymbols are the tchar that are neither letters nor digits.
const tokenSymbols = "!#$%&'*+-.^_`|~"

// IsTokenChar reports whether c is a tchar (RFC 9110 §5.6.2).
func IsTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte(tokenSymbols, c) >= 0
}

// IsToken reports whether s is a non-empty token (RFC 9110 §5.6.2).
func IsToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !IsTokenChar(s[i]) {
			return false
		}
	}
	return s != ""
}
