package jsonx

// Strings that are not UTF-8. JSON strings are Unicode text (RFC 8259 §8.1),
// and encoding/json writes each invalid byte of a Go string as U+FFFD (the
// escape \ufffd up to Go 1.26, the character itself from Go 1.27 on)
// without an error, so binary data kept in a string would come back
// changed: HasReplacement says whether JSON may hold such a replacement,
// and FindInvalidUTF8 finds the string it came from.

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxCheckDepth bounds the search for an invalid string: in levels of
// nesting of structs, maps, slices and arrays, and apart from those in
// pointers and interfaces on the way. encoding/json's decoder refuses
// JSON nested deeper than 10000, so deeper data could not be read back
// anyway.
const MaxCheckDepth = 10000

var (
	replacementChar    = []byte("\uFFFD")
	replacementEscaped = []byte(`\ufffd`)
	jsonMarshalerType  = reflect.TypeFor[json.Marshaler]()
	textMarshalerType  = reflect.TypeFor[encoding.TextMarshaler]()
)

// HasReplacement reports whether the JSON text b holds U+FFFD, as the
// character or as the escape \ufffd: only then can encoding/json have
// replaced invalid bytes. It costs two scans of b.
func HasReplacement(b []byte) bool {
	return bytes.Contains(b, replacementChar) || hasEscapedReplacement(b)
}

// FindInvalidUTF8 returns where v holds a string that is not valid UTF-8,
// as a path from root (root.Items[2].Name, root["key"]; "a key of
// root.M" for a map key), or "" when it holds none. Its error is
// ErrTooDeep.
func FindInvalidUTF8(v reflect.Value, root string) (string, error) {
	var w utf8Search
	found, err := w.value(v, 0)
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", nil
	case w.badKey:
		return "a key of " + w.path(root), nil
	}
	return w.path(root), nil
}

// hasEscapedReplacement reports whether b holds the escape \ufffd: a
// backslash escaped itself ("\\ufffd", the text \ufffd) does not count.
func hasEscapedReplacement(b []byte) bool {
	for i := 0; ; {
		j := bytes.Index(b[i:], replacementEscaped)
		if j < 0 {
			return false
		}
		j += i
		n := 0 // backslashes before the one at j
		for k := j - 1; k >= 0 && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
		i = j + len(replacementEscaped)
	}
}

// utf8Search looks for a string that is not valid UTF-8 in the values
// encoding/json encodes itself: exported struct fields (and those of
// embedded structs) but those tagged "-", map keys and values, slice and
// array elements, what pointers and interfaces hold. It leaves out []byte
// (json.RawMessage included), and values whose type has a MarshalJSON or
// MarshalText method: their output is their own. On a find, steps is the
// path to it, innermost first.
type utf8Search struct {
	steps  []pathStep
	badKey bool // the find is the key of the map at the path
	hops   int  // pointers and interfaces on the way to the current value
}

// pathStep is one step of a path: a field name, an index, or a map key.
type pathStep struct {
	field string
	index int
	key   *reflect.Value
}

// ErrTooDeep is FindInvalidUTF8's error for data nested more than
// MaxCheckDepth levels deep.
var ErrTooDeep = fmt.Errorf("nested more than %d levels deep for the check for strings that are not valid UTF-8 (which JSON would give back changed): flatten the data", MaxCheckDepth)

// value reports whether v holds a string that is not valid UTF-8.
func (w *utf8Search) value(v reflect.Value, depth int) (bool, error) {
	if depth > MaxCheckDepth || w.hops > MaxCheckDepth {
		return false, ErrTooDeep
	}
	if !v.IsValid() || ownEncoding(v) {
		return false, nil
	}
	switch v.Kind() {
	case reflect.String:
		return !utf8.ValidString(v.String()), nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return false, nil
		}
		w.hops++
		found, err := w.value(v.Elem(), depth)
		w.hops--
		return found, err
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return false, nil // base64
		}
		return w.elements(v, depth+1)
	case reflect.Array:
		return w.elements(v, depth+1)
	case reflect.Map:
		return w.mapEntries(v, depth+1)
	case reflect.Struct:
		return w.fields(v, depth+1)
	}
	return false, nil
}

// ownEncoding reports whether encoding/json encodes v through its
// MarshalJSON or MarshalText method: pointer-receiver methods count when v
// is addressable, as encoding/json calls them then.
func ownEncoding(v reflect.Value) bool {
	t := v.Type()
	if t.Kind() != reflect.Interface && (t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType)) {
		return true
	}
	pt := reflect.PointerTo(t)
	return v.CanAddr() && (pt.Implements(jsonMarshalerType) || pt.Implements(textMarshalerType))
}

// elements searches the elements of the slice or array v.
func (w *utf8Search) elements(v reflect.Value, depth int) (bool, error) {
	for i := range v.Len() {
		if found, err := w.value(v.Index(i), depth); found || err != nil {
			w.steps = append(w.steps, pathStep{index: i})
			return found, err
		}
	}
	return false, nil
}

// mapEntries searches the keys and values of the map v.
func (w *utf8Search) mapEntries(v reflect.Value, depth int) (bool, error) {
	for it := v.MapRange(); it.Next(); {
		k := it.Key()
		if k.Kind() == reflect.String && !utf8.ValidString(k.String()) {
			w.badKey = true
			return true, nil
		}
		if found, err := w.value(it.Value(), depth); found || err != nil {
			w.steps = append(w.steps, pathStep{key: &k})
			return found, err
		}
	}
	return false, nil
}

// fields searches the fields of the struct v that encoding/json encodes.
func (w *utf8Search) fields(v reflect.Value, depth int) (bool, error) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("json") == "-" || !f.IsExported() && !(f.Anonymous && embedsStruct(f.Type)) {
			continue
		}
		if found, err := w.value(v.Field(i), depth); found || err != nil {
			w.steps = append(w.steps, pathStep{field: f.Name})
			return found, err
		}
	}
	return false, nil
}

// embedsStruct reports whether an embedded field of type t is a struct or
// a pointer to one, whose exported fields encoding/json encodes even when
// t is unexported.
func embedsStruct(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct
}

// path writes the path of the find from root: root.Items[2].Name,
// root["key"]. A map key that is a string is quoted; other keys are
// written as numbers, or as ? when their type has its own text form.
func (w *utf8Search) path(root string) string {
	var b strings.Builder
	b.WriteString(root)
	for i := len(w.steps) - 1; i >= 0; i-- {
		switch s := w.steps[i]; {
		case s.field != "":
			b.WriteString("." + s.field)
		case s.key == nil:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		default:
			b.WriteString("[" + keyText(*s.key) + "]")
		}
	}
	return b.String()
}

// keyText writes a map key as a Go literal, or ? when its type has its
// own text form (encoding.TextMarshaler).
func keyText(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return strconv.Quote(k.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	}
	return "?"
}
