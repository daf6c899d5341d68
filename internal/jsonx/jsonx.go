// Package jsonx holds the library's encoding/json conventions, shared by
// the store and the legacy formats of package migrate: JSON without HTML
// escapes, error descriptions that never quote session data, and the exact
// reading of JSON number text (number.go).
package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Marshal is json.Marshal without the HTML escapes, as a json.Encoder
// with SetEscapeHTML(false) writes it: a cookie is not HTML, and "\u0026"
// for '&' (or '<', '>') takes six bytes of the budget instead of one. It
// also undoes those escapes in JSON it is given (a json.RawMessage, a
// MarshalJSON method's output). It encodes every session JSON the library
// writes.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || !bytes.Contains(b, htmlEscaped) {
		return b, err
	}
	return unescapeHTML(b), nil
}

// unescapeHTML turns, in place, the escapes that json.Marshal writes for
// '<', '>' and '&' back into those bytes. In valid JSON a backslash only
// starts an escape inside a string: each escape is kept whole, or
// replaced.
func unescapeHTML(b []byte) []byte {
	out := b[:0]
	for i := 0; i < len(b); {
		if b[i] != '\\' {
			out = append(out, b[i])
			i++
			continue
		}
		if b[i+1] == 'u' && b[i+2] == '0' && b[i+3] == '0' {
			var c byte
			switch hi, lo := b[i+4], b[i+5]|0x20; {
			case hi == '3' && lo == 'c':
				c = '<'
			case hi == '3' && lo == 'e':
				c = '>'
			case hi == '2' && lo == '6':
				c = '&'
			}
			if c != 0 {
				out = append(out, c)
				i += 6
				continue
			}
		}
		out = append(out, b[i], b[i+1]) // the rest of \uXXXX follows as is
		i += 2
	}
	return out
}

// MayHaveHTMLEscapes reports whether b may hold the escapes of '<', '>'
// and '&' that versions before Marshal sealed: it holds "\u00", which
// also starts the escapes of control characters that Marshal still writes.
func MayHaveHTMLEscapes(b []byte) bool { return bytes.Contains(b, htmlEscaped) }

// htmlEscaped starts the escapes of '<', '>' and '&' that versions before
// Marshal sealed (and of control characters, which it still writes).
var htmlEscaped = []byte(`\u00`)

// Problem describes an encoding/json error without the session data it
// may quote: its messages can carry a value ("number 1.5", a character of
// the input, a map key in a path, a MarshalJSON method's own error text),
// and they differ between the v1 and v2 engines. Only types, kinds and
// offsets are kept.
func Problem(err error) string {
	var (
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
		unsupType *json.UnsupportedTypeError
		unsupVal  *json.UnsupportedValueError
		marshaler *json.MarshalerError
	)
	switch {
	case errors.As(err, &typeErr):
		kind, _, _ := strings.Cut(typeErr.Value, " ") // "number 1.5" -> "number"
		if typeErr.Type == nil {
			return fmt.Sprintf("a JSON %s where the data type does not take one (byte %d)", kind, typeErr.Offset)
		}
		return fmt.Sprintf("a JSON %s where the data type has %v (byte %d)", kind, typeErr.Type, typeErr.Offset)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("invalid JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &unsupType):
		return fmt.Sprintf("type %v cannot be encoded as JSON", unsupType.Type)
	case errors.As(err, &unsupVal):
		return "a value JSON cannot represent (NaN, an infinity, or a cycle)"
	case errors.As(err, &marshaler):
		return fmt.Sprintf("the %s method of %v failed", marshaler.Type, marshaler.Type)
	}
	return "the JSON does not fit the data type"
}
