package cookiesession

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// mapRead is what Map's four accessors return for one key.
type mapRead struct {
	I   int64
	IOK bool
	F   float64
	FOK bool
	S   string
	SOK bool
	B   bool
	BOK bool
}

func readKey(m Map, key string) mapRead {
	var r mapRead
	r.I, r.IOK = m.Int(key)
	r.F, r.FOK = m.Float(key)
	r.S, r.SOK = m.String(key)
	r.B, r.BOK = m.Bool(key)
	return r
}

// same reports whether two reads agree, telling -0 from 0.
func (r mapRead) same(o mapRead) bool {
	if math.Float64bits(r.F) != math.Float64bits(o.F) {
		return false
	}
	r.F, o.F = 0, 0
	return r == o
}

// number, floatOnly, stringOnly and boolOnly build the read expected of a
// value of one kind; none is the read of a missing key or any other kind.
func number(i int64, iok bool, f float64) mapRead { return mapRead{I: i, IOK: iok, F: f, FOK: true} }
func floatOnly(f float64) mapRead                 { return mapRead{F: f, FOK: true} }
func stringOnly(s string) mapRead                 { return mapRead{S: s, SOK: true} }
func boolOnly(b bool) mapRead                     { return mapRead{B: b, BOK: true} }

var none mapRead

// TestMapAccessorsJSONKinds decodes one value of every JSON kind as the
// store decodes a cookie's data, and reads it with each accessor: only the
// accessor of its kind answers.
func TestMapAccessorsJSONKinds(t *testing.T) {
	s := newStore[Map](t, Options{})
	for _, c := range []struct {
		json string
		want mapRead
	}{
		{`"ada"`, stringOnly("ada")},
		{`""`, stringOnly("")},
		{`"42"`, stringOnly("42")},
		{`"true"`, stringOnly("true")},
		{`42`, number(42, true, 42)},
		{`-7`, number(-7, true, -7)},
		{`0`, number(0, true, 0)},
		{`2.5`, floatOnly(2.5)},
		{`9007199254740993`, number(1<<53+1, true, 1<<53)},
		{`true`, boolOnly(true)},
		{`false`, boolOnly(false)},
		{`null`, none},
		{`[1,2]`, none},
		{`{"a":1}`, none},
	} {
		var m Map
		if err := s.decodeData([]byte(`{"k":`+c.json+`}`), &m); err != nil {
			t.Fatalf("%s: %v", c.json, err)
		}
		if got := readKey(m, "k"); !got.same(c.want) {
			t.Errorf("%s (%T): read %+v, want %+v", c.json, m["k"], got, c.want)
		}
		if got := readKey(m, "missing"); !got.same(none) {
			t.Errorf("missing key beside %s: read %+v", c.json, got)
		}
	}
	if got := readKey(nil, "k"); !got.same(none) {
		t.Errorf("nil Map: read %+v", got)
	}
}

// role and count are named types, which the accessors do not read until
// they come back from the cookie as a string and a json.Number.
type (
	role  string
	count int
)

