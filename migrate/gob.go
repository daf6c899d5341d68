package migrate

// checkGob walks a gob stream before encoding/gob decodes it, so that no
// length a stream declares can exceed the bytes that follow it: encoding/gob
// allocates for a declared map, slice or string length before reading the
// elements (docs/THREAT-MODEL.md, "Size-based denial of service").

import (
	"errors"
	"fmt"
	"math"
	"reflect"
)

// Bounds of checkGob, the pre-scan of a gob payload.
const (
	// gobFirstUserID is encoding/gob's firstUserId (type.go): ids below it
	// name the package's own types, and a stream cannot define them.
	gobFirstUserID = 64
	// gobMaxNameLen is encoding/gob's limit on the type name that starts an
	// interface value (decodeInterface in decode.go).
	gobMaxNameLen = 1024
	// gobMaxUintBytes is the most bytes after the length byte of a gob
	// unsigned integer: a uint64 (decodeUint in decode.go).
	gobMaxUintBytes = 8
	// gobMaxDepth is how deeply values may nest: this package's choice, far
	// beyond what a session holds, so that a hostile cookie cannot make the
	// decoder recurse thousands of levels.
	gobMaxDepth = 64
	// gobTooBig is encoding/gob's tooBig on 32-bit platforms, the smaller
	// of its two limits on a message's length (decoder.go).
	gobTooBig = 1 << 30
)

// The type ids encoding/gob predefines (type.go) that a value may have.
const (
	gobBool      = 1
	gobInt       = 2
	gobUint      = 3
	gobFloat     = 4
	gobBytes     = 5
	gobString    = 6
	gobComplex   = 7
	gobInterface = 8
)

// gobKind is the kind of a type a gob stream defines: the field of
// encoding/gob's wireType that its definition sets.
type gobKind int

// The fields of wireType, in order (type.go).
const (
	gobArrayT gobKind = iota
	gobSliceT
	gobStructT
	gobMapT
	gobGobEncoderT
	gobBinaryMarshalerT
	gobTextMarshalerT
	gobKinds
)

// gobType is a type defined in a gob stream, as far as checkGob needs it.
type gobType struct {
	kind      gobKind
	elem, key int32    // array, slice, map
	length    int64    // array
	fields    []int32  // struct: the type of each field
	names     []string // struct: the name of each field
}

// errGobSkippedNil reports a nil interface value where encoding/gob skips
// the value, which its ignoreInterface misreads.
var errGobSkippedNil = errors.New("a nil interface value in a struct field that this program's registered type lacks (or of a type gob refuses), which encoding/gob skips and misreads")

// gobScan walks a gob stream the way encoding/gob's Decoder consumes it,
// without building any value.
type gobScan struct {
	b        []byte
	off, end int // read position; end of the current message
	types    map[int32]*gobType
	top      int32    // the type of the stream's value
	defs     [][]byte // each type definition as the stream holds it
	locals   map[string]reflect.Type
	// marshalers names the types the stream defines as a GobEncoder,
	// BinaryMarshaler or TextMarshaler (by their wire name, if any, and
	// the registered name of an interface value of one): the types whose
	// own methods decode their values (see gobDecodeProblem).
	marshalers []string
}

// checkGob reports whether raw is one well-formed gob value whose every
// declared length (of a message, map, slice, array, string or field list)
// is backed by the bytes that follow it. encoding/gob allocates for a
// declared length before reading what it counts: a map of 64M entries
// declared in a few bytes exhausts memory. Once raw passes, what the
// decoder allocates is bounded by raw's length (a few times it), whatever
// the values. The error describes the structure only, never its content.
func checkGob(raw []byte) error {
	_, err := scanGob(raw)
	return err
}

// scanGob is checkGob; it also returns the scan, for the names of the
// types it defines.
func scanGob(raw []byte) (*gobScan, error) {
	s := &gobScan{b: raw, types: map[int32]*gobType{}}
	id, err := s.typeSequence(false)
	if err != nil {
		return s, err
	}
	s.top = id
	return s, s.value(id, 0, gobWhere{local: reflect.TypeFor[map[interface{}]interface{}]()})
}

// uint reads an unsigned integer from the current message.
func (s *gobScan) uint() (uint64, error) {
	if s.off >= s.end {
		return 0, errors.New("a value runs past the end of its message")
	}
	c := s.b[s.off]
	s.off++
	if c < 0x80 {
		return uint64(c), nil
	}
	n := -int(int8(c))
	if n > gobMaxUintBytes || n > s.end-s.off {
		return 0, errors.New("an integer is malformed")
	}
	var x uint64
	for _, c := range s.b[s.off : s.off+n] {
		x = x<<8 | uint64(c)
	}
	s.off += n
	return x, nil
}

// int reads a signed integer: encoding/gob's zig-zag form of a uint.
func (s *gobScan) int() (int64, error) {
	u, err := s.uint()
	if u&1 != 0 {
		return ^int64(u >> 1), err
	}
	return int64(u >> 1), err
}

