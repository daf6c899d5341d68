// Package plainvalue compares values of types whose value is all their
// content, byte for byte: the store's Session.marshal keeps Data as it
// last encoded it, with its JSON, and hands back that JSON while Data's
// bytes stay the same, so that the middleware's check for changes made
// after the response started does not encode Data a second time.
package plainvalue

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"time"
	"unsafe"
)

// Layout lists the byte ranges of a value that hold all of its
// content, adjacent ranges merged; padding is left out.
type Layout []byteRange

// byteRange is one range of a Layout: n bytes from offset off.
type byteRange struct{ off, n uintptr }

// LayoutOf returns t's Layout, or nil when a value of t can
// change while its own bytes stay the same, or may encode differently with
// the same bytes: t holds (at any depth) a pointer, slice, map, interface,
// channel, function or unsafe.Pointer, or a type with its own MarshalJSON
// or MarshalText method. time.Time is plain: its location pointer is never
// written through once the Time exists. A string is plain too: strings are
// immutable, so the same pointer and length mean the same bytes.
func LayoutOf(t reflect.Type) Layout {
	l, ok := appendPlain(Layout{}, t, 0)
	if !ok {
		return nil
	}
	return l
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// appendPlain appends the ranges of a t at offset off to l; false when t is
// not plain.
func appendPlain(l Layout, t reflect.Type, off uintptr) (Layout, bool) {
	if t == timeType {
		return l.add(off, t.Size()), true
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(jsonMarshalerType) || pt.Implements(textMarshalerType) {
		return nil, false // value-receiver methods are in the pointer's method set too
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return l.add(off, t.Size()), true
	case reflect.Array:
		if t.Len() == 0 {
			return l, true
		}
		elem, ok := appendPlain(Layout{}, t.Elem(), 0)
		if !ok {
			return nil, false
		}
		if len(elem) == 1 && elem[0].n == t.Elem().Size() { // no padding: one range
			return l.add(off, t.Size()), true
		}
		for i := range uintptr(t.Len()) {
			for _, r := range elem {
				l = l.add(off+i*t.Elem().Size()+r.off, r.n)
			}
		}
		return l, true
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			var ok bool
			if l, ok = appendPlain(l, f.Type, off+f.Offset); !ok {
				return nil, false
			}
		}
		return l, true
	}
	return nil, false
}

// add appends the range of n bytes at off, merged with the last one when
// they touch.
func (l Layout) add(off, n uintptr) Layout {
	if n == 0 {
		return l
	}
	if k := len(l) - 1; k >= 0 && l[k].off+l[k].n == off {
		l[k].n += n
		return l
	}
	return append(l, byteRange{off, n})
}

// Equal reports whether the values at a and b, of the type l was made
// for, have the same bytes in l's ranges.
func (l Layout) Equal(a, b unsafe.Pointer) bool {
	for _, r := range l {
		if !bytes.Equal(unsafe.Slice((*byte)(unsafe.Add(a, r.off)), r.n), unsafe.Slice((*byte)(unsafe.Add(b, r.off)), r.n)) {
			return false
		}
	}
	return true
}
