package migrate

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
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
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}}
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}})
	cookie := sealGorilla(t, "gsess", raw)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", "gsess="+cookie)
	done := make(chan error, 1)
	go func() { done <- s.Get(r).Err() }()
	select {
	case err := <-done:
		if !errors.Is(err, cookiesession.ErrLegacyPayload) {
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

// gorillaPrefs stands for a registered struct of a gorilla application
// whose maps and slices hold nil interface values.
type gorillaPrefs struct {
	M map[string]interface{}
	L []interface{}
	P *gorillaPrefs
}

// gorillaPrefsOld is an older version of it that lacks the fields L and P:
// gob skips them when it decodes into this type.
type gorillaPrefsOld struct {
	M map[string]interface{}
}

func init() {
	gob.RegisterName("app.PrefsNew", gorillaPrefs{})
	gob.RegisterName("app.PrefsOld", gorillaPrefsOld{})
}

// TestGorillaNilInsideStruct: sessions that gorilla itself wrote, holding a
// registered struct with a nil in a map or a slice, open (they were refused
// as "a nil interface value inside a struct"); a nil where gob skips the
// field (a field this program's type lacks) is still refused, since gob's
// ignoreInterface misreads it.
func TestGorillaNilInsideStruct(t *testing.T) {
	registerGobBasics()
	gob.Register(map[string]interface{}{}) // as a gorilla application storing one in an interface does
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}}
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}})
	open := func(cookie string) *cookiesession.Session[cookiesession.Map] {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", "gsess="+cookie)
		return s.Get(r)
	}
	for name, tc := range map[string]struct {
		v    any
		want string
	}{
		"map":          {gorillaPrefs{M: map[string]interface{}{"theme": nil, "lang": "fr"}}, `{"M":{"lang":"fr","theme":null},"L":null,"P":null}`},
		"slice":        {gorillaPrefs{L: []interface{}{"a", nil}}, `{"M":null,"L":["a",null],"P":null}`},
		"nested":       {gorillaPrefs{P: &gorillaPrefs{L: []interface{}{nil, map[string]interface{}{"k": nil}}}}, `{"M":null,"L":null,"P":{"M":null,"L":[null,{"k":null}],"P":null}}`},
		"pointer":      {&gorillaPrefs{M: map[string]interface{}{"a": nil}}, `{"M":{"a":null},"L":null,"P":null}`},
		"list of them": {[]interface{}{gorillaPrefs{L: []interface{}{nil}}, nil}, `[{"M":null,"L":[null],"P":null},null]`},
		"list, no nil": {[]interface{}{gorillaTestKey{A: 1}}, `[{"A":1}]`}, // refused for its byte count before
	} {
		sess := open(gorillaCookie(t, "gsess", map[interface{}]interface{}{"prefs": tc.v, "user": "zoë"}, false, gHash1, gBlock1))
		if sess.Err() != nil || sess.IsNew() {
			t.Errorf("%s: refused: %v", name, sess.Err())
			continue
		}
		got, _ := json.Marshal(sess.Data["prefs"])
		if c, _ := canonicalJSON([]byte(tc.want)); string(got) != string(c) {
			t.Errorf("%s: prefs = %s, want %s", name, got, tc.want)
		}
	}

	// Written as app.PrefsNew, read as app.PrefsOld: gob skips L and P.
	for name, v := range map[string]gorillaPrefs{
		"skipped slice holds nil":  {M: map[string]interface{}{"theme": nil}, L: []interface{}{"a", nil}},
		"skipped struct holds nil": {P: &gorillaPrefs{M: map[string]interface{}{"k": nil}}},
	} {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(map[interface{}]interface{}{"prefs": v}); err != nil {
			t.Fatal(err)
		}
		raw := bytes.Replace(buf.Bytes(), []byte("app.PrefsNew"), []byte("app.PrefsOld"), 1)
		err := open(sealGorilla(t, "gsess", raw)).Err()
		if !errors.Is(err, cookiesession.ErrLegacyPayload) || !strings.Contains(err.Error(), "skips") || strings.Contains(err.Error(), "JSON") {
			t.Errorf("%s: err = %v, want cookiesession.ErrLegacyPayload for a nil gob skips", name, err)
		}
	}
	// A type this program never registered: gob's own reason, not a nil's.
	var unreg bytes.Buffer
	if err := gob.NewEncoder(&unreg).Encode(map[interface{}]interface{}{"prefs": gorillaPrefs{M: map[string]interface{}{"theme": nil}}}); err != nil {
		t.Fatal(err)
	}
	err := open(sealGorilla(t, "gsess", bytes.Replace(unreg.Bytes(), []byte("app.PrefsNew"), []byte("app.PrefsXyz"), 1))).Err()
	if !errors.Is(err, cookiesession.ErrLegacyPayload) || !strings.Contains(err.Error(), "app.PrefsXyz") || !strings.Contains(err.Error(), "gob.Register") {
		t.Errorf("unregistered type: err = %v, want cookiesession.ErrLegacyPayload naming it", err)
	}
	// The same without a nil in the skipped fields opens.
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(map[interface{}]interface{}{"prefs": gorillaPrefs{M: map[string]interface{}{"theme": nil}, L: []interface{}{"a"}}}); err != nil {
		t.Fatal(err)
	}
	sess := open(sealGorilla(t, "gsess", bytes.Replace(buf.Bytes(), []byte("app.PrefsNew"), []byte("app.PrefsOld"), 1)))
	if got, _ := json.Marshal(sess.Data["prefs"]); sess.Err() != nil || string(got) != `{"M":{"theme":null}}` {
		t.Errorf("skipped field without nil: %s, %v", got, sess.Err())
	}
}

// TestGobProbesBounded: each distinct registered name of a struct-holding
// interface value costs checkGob a lookup (a decode of the type
// definitions); a payload of many such names stays within the bomb bound.
func TestGobProbesBounded(t *testing.T) {
	registerGobBasics()
	values := map[interface{}]interface{}{}
	for i := range 40 {
		values[i] = gorillaTestKey{A: i}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(values); err != nil {
		t.Fatal(err)
	}
	raw, n := buf.Bytes(), 0
	for i := bytes.Index(raw, []byte(rvKeyName)); i >= 0; i = bytes.Index(raw, []byte(rvKeyName)) {
		copy(raw[i:], fmt.Sprintf("%-*d", len(rvKeyName), n)) // a distinct name, none registered
		n++
	}
	if n < 40 || len(raw) > gorillaFuzzMaxPayload {
		t.Fatalf("%d names in %d bytes", n, len(raw))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := gobToJSON(raw, "test cookie")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, cookiesession.ErrLegacyPayload) {
		t.Fatalf("err = %v", err)
	}
	if a := after.TotalAlloc - before.TotalAlloc; a > gorillaBombLimit {
		t.Fatalf("%d-byte payload with %d names allocated %d bytes, limit %d", len(raw), n, a, gorillaBombLimit)
	} else {
		t.Logf("%d-byte payload, %d names: %d bytes allocated", len(raw), n, a)
	}
}

// BenchmarkGorillaRegisteredStruct reads a gob payload holding a registered
// struct and a flash list, the case where checkGob looks the type up.
func BenchmarkGorillaRegisteredStruct(b *testing.B) {
	registerGobBasics()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(map[interface{}]interface{}{"user": gorillaTestKey{A: 7}, "_flash": []interface{}{"saved"}, "n": 3}); err != nil {
		b.Fatal(err)
	}
	raw := buf.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gobToJSON(raw, "bench cookie"); err != nil {
			b.Fatal(err)
		}
	}
}