// typeID reads a type id, an int32 in a signed integer.
func (s *gobScan) typeID() (int32, error) {
	i, err := s.int()
	if err == nil && (i < math.MinInt32 || i > math.MaxInt32) {
		err = errors.New("a type id is out of range")
	}
	return int32(i), err
}

// count reads the number of elements of a map, slice or array. Each
// element takes at least one byte, so a count above what is left of the
// stream cannot be genuine.
func (s *gobScan) count(what string) (int, error) {
	u, err := s.uint()
	if err != nil {
		return 0, err
	}
	if u > uint64(len(s.b)-s.off) {
		return 0, fmt.Errorf("a %s declares %d elements with %d bytes left", what, u, len(s.b)-s.off)
	}
	return int(u), nil
}

// skipBytes reads a length and skips that many bytes of the message: a
// string, a []byte, a GobEncoder's data.
func (s *gobScan) skipBytes(what string) error {
	_, err := s.bytes(what)
	return err
}

// bytes reads a length and returns that many bytes of the message.
func (s *gobScan) bytes(what string) ([]byte, error) {
	u, err := s.uint()
	if err != nil {
		return nil, err
	}
	if u > uint64(s.end-s.off) {
		return nil, fmt.Errorf("a %s declares %d bytes with %d left in its message", what, u, s.end-s.off)
	}
	s.off += int(u)
	return s.b[s.off-int(u) : s.off], nil
}

// message starts the next message, whose length comes first.
func (s *gobScan) message() error {
	s.end = len(s.b)
	n, err := s.uint()
	if err != nil {
		return errors.New("the stream ends before its value")
	}
	if n == 0 || n >= gobTooBig || n > uint64(len(s.b)-s.off) {
		return fmt.Errorf("a message declares %d bytes with %d left", n, len(s.b)-s.off)
	}
	s.end = s.off + int(n)
	return nil
}

// typeSequence reads type definitions up to the id of the value that
// follows them, as encoding/gob's decodeTypeSequence does: at the top level
// each definition is a message of its own; inside an interface value one
// may also end with the length of what follows, or the message may end and
// the value continue in the next one.
func (s *gobScan) typeSequence(inInterface bool) (int32, error) {
	for {
		if s.off == s.end {
			if err := s.message(); err != nil {
				return 0, err
			}
		}
		start := s.off
		id, err := s.typeID()
		if err != nil || id >= 0 {
			return id, err
		}
		if err := s.define(-id); err != nil {
			return 0, err
		}
		s.defs = append(s.defs, s.b[start:s.off])
		if s.off < s.end {
			if !inInterface {
				return 0, errors.New("a type definition is followed by extra data")
			}
			if _, err := s.uint(); err != nil {
				return 0, err
			}
		}
	}
}

// fields walks a struct's encoding: field numbers as deltas from the last,
// each followed by the field's value (read by field), up to a zero delta
// or the end of the message, as encoding/gob's decodeStruct does.
func (s *gobScan) fields(n int, field func(i int) error) error {
	i := -1
	for s.off < s.end {
		d, err := s.uint()
		if err != nil {
			return err
		}
		if d == 0 {
			return nil
		}
		if d > uint64(n-1-i) {
			return fmt.Errorf("a struct sets field %d of %d", uint64(i+1)+d-1, n)
		}
		i += int(d)
		if err := field(i); err != nil {
			return err
		}
	}
	return nil
}

// define reads the definition of type id: a wireType (type.go), a struct
// with one field set among ArrayT, SliceT, StructT, MapT and the three
// kinds of marshalers.
func (s *gobScan) define(id int32) error {
	if id < gobFirstUserID || s.types[id] != nil {
		return fmt.Errorf("type %d is defined twice, or is one of gob's own", id)
	}
	var t *gobType
	err := s.fields(int(gobKinds), func(i int) error {
		if t != nil {
			return errors.New("a type definition sets two kinds")
		}
		t = &gobType{kind: gobKind(i)}
		return s.defineKind(t)
	})
	if err != nil {
		return err
	}
	if t == nil {
		return errors.New("a type definition sets no kind")
	}
	s.types[id] = t
	return nil
}

// defineKind reads the struct that defines t: arrayType {CommonType; Elem;
// Len}, sliceType {CommonType; Elem}, structType {CommonType; Field
// []fieldType}, mapType {CommonType; Key; Elem} or gobEncoderType
// {CommonType}, where CommonType is {Name string; Id typeId}.
func (s *gobScan) defineKind(t *gobType) error {
	n := map[gobKind]int{gobArrayT: 3, gobSliceT: 2, gobStructT: 2, gobMapT: 3}[t.kind]
	if n == 0 {
		n = 1
	}
	return s.fields(n, func(i int) error {
		var err error
		switch {
		case i == 0:
			err = s.fields(2, func(i int) error {
				if i == 0 {
					name, err := s.bytes("type name")
					if err == nil && t.kind >= gobGobEncoderT {
						s.marshalers = append(s.marshalers, string(name))
					}
					return err
				}
				_, err := s.typeID()
				return err
			})
		case t.kind == gobStructT:
			err = s.defineFields(t)
		case t.kind == gobMapT && i == 1:
			t.key, err = s.typeID()
		case t.kind == gobArrayT && i == 2:
			t.length, err = s.int()
			if err == nil && t.length < 0 {
				err = errors.New("an array type has a negative length")
			}
		default:
			t.elem, err = s.typeID()
		}
		return err
	})
}

