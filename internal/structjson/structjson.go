// Package structjson encodes and decodes the session data of a flat
// struct of basic fields (bool, integers, floats, strings) without
// encoding/json's reflection walk, byte for byte as encoding/json does
// with the store's conventions (jsonx.Marshal: no HTML escapes).
//
// It does only what it is sure of. A type it cannot handle exactly gets no
// Codec (For returns nil); a value or an input it cannot handle exactly
// makes Append or Decode return false, and the caller asks encoding/json,
// which then gives its own result or error. So the package changes how
// fast the common case is, never what any case gives: the tests compare it
// with encoding/json on every input the fuzzer finds.
//
// The sure cases:
//
//   - Types: a struct (not through a pointer) whose exported fields are
//     not embedded, have a kind of bool, int, int8…int64, uint,
//     uint8…uint64, float32, float64 or string, or are slices of strings,
//     and a JSON name of ASCII
//     letters, digits, '_' or '-', each name once; tags with no option but
//     omitempty; no field type, nor the struct, with a MarshalJSON,
//     UnmarshalJSON, MarshalText or UnmarshalText method. Unexported
//     fields are skipped, as encoding/json skips them.
//   - Encoding: every value but a NaN or infinite float, and a string
//     that is not valid UTF-8 or holds U+2028 or U+2029 (which
//     encoding/json changes or escapes; the store refuses the first).
//   - Decoding: an object with no white space, whose keys are exactly
//     field names (no escapes), and whose values are of the field's kind:
//     true or false, an integer that fits (no fraction or exponent), a
//     number, a string with no escape and no control character that is
//     valid UTF-8, an array of such strings or null for a slice. A
//     repeated key is set again, as encoding/json does. null for any other
//     kind, white space, an unknown or differently cased key, anything
//     else: false.
package structjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
)

// Codec encodes and decodes the values of one struct type.
type Codec struct {
	fields []field
}

// field is one encoded field of the struct.
type field struct {
	name      string // its JSON key
	key       string // `"name":`, as written before its value
	index     int    // reflect.Value.Field's index
	kind      reflect.Kind
	bits      int // the size of an integer or float, in bits
	omitEmpty bool
}

var (
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// For returns the Codec of t, or nil when t is not a type the package
// handles exactly (see the package comment).
func For(t reflect.Type) *Codec {
	if t.Kind() != reflect.Struct || hasMethods(t) {
		return nil
	}
	c := &Codec{}
	seen := map[string]bool{}
	for i := range t.NumField() {
		f, ok, skip := fieldOf(t.Field(i))
		switch {
		case !ok:
			return nil
		case skip:
			continue
		case seen[f.name]:
			return nil // encoding/json's dominance rules decide: leave them to it
		}
		seen[f.name] = true
		f.index = i
		c.fields = append(c.fields, f)
	}
	return c
}

// fieldOf returns sf's field; ok is false when the package cannot handle
// it, skip is true when encoding/json ignores it.
func fieldOf(sf reflect.StructField) (f field, ok, skip bool) {
	if sf.Anonymous {
		return f, false, false
	}
	if !sf.IsExported() {
		return f, true, true
	}
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return f, true, true
	}
	name, opts, _ := strings.Cut(tag, ",")
	switch opts {
	case "":
	case "omitempty":
		f.omitEmpty = true
	default:
		return f, false, false
	}
	if name == "" {
		name = sf.Name
	}
	if !plainName(name) || hasMethods(sf.Type) {
		return f, false, false
	}
	f.name, f.key, f.kind = name, `"`+name+`":`, sf.Type.Kind()
	switch f.kind {
	case reflect.Bool, reflect.String:
	case reflect.Slice:
		if e := sf.Type.Elem(); e.Kind() != reflect.String || hasMethods(e) {
			return f, false, false
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		f.bits = sf.Type.Bits()
	default:
		return f, false, false
	}
	return f, true, false
}

// plainName reports whether name is a JSON key that encoding/json writes
// as it is and accepts as a tag: ASCII letters, digits, '_' and '-'.
func plainName(name string) bool {
	if name == "" {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// hasMethods reports whether t or *t has one of the methods through which
// a type encodes or decodes itself.
func hasMethods(t reflect.Type) bool {
	pt := reflect.PointerTo(t) // its method set holds t's too
	return pt.Implements(jsonMarshaler) || pt.Implements(jsonUnmarshaler) ||
		pt.Implements(textMarshaler) || pt.Implements(textUnmarshaler)
}
