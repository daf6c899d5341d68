package structjson

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// Append appends the JSON of v, a value of the Codec's type, to b, as
// jsonx.Marshal writes it, and reports whether it could; on false, b's
// contents are unspecified and the caller asks encoding/json.
func (c *Codec) Append(b []byte, v reflect.Value) ([]byte, bool) {
	b = append(b, '{')
	first := true
	for i := range c.fields {
		f := &c.fields[i]
		fv := v.Field(f.index)
		if f.omitEmpty && empty(f.kind, fv) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.key...)
		var ok bool
		if b, ok = appendValue(b, f, fv); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// Size is about how many bytes Append writes for v, to size its buffer.
func (c *Codec) Size(v reflect.Value) int {
	n := 2
	for i := range c.fields {
		f := &c.fields[i]
		n += len(f.key) + 1
		switch fv := v.Field(f.index); f.kind {
		case reflect.String:
			n += fv.Len() + 2
		case reflect.Slice:
			for i := range fv.Len() {
				n += fv.Index(i).Len() + 3
			}
			n += 4
		default:
			n += 20
		}
	}
	return n
}

// empty reports whether encoding/json's omitempty leaves fv out.
func empty(k reflect.Kind, fv reflect.Value) bool {
	switch k {
	case reflect.Bool:
		return !fv.Bool()
	case reflect.String, reflect.Slice:
		return fv.Len() == 0
	case reflect.Float32, reflect.Float64:
		return fv.Float() == 0 // -0 too, as encoding/json
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fv.Uint() == 0
	}
	return fv.Int() == 0
}

// appendValue appends the JSON of fv, the value of field f.
func appendValue(b []byte, f *field, fv reflect.Value) ([]byte, bool) {
	switch f.kind {
	case reflect.Bool:
		return strconv.AppendBool(b, fv.Bool()), true
	case reflect.String:
		return appendString(b, fv.String())
	case reflect.Slice:
		return appendStrings(b, fv)
	case reflect.Float32, reflect.Float64:
		return appendFloat(b, fv.Float(), f.bits)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(b, fv.Uint(), 10), true
	}
	return strconv.AppendInt(b, fv.Int(), 10), true
}

// appendStrings appends fv, a slice of strings: null when nil.
func appendStrings(b []byte, fv reflect.Value) ([]byte, bool) {
	if fv.IsNil() {
		return append(b, "null"...), true
	}
	b = append(b, '[')
	for i := range fv.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendString(b, fv.Index(i).String()); !ok {
			return b, false
		}
	}
	return append(b, ']'), true
}

// appendFloat appends f as encoding/json does (ES6 number to string: %f,
// or %e outside [1e-6, 1e21) with the exponent unpadded); false for NaN
// and infinities, which encoding/json refuses.
func appendFloat(b []byte, f float64, bits int) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-07 becomes e-7
		b = b[:n-1]
	}
	return b, true
}

// appendString appends s quoted, when encoding/json writes it as
// jsonx.AppendQuoted does: false when s is not valid UTF-8 or holds U+2028
// or U+2029, which encoding/json replaces or escapes.
func appendString(b []byte, s string) ([]byte, bool) {
	if !utf8.ValidString(s) || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029") {
		return b, false
	}
	return jsonx.AppendQuoted(b, s), true
}
