package migrate

// Where encoding/gob skips a value: checkGob follows the Go types a gob
// stream decodes into, so that it refuses a nil interface value only where
// gob's ignoreInterface would misread it (decode.go), and accepts the nil
// elements gob itself writes elsewhere (map[string]interface{}{"k": nil}
// inside a registered struct).

import (
	"errors"
	"go/token"
	"reflect"
	"strconv"
)

// gobMaxProbes is how many distinct registered types checkGob looks up per
// payload (each lookup decodes the stream's type definitions again): this
// package's choice, beyond the registered types a session holds. Past it,
// a struct's type counts as unknown, and a nil inside it is refused.
const gobMaxProbes = 16

// gobWhere is what encoding/gob does with a value: decode it into local,
// or skip it (ignored): a struct field that the Go type lacks, and all
// that such a field holds. A nil local that is not ignored is a type
// checkGob does not know; a struct in it counts as ignored.
type gobWhere struct {
	local   reflect.Type
	ignored bool
}

// gobDeref strips pointers, as gob does (it allocates through them).
func gobDeref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// field is where the struct field called name goes: encoding/gob's
// compileDec decodes a wire field into the local field of the same name
// (reflect's FieldByName) and skips it if there is none.
func (w gobWhere) field(name string) gobWhere {
	t := gobDeref(w.local)
	if w.ignored || t == nil || t.Kind() != reflect.Struct {
		return gobWhere{ignored: true}
	}
	f, ok := t.FieldByName(name)
	if !ok || !token.IsExported(name) {
		return gobWhere{ignored: true}
	}
	return gobWhere{local: f.Type}
}

// elem is where an element of a slice, an array or a map goes.
func (w gobWhere) elem() gobWhere {
	if t := gobDeref(w.local); !w.ignored && t != nil {
		switch t.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			return gobWhere{local: t.Elem()}
		}
	}
	return gobWhere{ignored: w.ignored}
}

// key is where a map's key goes.
func (w gobWhere) key() gobWhere {
	if t := gobDeref(w.local); !w.ignored && t != nil && t.Kind() == reflect.Map {
		return gobWhere{local: t.Key()}
	}
	return gobWhere{ignored: w.ignored}
}

// localType returns the Go type that encoding/gob decodes an interface
// value of registered name and wire type id into, if that type holds a
// struct (the only place gob skips fields); else nil. It fails with
// errGobRefusesValue if gob refuses such a value before reading it (the
// name is not registered, or the types do not match).
func (s *gobScan) localType(name []byte, id int32) (reflect.Type, error) {
	if !s.holdsStruct(id, map[int32]bool{}) {
		return nil, nil
	}
	key := strconv.Itoa(int(id)) + " " + string(name)
	if t, ok := s.locals[key]; ok {
		return t, nil
	}
	if s.locals == nil {
		s.locals = map[string]reflect.Type{}
	}
	if len(s.locals) >= gobMaxProbes {
		return nil, nil
	}
	t := s.probe(name, id)
	if t == nil {
		return nil, errGobRefusesValue
	}
	s.locals[key] = t
	return t, nil
}

// errGobRefusesValue reports an interface value that encoding/gob refuses
// before it reads the value: the decoder's own error says why.
var errGobRefusesValue = errors.New("encoding/gob refuses an interface value before reading it")

// holdsStruct reports whether a value of type id can hold a struct, not
// counting what interface values in it hold.
func (s *gobScan) holdsStruct(id int32, seen map[int32]bool) bool {
	t := s.types[id]
	if t == nil || seen[id] {
		return false
	}
	seen[id] = true
	switch t.kind {
	case gobStructT:
		return true
	case gobArrayT, gobSliceT:
		return s.holdsStruct(t.elem, seen)
	case gobMapT:
		return s.holdsStruct(t.key, seen) || s.holdsStruct(t.elem, seen)
	}
	return false
}

// probe finds the Go type registered under name the only way encoding/gob
// tells it: it decodes the stream's type definitions so far and a map
// holding one empty value of wire type id under that name (an empty
// struct, slice or map: no length to trust). nil if gob refuses it, as it
// then refuses the value itself, at the same point, before reading it.
func (s *gobScan) probe(name []byte, id int32) reflect.Type {
	var empty []byte
	switch s.types[id].kind {
	case gobStructT:
		empty = []byte{0x00} // no fields
	case gobSliceT, gobMapT:
		empty = []byte{0x00, 0x00} // not a struct: a zero delta; no elements
	default:
		return nil // an array: its length in elements, each of which may hold a struct
	}
	var b []byte
	for _, d := range s.defs {
		b = gobAppendMsg(b, d)
	}
	v := gobAppendInt(nil, int64(s.top))
	v = append(v, 0x00, 0x01, 0x00) // a map, not a struct: a zero delta; one entry; its key nil
	v = append(gobAppendUint(v, uint64(len(name))), name...)
	v = gobAppendInt(v, int64(id))
	v = append(gobAppendUint(v, uint64(len(empty))), empty...)
	values, err := decodeGob(gobAppendMsg(b, v))
	if err != nil {
		return nil
	}
	return reflect.TypeOf(values[nil])
}

// gobAppendUint appends u as a gob unsigned integer (encode.go).
func gobAppendUint(b []byte, u uint64) []byte {
	if u < 0x80 {
		return append(b, byte(u))
	}
	n := 0
	for x := u; x > 0; x >>= 8 {
		n++
	}
	b = append(b, byte(-n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(u>>(8*i)))
	}
	return b
}

// gobAppendInt appends i as a gob signed integer.
func gobAppendInt(b []byte, i int64) []byte {
	if i < 0 {
		return gobAppendUint(b, uint64(^i<<1)|1)
	}
	return gobAppendUint(b, uint64(i<<1))
}

// gobAppendMsg appends payload as one gob message: its length, then it.
func gobAppendMsg(b, payload []byte) []byte {
	return append(gobAppendUint(b, uint64(len(payload))), payload...)
}
