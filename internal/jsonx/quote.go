package jsonx

// AppendQuoted appends s as a JSON string literal, escaping what both
// encoding/json and JavaScript's JSON.stringify escape the same way: '"'
// and '\' with a backslash, \b, \f, \n, \r and \t as such, and every other
// byte below 0x20 as \u00XX (RFC 8259 §7). Every other byte goes out as it
// is: the caller decides what to do with invalid UTF-8, U+2028 and U+2029
// (encoding/json replaces or escapes them, JSON.stringify does not), and
// with '<', '>' and '&' (Marshal writes them as they are).
func AppendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			b = appendEscape(append(b, s[start:i]...), c)
			start = i + 1
		}
	}
	return append(append(b, s[start:]...), '"')
}

// appendEscape appends the escape of c: '"', '\' or a byte below 0x20.
func appendEscape(b []byte, c byte) []byte {
	const hex = "0123456789abcdef"
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
}