// defineFields reads a structType's []fieldType, {Name string; Id typeId}
// each.
func (s *gobScan) defineFields(t *gobType) error {
	n, err := s.count("struct type")
	if err != nil {
		return err
	}
	t.fields, t.names = make([]int32, n), make([]string, n)
	for k := range t.fields {
		err := s.fields(2, func(i int) error {
			if i == 0 {
				name, err := s.bytes("field name")
				t.names[k] = string(name)
				return err
			}
			var err error
			t.fields[k], err = s.typeID()
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// value reads a value of type id where encoding/gob's decodeValue reads
// one (at the top level and in an interface): a struct as such, anything
// else as a struct's only field, behind a zero delta.
func (s *gobScan) value(id int32, depth int, w gobWhere) error {
	if t := s.types[id]; t != nil && t.kind == gobStructT {
		return s.elem(id, depth, w)
	}
	d, err := s.uint()
	if err != nil {
		return err
	}
	if d != 0 {
		return errors.New("a value does not start with a zero field delta")
	}
	return s.elem(id, depth, w)
}

// elem reads a value of type id in place: a field, an element, a key;
// w says what encoding/gob does with it.
func (s *gobScan) elem(id int32, depth int, w gobWhere) error {
	if depth > gobMaxDepth {
		return fmt.Errorf("values nest more than %d levels deep", gobMaxDepth)
	}
	switch id {
	case gobBool, gobInt, gobUint, gobFloat:
		_, err := s.uint()
		return err
	case gobComplex:
		if _, err := s.uint(); err != nil {
			return err
		}
		_, err := s.uint()
		return err
	case gobBytes, gobString:
		return s.skipBytes("string")
	case gobInterface:
		return s.iface(depth, w)
	}
	t := s.types[id]
	if t == nil {
		return fmt.Errorf("a value has type %d, which the stream does not define", id)
	}
	return s.compound(t, depth, w)
}

// compound reads a value of a type the stream defines.
func (s *gobScan) compound(t *gobType, depth int, w gobWhere) error {
	switch t.kind {
	case gobStructT:
		return s.fields(len(t.fields), func(i int) error { return s.elem(t.fields[i], depth+1, w.field(t.names[i])) })
	case gobArrayT, gobSliceT:
		n, err := s.count("slice")
		if err != nil {
			return err
		}
		if t.kind == gobArrayT && int64(n) != t.length {
			return fmt.Errorf("an array of type length %d holds %d elements", t.length, n)
		}
		for range n {
			if err := s.elem(t.elem, depth+1, w.elem()); err != nil {
				return err
			}
		}
		return nil
	case gobMapT:
		n, err := s.count("map")
		if err != nil {
			return err
		}
		for range n {
			if err := s.elem(t.key, depth+1, w.key()); err != nil {
				return err
			}
			if err := s.elem(t.elem, depth+1, w.elem()); err != nil {
				return err
			}
		}
		return nil
	}
	return s.skipBytes("marshaled value")
}

// iface reads an interface value as encoding/gob does: the registered name
// of its concrete type (empty for nil), type definitions, the concrete
// type's id, the value's byte count, and the value. Where gob decodes it
// (decodeInterface), a nil is what gob writes for a nil element of a slice
// or map, and the value is read as such. Where gob skips it (w.ignored,
// ignoreInterface), the value is dropped by its byte count, unread; and a
// nil is refused, since ignoreInterface reads a type sequence and a byte
// count after the empty name too.
func (s *gobScan) iface(depth int, w gobWhere) error {
	n, err := s.uint()
	if err != nil {
		return err
	}
	if n > gobMaxNameLen || n > uint64(s.end-s.off) {
		return fmt.Errorf("an interface value's type name declares %d bytes", n)
	}
	if n == 0 {
		if w.ignored {
			return errGobSkippedNil
		}
		return nil
	}
	name := s.b[s.off : s.off+int(n)]
	s.off += int(n)
	id, err := s.typeSequence(true)
	if err != nil {
		return err
	}
	if t := s.types[id]; t != nil && t.kind >= gobGobEncoderT {
		s.marshalers = append(s.marshalers, string(name))
	}
	c, err := s.uint()
	if err != nil {
		return err
	}
	if c > uint64(s.end-s.off) {
		return errors.New("an interface value's byte count exceeds its message")
	}
	if w.ignored { // gob drops the value by its count, unread
		s.off += int(c)
		return nil
	}
	// gob reads the value, not its count: a genuine count need not match
	// what the value takes (gorilla's []interface{} holding a registered
	// struct does not).
	local, err := s.localType(name, id)
	if err != nil {
		return err
	}
	return s.value(id, depth+1, gobWhere{local: local})
}
