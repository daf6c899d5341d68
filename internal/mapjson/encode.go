package mapjson

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// Marshal returns what jsonx.Marshal returns for m (json.Marshal without
// HTML escapes): keys sorted bytewise, strings escaped as encoding/json
// escapes them. It writes nil, string, json.Number, bool, float64, the
// predeclared integer types, map[string]any and []any itself, and any
// other value through jsonx.Marshal. It returns an error, for the caller
// to ask jsonx.Marshal for its own, when a value does not encode (NaN, a
// json.Number that is not a number, a value jsonx.Marshal refuses) or the
// nesting is deeper than MaxDepth (a cycle, perhaps).
func Marshal(m map[string]any) ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	keys, size := sortedKeys(m)
	return appendMembers(make([]byte, 0, size), m, keys, 1)
}

// sortedKeys returns m's keys sorted bytewise, as encoding/json sorts
// them, and about the length of m's JSON when its values are short.
func sortedKeys(m map[string]any) ([]string, int) {
	keys := make([]string, 0, len(m))
	size := 2
	for k, v := range m {
		keys = append(keys, k)
		size += len(k) + 4 + 8
		if s, ok := v.(string); ok {
			size += len(s)
		}
	}
	slices.Sort(keys)
	return keys, size
}

// appendObject appends the object m, nested depth deep.
func appendObject(b []byte, m map[string]any, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return b, errRefused
	}
	keys, _ := sortedKeys(m)
	return appendMembers(b, m, keys, depth)
}

// appendMembers appends the object m, nested depth deep, its keys sorted.
func appendMembers(b []byte, m map[string]any, keys []string, depth int) ([]byte, error) {
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, m[k], depth); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendValue appends v, a value nested depth deep.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case json.Number:
		return appendNumber(b, v)
	case bool:
		return strconv.AppendBool(b, v), nil
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		return appendObject(b, v, depth+1)
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		return appendArray(b, v, depth+1)
	case float64:
		return appendFloat(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(v), 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10), nil
	}
	j, err := jsonx.Marshal(v)
	return append(b, j...), err
}

// appendArray appends the array a, nested depth deep.
func appendArray(b []byte, a []any, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return b, errRefused
	}
	b = append(b, '[')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValue(b, v, depth); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendNumber appends n's text, which must be a JSON number; "" is 0, as
// encoding/json writes it.
func appendNumber(b []byte, n json.Number) ([]byte, error) {
	if n == "" {
		return append(b, '0'), nil
	}
	d := decoder{s: string(n)}
	if _, err := d.number(); err != nil || d.i != len(d.s) {
		return b, errRefused
	}
	return append(b, n...), nil
}

// appendFloat appends f as encoding/json writes a float64: the shortest
// text that reads back as f, in exponent form below 1e-6 and from 1e21 on,
// with an exponent of at least two digits written without a leading zero
// ("1e-07" as "1e-7").
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, errRefused
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b) - start; format == 'e' && n >= 4 && b[len(b)-4] == 'e' && b[len(b)-3] == '-' && b[len(b)-2] == '0' {
		b[len(b)-2] = b[len(b)-1]
		b = b[:len(b)-1]
	}
	return b, nil
}

// plain marks the bytes a JSON string holds as they are: the ASCII bytes
// from space on, but '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// shortEscapes maps the control characters encoding/json escapes with a
// letter to that letter.
var shortEscapes = [0x20]byte{'\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't'}

const hexDigits = "0123456789abcdef"

// replacement is what encoding/json writes for each byte of invalid UTF-8
// in a string: the escape \ufffd up to Go 1.26, the character U+FFFD
// itself from Go 1.27 on. It is computed once, never changed.
var replacement = func() string {
	b, err := json.Marshal("\xff")
	if err != nil || len(b) < 2 {
		return `\ufffd`
	}
	return string(b[1 : len(b)-1])
}()

// appendString appends s quoted as encoding/json quotes it without HTML
// escapes: '"' and '\\' escaped with a backslash, control characters as
// \b, \f, \n, \r, \t or \u00XX, each byte of invalid UTF-8 as
// replacement, and
// U+2028 and U+2029 as \u2028 and \u2029.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && plain[s[i]] {
			i++ // the common bytes, in a tight loop
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case shortEscapes[c] != 0:
				b = append(b, '\\', shortEscapes[c])
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, replacement...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
