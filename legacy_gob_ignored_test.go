package cookiesession

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"
)

// Gob payloads that hide a bomb in an interface value gob skips (a struct
// field the registered Go type lacks): encoding/gob jumps over such a value
// by its byte count, so checkGob must hold the value to exactly that count.

// rvInt encodes i as a gob signed integer.
func rvInt(i int64) []byte {
	var x uint64
	if i < 0 {
		x = uint64(^i<<1) | 1
	} else {
		x = uint64(i << 1)
	}
	return appendGobUint(nil, x)
}

// rvStr appends s as a gob string.
func rvStr(b []byte, s string) []byte { return append(appendGobUint(b, uint64(len(s))), s...) }

// struct type id with the given fields (name, type id).
func rvStructDef(id int64, name string, fields ...any) []byte {
	b := append(rvInt(-id), 0x03, 0x01, 0x01)
	b = rvStr(b, name)
	b = append(b, 0x01)
	b = append(b, rvInt(id)...)
	b = append(b, 0x00, 0x01)
	b = appendGobUint(b, uint64(len(fields)/2))
	for i := 0; i < len(fields); i += 2 {
		b = rvStr(append(b, 0x01), fields[i].(string))
		b = append(append(b, 0x01), rvInt(int64(fields[i+1].(int)))...)
		b = append(b, 0x00)
	}
	b = append(b, 0x00, 0x00)
	return gobMsg(nil, b...)
}

// rvMapDef defines map type id with the given key and element types.
func rvMapDef(id, key, elem int64) []byte {
	b := append(rvInt(-id), 0x04, 0x01, 0x02)
	b = append(b, rvInt(id)...)
	b = append(b, 0x00, 0x01)
	b = append(b, rvInt(key)...)
	b = append(b, 0x01)
	b = append(b, rvInt(elem)...)
	b = append(b, 0x00, 0x00)
	return gobMsg(nil, b...)
}

// rvIface appends the start of an interface value: name, type id, count.
func rvIface(b []byte, name string, id int64, count uint64) []byte {
	b = rvStr(b, name)
	b = append(b, rvInt(id)...)
	return appendGobUint(b, count)
}

const rvKeyName = "github.com/cookiesession/cookiesession.gorillaTestKey"

// hideInIgnoredIface: a struct field Z of type interface{} that
// gorillaTestKey lacks, so gob ignores it by its byte count, while checkGob
// parses it as a string whose body is hidden.
func rvHide(b []byte, hidden []byte) []byte {
	lb := appendGobUint(nil, uint64(len(hidden)))
	b = append(b, 0x02) // delta to field Z
	b = rvIface(b, "string", 6, uint64(1+len(lb)))
	b = append(b, 0x00)
	b = append(b, lb...)
	return append(b, hidden...)
}

func rvLoop() []byte {
	types := append([]byte{}, gobMapDef...)
	types = append(types, rvStructDef(66, "E")...)
	types = append(types, rvMapDef(67, 66, 66)...)
	types = append(types, rvStructDef(68, "gorillaTestKey", "A", 2, "Z", 8, "M", 67)...)
	v := append([]byte{0xff, 0x80, 0x00}, 0x01)
	v = append(rvIface(v, "string", 6, 3), 0x00, 0x01, 'k')
	v = rvIface(v, rvKeyName, 68, 0x7f)
	hidden := append([]byte{0x01}, appendGobUint(nil, 1<<62)...) // field M: a map of 2^62 empty structs
	v = rvHide(v, hidden)
	return gobMsg(types, v...)
}

func rvAlloc() []byte {
	types := append([]byte{}, gobMapDef...)
	types = append(types, gobSliceDef...)
	types = append(types, rvStructDef(66, "gorillaTestKey", "A", 2, "Z", 8)...)
	v := append([]byte{0xff, 0x80, 0x00}, 0x02)
	v = append(rvIface(v, "string", 6, 3), 0x00, 0x01, 'k')
	v = rvIface(v, rvKeyName, 66, 0x7f)
	hidden := []byte{0x00} // gob: end of the struct
	hidden = append(rvIface(hidden, "string", 6, 3), 0x00, 0x01, 'j')
	for len(hidden) < 2000 {
		hidden = append(rvIface(hidden, gobSliceName, 65, 0x7f), 0x00)
		hidden = appendGobUint(hidden, 600_000)
	}
	v = rvHide(v, hidden)
	v = append(v, 0x00)       // checkGob: end of the struct
	v = append(v, 0x00, 0x00) // checkGob: second entry nil: nil
	return gobMsg(types, v...)
}

// TestGobIgnoredInterfaceLoop: a 2^62-entry map of an empty struct hidden
// behind a skipped interface value made gob loop forever. The payloads that
// allocated instead are in gorillaBombs (TestGorillaGobBomb).
func TestGobIgnoredInterfaceLoop(t *testing.T) {
	registerGobBasics()
	for _, raw := range [][]byte{rvLoop(), rvAlloc(), rvNilAlloc()} {
		if err := checkGob(raw); err == nil {
			t.Errorf("checkGob accepted the %d-byte payload", len(raw))
		}
	}
	raw := rvLoop()
	g := GorillaSession{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}}
	s := newStore[Map](t, Options{Name: "sid", Gorilla: &g})
	cookie := sealGorilla(t, "gsess", raw)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", "gsess="+cookie)
	done := make(chan error, 1)
	go func() { done <- s.Get(r).Err() }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrLegacyPayload) {
			t.Fatalf("err %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("%d-byte cookie: Get still running after 3s (goroutine spinning in encoding/gob ignoreMap)", len(cookie))
	}
}

// A nil interface in an ignored field: gob's ignoreInterface reads a type
// sequence and a byte count after the empty name anyway.
func rvNilAlloc() []byte {
	types := append([]byte{}, gobMapDef...)
	types = append(types, gobSliceDef...)
	types = append(types, rvStructDef(66, "gorillaTestKey", "A", 2, "Z", 8, "X", 2, "Y", 2, "S", 6)...)
	v := append([]byte{0xff, 0x80, 0x00}, 0x02)
	v = append(rvIface(v, "string", 6, 3), 0x00, 0x01, 'k')
	v = rvIface(v, rvKeyName, 66, 0x7f)
	hidden := []byte{0x00}
	hidden = append(rvIface(hidden, "string", 6, 3), 0x00, 0x01, 'j')
	for len(hidden) < 2000 {
		hidden = append(rvIface(hidden, gobSliceName, 65, 0x7f), 0x00)
		hidden = appendGobUint(hidden, 600_000)
	}
	lb := appendGobUint(nil, uint64(len(hidden)))
	v = append(v, 0x02, 0x00)            // Z: nil
	v = append(v, 0x02, byte(1+len(lb))) // Y = small int; gob: type id 1, byte count
	v = append(append(v, 0x01), lb...)   // S: a string of the hidden bytes
	v = append(v, hidden...)
	v = append(v, 0x00, 0x00, 0x00)
	return gobMsg(types, v...)
}