// goValues are Go values a handler may store in a Map, with what each
// accessor reads from them in the request that stores them.
var goValues = []struct {
	name string
	v    any
	want mapRead
}{
	{"int", int(-42), number(-42, true, -42)},
	{"int8", int8(math.MinInt8), number(math.MinInt8, true, math.MinInt8)},
	{"int16", int16(math.MaxInt16), number(math.MaxInt16, true, math.MaxInt16)},
	{"int32", int32(math.MinInt32), number(math.MinInt32, true, math.MinInt32)},
	{"int64 2^53+1", int64(1<<53 + 1), number(1<<53+1, true, 1<<53)},
	{"int64 max", int64(math.MaxInt64), number(math.MaxInt64, true, 1<<63)},
	{"int64 min", int64(math.MinInt64), number(math.MinInt64, true, -1<<63)},
	{"uint", uint(7), number(7, true, 7)},
	{"uint8", uint8(math.MaxUint8), number(math.MaxUint8, true, math.MaxUint8)},
	{"uint16", uint16(math.MaxUint16), number(math.MaxUint16, true, math.MaxUint16)},
	{"uint32", uint32(math.MaxUint32), number(math.MaxUint32, true, math.MaxUint32)},
	{"uint64 max int64", uint64(math.MaxInt64), number(math.MaxInt64, true, 1<<63)},
	{"uint64 2^63", uint64(1 << 63), number(0, false, 1<<63)},
	{"uint64 max", uint64(math.MaxUint64), number(0, false, 1<<64)},
	{"uint max", uint(math.MaxUint), number(0, false, 1<<64)},
	{"uintptr", uintptr(9), number(9, true, 9)},
	{"float64 1e3", float64(1e3), number(1000, true, 1000)},
	{"float64 -0", math.Copysign(0, -1), number(0, true, math.Copysign(0, -1))},
	{"float64 0.5", 0.5, floatOnly(0.5)},
	{"float64 2^53", float64(1 << 53), number(1<<53, true, 1<<53)},
	// encoding/json writes 4611686018427388000, the shortest text that
	// reads back as this float: Int reads that, as the next request will.
	{"float64 2^62", float64(1 << 62), number(4611686018427388000, true, 1<<62)},
	// Likewise -2^63, which fits an int64, is written -9223372036854776000,
	// which does not.
	{"float64 -2^63", float64(-1 << 63), floatOnly(-1 << 63)},
	{"float64 2^63", float64(1 << 63), floatOnly(1 << 63)},
	{"float64 1e300", 1e300, floatOnly(1e300)},
	{"float32 3", float32(3), number(3, true, 3)},
	{"float32 0.1", float32(0.1), floatOnly(0.1)},
	// float32(123456789) is 123456792; encoding/json writes 1.2345679e+08.
	{"float32 123456789", float32(123456789), number(123456790, true, 123456790)},
	{"string", "ada", stringOnly("ada")},
	{"string of digits", "42", stringOnly("42")},
	{"bool", true, boolOnly(true)},
	{"json.Number", json.Number("12"), number(12, true, 12)},
	{"[]any", []any{1}, none},
	{"map[string]any", map[string]any{"a": 1}, none},
	{"Map", Map{"a": 1}, none},
	{"nil", nil, none},
}

// namedValues come back from the cookie readable, but are not read as
// they are stored.
var namedValues = []struct {
	name        string
	v           any
	stored, got mapRead
}{
	{"time.Duration", time.Second, none, number(1e9, true, 1e9)},
	{"named int", count(3), none, number(3, true, 3)},
	{"named string", role("admin"), none, stringOnly("admin")},
}

// TestMapAccessorsGoValues reads Go values as a handler stores them, and
// values JSON cannot hold.
func TestMapAccessorsGoValues(t *testing.T) {
	for _, c := range goValues {
		if got := readKey(Map{"k": c.v}, "k"); !got.same(c.want) {
			t.Errorf("%s (%T): read %+v, want %+v", c.name, c.v, got, c.want)
		}
	}
	for _, c := range namedValues {
		if got := readKey(Map{"k": c.v}, "k"); !got.same(c.stored) {
			t.Errorf("%s (%T): read %+v, want %+v", c.name, c.v, got, c.stored)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, v := range []any{f, float32(f)} {
			if got := readKey(Map{"k": v}, "k"); !got.same(none) {
				t.Errorf("%T %v: read %+v, want none", v, v, got)
			}
		}
	}
}

// TestMapAccessorsRoundTrip stores every Go value of goValues and
// namedValues in a New[Map] session, saves it, opens it in the next request,
// and reads each key again: the reads agree before and after, though the
// numbers come back as json.Number.
func TestMapAccessorsRoundTrip(t *testing.T) {
	store, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Secure: SecureNever})
	if err != nil {
		t.Fatal(err)
	}
	var step func(s *Session[Map])
	h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		step(store.Get(r))
	}))
	j := jar{}
	step = func(s *Session[Map]) {
		for _, c := range goValues {
			s.Data[c.name] = c.v
		}
		for _, c := range namedValues {
			s.Data[c.name] = c.v
		}
	}
	if rec := j.do(t, h); rec.Code != http.StatusOK || len(j) != 1 {
		t.Fatalf("saving: status %d, cookies %v", rec.Code, j)
	}
	step = func(s *Session[Map]) {
		if s.IsNew() {
			t.Fatalf("not opened: %v", s.Err())
		}
		for _, c := range goValues {
			if got := readKey(s.Data, c.name); !got.same(c.want) {
				t.Errorf("%s: stored %T, came back %T %v: read %+v, want %+v", c.name, c.v, s.Data[c.name], s.Data[c.name], got, c.want)
			}
		}
		for _, c := range namedValues {
			if got := readKey(s.Data, c.name); !got.same(c.got) {
				t.Errorf("%s: came back %T %v: read %+v, want %+v", c.name, s.Data[c.name], s.Data[c.name], got, c.got)
			}
		}
		if n, ok := s.Data["int64 2^53+1"].(json.Number); !ok || n != "9007199254740993" {
			t.Errorf("2^53+1 came back as %T %v, want json.Number 9007199254740993", s.Data["int64 2^53+1"], s.Data["int64 2^53+1"])
		}
	}
	j.do(t, h)
}

