// Package mapjson decodes and encodes the JSON of an untyped session, a
// map[string]any, without reflection, giving exactly what encoding/json
// gives: Decode what a json.Decoder with UseNumber decodes into a
// map[string]any, and Marshal the bytes jsonx.Marshal writes. Each refuses,
// with an error, whatever it does not reproduce exactly (JSON whose top
// level is not an object, nesting deeper than MaxDepth, a value
// encoding/json refuses to encode), so that its caller can hand that input
// to encoding/json instead and get encoding/json's own result or error.
// FuzzDecode and FuzzMarshal compare the two on any input.
package mapjson

import (
	"encoding/json"
	"errors"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays Decode and Marshal
// handle (the top-level object is depth 1); deeper values are refused, and
// left to encoding/json, which allows 10,000 levels when decoding and
// detects cycles when encoding. It bounds their recursion.
const MaxDepth = 1000

// errRefused is the error of every input Decode or Marshal leaves to
// encoding/json. It carries nothing of the input.
var errRefused = errors.New("mapjson: input left to encoding/json")

// Decode decodes data, one JSON object with optional whitespace around it
// (RFC 8259), as a json.Decoder with UseNumber decodes it into a
// map[string]any: objects as map[string]any, arrays as []any (empty, not
// nil, for []), numbers as json.Number holding their text, strings with
// invalid UTF-8 and lone surrogate escapes replaced by U+FFFD, and the last
// of duplicate keys kept. Strings share one copy of data. Its time and
// memory are linear in len(data).
func Decode(data []byte) (map[string]any, error) {
	d := decoder{s: string(data)}
	d.skipSpace()
	if d.peek() != '{' {
		return nil, errRefused
	}
	m, err := d.object(1, len(data)/memberBytes)
	if err != nil {
		return nil, err
	}
	if d.skipSpace(); d.i != len(d.s) {
		return nil, errRefused
	}
	return m, nil
}

// memberBytes is about the length of a member of a session's top-level
// object, "key":"value",: Decode sizes the map for len(data)/memberBytes
// members, so that a map of typical members is not grown while it is
// filled, and one of shorter members at most a few times. A hint is bounded
// by the input's length, as the members are.
const memberBytes = 32

// decoder reads one JSON text, s, from offset i.
type decoder struct {
	s string
	i int
}

// peek returns the byte at i, or 0 at the end.
func (d *decoder) peek() byte {
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// skipSpace skips JSON whitespace (RFC 8259, section 2).
func (d *decoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value at i, which holds no whitespace, nested depth
// deep.
func (d *decoder) value(depth int) (any, error) {
	switch c := d.peek(); {
	case c == '{':
		return d.object(depth+1, 0)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	return nil, errRefused
}

// literal consumes lit at i.
func (d *decoder) literal(lit string) error {
	if len(d.s)-d.i < len(lit) || d.s[d.i:d.i+len(lit)] != lit {
		return errRefused
	}
	d.i += len(lit)
	return nil
}

// object decodes the object at i, sized for hint members.
func (d *decoder) object(depth, hint int) (map[string]any, error) {
	if depth > MaxDepth {
		return nil, errRefused
	}
	d.i++ // '{'
	m := make(map[string]any, hint)
	if d.skipSpace(); d.peek() == '}' {
		d.i++
		return m, nil
	}
	for {
		if d.peek() != '"' {
			return nil, errRefused
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		if d.skipSpace(); d.peek() != ':' {
			return nil, errRefused
		}
		d.i++
		d.skipSpace()
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		m[k] = v
		d.skipSpace()
		switch d.peek() {
		case ',':
			d.i++
			d.skipSpace()
		case '}':
			d.i++
			return m, nil
		default:
			return nil, errRefused
		}
	}
}

// array decodes the array at i.
func (d *decoder) array(depth int) ([]any, error) {
	if depth > MaxDepth {
		return nil, errRefused
	}
	d.i++ // '['
	a := make([]any, 0)
	if d.skipSpace(); d.peek() == ']' {
		d.i++
		return a, nil
	}
	for {
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		d.skipSpace()
		switch d.peek() {
		case ',':
			d.i++
			d.skipSpace()
		case ']':
			d.i++
			return a, nil
		default:
			return nil, errRefused
		}
	}
}

// number decodes the number at i (RFC 8259, section 6) as its text.
func (d *decoder) number() (json.Number, error) {
	start := d.i
	if d.peek() == '-' {
		d.i++
	}
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case '1' <= c && c <= '9':
		d.digits()
	default:
		return "", errRefused
	}
	if d.peek() == '.' {
		d.i++
		if d.digits() == 0 {
			return "", errRefused
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if d.digits() == 0 {
			return "", errRefused
		}
	}
	return json.Number(d.s[start:d.i]), nil
}

// digits consumes the ASCII digits at i and returns how many.
func (d *decoder) digits() int {
	start := d.i
	for d.i < len(d.s) && '0' <= d.s[d.i] && d.s[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}

// str decodes the string at i. A string without escapes in valid UTF-8 is
// a slice of s.
func (d *decoder) str() (string, error) {
	d.i++ // '"'
	start := d.i
	ascii := true
	for ; d.i < len(d.s); d.i++ {
		for d.i < len(d.s) && plain[d.s[d.i]] {
			d.i++ // the common bytes, in a tight loop
		}
		if d.i == len(d.s) {
			break
		}
		switch c := d.s[d.i]; {
		case c == '"':
			s := d.s[start:d.i]
			if !ascii && !utf8.ValidString(s) {
				return d.unquote(start)
			}
			d.i++
			return s, nil
		case c == '\\':
			return d.unquote(start)
		case c < 0x20:
			return "", errRefused // a control character must be escaped
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", errRefused
}

// unquote decodes the string whose contents start at start, with its
// escapes (RFC 8259, section 7), invalid UTF-8 replaced by U+FFFD byte by
// byte, as encoding/json does.
func (d *decoder) unquote(start int) (string, error) {
	s := d.s
	b := make([]byte, 0, d.i-start+16)
	for i := start; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			return string(b), nil
		case c < 0x20:
			return "", errRefused
		case c < utf8.RuneSelf && c != '\\':
			b = append(b, c)
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
		default:
			var err error
			if b, i, err = unescape(b, s, i); err != nil {
				return "", err
			}
		}
	}
	return "", errRefused
}

// escapes maps the byte after a backslash to what it stands for, for all
// escapes but \u.
var escapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// unescape appends the character of the escape at s[i] to b and returns
// the offset after it. A \u escape of a surrogate is read with the next
// escape as a pair; a surrogate that forms none is U+FFFD.
func unescape(b []byte, s string, i int) ([]byte, int, error) {
	if i+1 >= len(s) {
		return b, i, errRefused
	}
	if c := s[i+1]; c != 'u' {
		if escapes[c] == 0 {
			return b, i, errRefused
		}
		return append(b, escapes[c]), i + 2, nil
	}
	r := hex4(s, i)
	if r < 0 {
		return b, i, errRefused
	}
	i += 6
	if utf16.IsSurrogate(r) {
		if pair := utf16.DecodeRune(r, hex4(s, i)); pair != unicode.ReplacementChar {
			return utf8.AppendRune(b, pair), i + 6, nil
		}
		r = unicode.ReplacementChar
	}
	return utf8.AppendRune(b, r), i, nil
}

// hex4 returns the code unit of the escape \uXXXX at s[i], or -1 if there
// is none.
func hex4(s string, i int) rune {
	if len(s)-i < 6 || s[i] != '\\' || s[i+1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range []byte(s[i+2 : i+6]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
