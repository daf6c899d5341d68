package plainvalue

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
	"unsafe"
)

// stamp has its own MarshalJSON: its JSON is not a function of its bytes
// as far as the store can know.
type stamp int

func (s stamp) MarshalJSON() ([]byte, error) { return json.Marshal(int(s)) }

// TestLayoutOf checks which data types get the value copy and
// compare: only those a change cannot reach without changing their bytes.
func TestLayoutOf(t *testing.T) {
	cases := []struct {
		t     reflect.Type
		plain bool
	}{
		{reflect.TypeFor[struct{ N int }](), true},
		{reflect.TypeFor[struct {
			A int8
			B int64
			S string
			F float64
			T time.Time
			R [3]uint16
		}](), true},
		{reflect.TypeFor[[4]struct {
			A bool
			B int32
		}](), true},
		{reflect.TypeFor[struct{}](), true},
		{reflect.TypeFor[struct{ Items []string }](), false},
		{reflect.TypeFor[struct{ M map[string]int }](), false},
		{reflect.TypeFor[struct{ P *int }](), false},
		{reflect.TypeFor[struct{ V any }](), false},
		{reflect.TypeFor[[2]*int](), false},
		{reflect.TypeFor[map[string]any](), false},
		{reflect.TypeFor[struct{ S stamp }](), false},
		{reflect.TypeFor[struct{ time.Time }](), false}, // MarshalJSON promoted
		{reflect.TypeFor[struct{ C chan int }](), false},
		{reflect.TypeFor[struct{ F func() }](), false},
	}
	for _, c := range cases {
		if got := LayoutOf(c.t) != nil; got != c.plain {
			t.Errorf("%v: plain %v, want %v", c.t, got, c.plain)
		}
	}
	l := LayoutOf(reflect.TypeFor[struct {
		A int8
		B int64
	}]())
	if len(l) != 2 || l[0] != (byteRange{0, 1}) || l[1] != (byteRange{8, 8}) {
		t.Errorf("padded struct: layout %v, want [{0 1} {8 8}]", l)
	}
}

// TestEqual checks that Equal compares the content bytes and ignores the
// padding: values differing only in padding are equal, values differing
// in any field are not.
func TestEqual(t *testing.T) {
	type padded struct {
		A int8
		B int64
		S string
	}
	l := LayoutOf(reflect.TypeFor[padded]())
	a, b := padded{1, 2, "x"}, padded{1, 2, "x"}
	(*[8]byte)(unsafe.Pointer(&b))[3] = 0xff // in the padding after A
	if !l.Equal(unsafe.Pointer(&a), unsafe.Pointer(&b)) {
		t.Fatal("values differing only in padding compare unequal")
	}
	for _, c := range []padded{{2, 2, "x"}, {1, 3, "x"}, {1, 2, "y"}} {
		if l.Equal(unsafe.Pointer(&a), unsafe.Pointer(&c)) {
			t.Errorf("%+v equal to %+v", c, a)
		}
	}
}