// BenchmarkMapInt reads an integer as it comes back from the cookie, in
// plain digits and in exponent form, and as a handler stored it.
func BenchmarkMapInt(b *testing.B) {
	for _, c := range []struct {
		name string
		v    any
	}{
		{"json.Number", json.Number("1234567")},
		{"json.Number exponent", json.Number("1.234567e6")},
		{"int", 1234567},
		{"float64", 1234567.0},
	} {
		m := Map{"n": c.v}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := m.Int("n"); !ok {
					b.Fatal("not read")
				}
			}
		})
	}
}

// TestMapJSONAsEncodingJSON checks that a Map session seals the JSON
// jsonx.Marshal writes (internal/mapjson's encoder, behind the store's
// marshal) and opens as encoding/json with UseNumber decodes it, for values
// a handler stores that mapjson writes itself, hands to jsonx.Marshal, or
// refuses; that an untouched request sends nothing; and that a value
// encoding/json refuses still fails the save with ErrEncode.
func TestMapJSONAsEncodingJSON(t *testing.T) {
	o := Options{Keys: [][]byte{testKey(1)}, Secure: SecureNever}
	store, err := New[Map](o)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := New[json.RawMessage](o) // the data JSON as sealed
	if err != nil {
		t.Fatal(err)
	}
	data := Map{
		"s": "<&> \"q\" \\ \x01 \u2028 é \uFFFD", "n": json.Number("1e400"), "i": -7, "u": uint64(math.MaxUint64),
		"f": 1e-7, "b": true, "z": nil, "m": map[string]any{"k": []any{json.Number("0.10"), "x"}},
		"t": time.Unix(0, 0).UTC(), "r": json.RawMessage(`{ "b" : "\u003c" }`), "named": Map{"a": 1},
	}
	cookie := cookieOf(t, store, data)
	sealed := raw.Open(Request{Cookie: cookie})
	want, err := jsonx.Marshal(data)
	if err != nil || string(sealed.Data) != string(want) {
		t.Fatalf("sealed %s (%v),\nencoding/json: %s (%v)", sealed.Data, sealed.Err(), want, err)
	}
	var decoded map[string]any
	dec := json.NewDecoder(bytes.NewReader(want))
	dec.UseNumber()
	if err := dec.Decode(&decoded); err != nil {
		t.Fatal(err)
	}
	again := store.Open(Request{Cookie: cookie})
	if !reflect.DeepEqual(map[string]any(again.Data), decoded) {
		t.Fatalf("opened %#v,\nencoding/json: %#v", again.Data, decoded)
	}
	if u, err := again.Commit(); err != nil || len(u.SetCookie) != 0 {
		t.Fatalf("untouched: %v, Set-Cookie %q", err, u.SetCookie)
	}
	again.Data["m"].(map[string]any)["k"].([]any)[1] = "y" // changed in place
	if !again.Changed() {
		t.Fatal("a change inside a nested value is not seen")
	}
	again.Data["bad"] = math.NaN()
	if _, err := again.Commit(); !errors.Is(err, ErrEncode) {
		t.Fatalf("NaN: %v, want ErrEncode", err)
	}
}

// sealedJSON opens the cj's one-cookie session with key 1 and returns its
// data JSON, as the next request will decode it.
func sealedJSON(t *testing.T, j jar, name string) string {
	t.Helper()
	c, err := format.NewCodec(format.XChaCha20Poly1305, false, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	_, pt, err := c.Open(name, 1, j[name])
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	return string(pt)
}

// TestMapNumbersExact stores numbers a float64 cannot hold in a Map session
// and checks that they come back exact, that an untouched request writes
// nothing, and that changing one key leaves every other byte as it was.
func TestMapNumbersExact(t *testing.T) {
	s := newStore[Map](t, Options{})
	j := jar{}
	var step func(Map)
	var got Map
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		got = sess.Data
		if step != nil {
			step(sess.Data)
		}
	}))
	step = func(d Map) {
		d["i"] = int64(1<<53 + 1)
		d["u"] = uint64(math.MaxUint64)
		d["neg"] = int64(math.MinInt64)
		d["dec"] = json.Number("3.14159265358979323846264338327950288")
		d["nested"] = map[string]any{"ids": []any{int64(1<<62 + 7), uint64(1<<63 + 1)}}
		d["n"] = 1
	}
	j.do(t, h)
	want := `{"dec":3.14159265358979323846264338327950288,"i":9007199254740993,"n":1,"neg":-9223372036854775808,"nested":{"ids":[4611686018427387911,9223372036854775809]},"u":18446744073709551615}`
	if js := sealedJSON(t, j, "session"); js != want {
		t.Fatalf("sealed %s\nwant   %s", js, want)
	}

	step = nil
	if rec := j.do(t, h); len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatalf("untouched Map session re-written: %q", rec.Header()["Set-Cookie"])
	}
	if n, ok := got["i"].(json.Number); !ok || n.String() != "9007199254740993" {
		t.Fatalf(`Data["i"] = %#v, want json.Number 9007199254740993`, got["i"])
	}
	if n, _ := got["i"].(json.Number).Int64(); n != 1<<53+1 {
		t.Fatalf("Int64() = %d", n)
	}
	if u := got["u"].(json.Number).String(); u != "18446744073709551615" {
		t.Fatalf(`Data["u"] = %s`, u)
	}
	ids := got["nested"].(map[string]any)["ids"].([]any)
	if ids[1].(json.Number).String() != "9223372036854775809" {
		t.Fatalf("nested uint64 = %v", ids[1])
	}

	step = func(d Map) { d["n"] = 2 }
	j.do(t, h)
	want2 := `{"dec":3.14159265358979323846264338327950288,"i":9007199254740993,"n":2,"neg":-9223372036854775808,"nested":{"ids":[4611686018427387911,9223372036854775809]},"u":18446744073709551615}`
	if js := sealedJSON(t, j, "session"); js != want2 {
		t.Fatalf("after changing n: %s\nwant %s", js, want2)
	}
}

// TestInterfaceFieldNumbersExact checks the same guarantee for interface
// values inside a typed session, and that a type without any stays on the
// plain decoder.
func TestInterfaceFieldNumbersExact(t *testing.T) {
	type data struct {
		Extra map[string]any `json:"extra"`
		Any   any            `json:"any"`
		N     int64          `json:"n"`
	}
	s := newStore[data](t, Options{})
	if !s.useNumber {
		t.Fatal("a struct with interface fields does not decode numbers exactly")
	}
	if newStore[cart](t, Options{}).useNumber {
		t.Fatal("a struct without interface values uses the number-preserving decoder")
	}
	type node struct {
		Next *node `json:"next"`
		N    int   `json:"n"`
	}
	if newStore[node](t, Options{}).useNumber {
		t.Fatal("recursive type without interfaces uses the number-preserving decoder")
	}
	j := jar{}
	var got data
	first := true
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if first {
			sess.Data = data{Extra: map[string]any{"id": uint64(1<<64 - 1)}, Any: int64(1<<53 + 1), N: 1<<62 + 1}
			first = false
		}
		got = sess.Data
	}))
	j.do(t, h)
	if rec := j.do(t, h); len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatal("untouched session re-written")
	}
	if got.Extra["id"].(json.Number).String() != "18446744073709551615" || got.Any.(json.Number).String() != "9007199254740993" || got.N != 1<<62+1 {
		t.Fatalf("got %#v", got)
	}
}
