package structjson

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// every has a field of each kind the package handles, with and without
// omitempty, and the fields encoding/json skips.
type every struct {
	B      bool     `json:"b"`
	S      string   `json:"s,omitempty"`
	I      int      `json:"i"`
	I8     int8     `json:"i8,omitempty"`
	I16    int16    // no tag: the field's name
	I32    int32    `json:",omitempty"`
	I64    int64    `json:"i64"`
	U      uint     `json:"u,omitempty"`
	U8     uint8    `json:"u8"`
	U16    uint16   `json:"u16"`
	U32    uint32   `json:"u32,omitempty"`
	U64    uint64   `json:"u64"`
	F32    float32  `json:"f32"`
	F64    float64  `json:"f64,omitempty"`
	Roles  []string `json:"roles,omitempty"`
	Tags   names    `json:"tags"`
	Skip   string   `json:"-"`
	hidden int
}

type counter struct {
	N int `json:"n"`
}

// cased has keys that differ only in case: encoding/json matches a key
// to a field without regard to case when no field has it exactly.
type cased struct {
	Name  string
	Other string `json:"name_2"`
}

type named string

type names []string

type withMethod struct{ T time.Time }

type textual struct{ N named }

func (n named) MarshalText() ([]byte, error) { return []byte(n), nil }

type selfEncoding struct{ N int }

func (selfEncoding) MarshalJSON() ([]byte, error) { return []byte(`1`), nil }

func TestFor(t *testing.T) {
	type embedded struct{ counter }
	type pointer struct{ P *int }
	type nested struct{ C counter }
	type slice struct{ S []string }
	type bytes struct{ B []byte }
	type ints struct{ I []int }
	type texts struct{ T []named }
	type stringOpt struct {
		N int `json:",string"`
	}
	type omitZero struct {
		N int `json:",omitzero"`
	}
	twice := reflect.StructOf([]reflect.StructField{ // built here: go vet refuses a repeated tag in source
		{Name: "A", Type: reflect.TypeFor[int](), Tag: `json:"x"`},
		{Name: "B", Type: reflect.TypeFor[int](), Tag: `json:"x"`},
	})
	type unicodeName struct {
		Né int
	}
	type oddTag struct {
		N int `json:"a.b"`
	}
	type ptr struct{ U uintptr }
	type iface struct{ V any }
	type empty struct{}
	for _, c := range []struct {
		t  reflect.Type
		ok bool
	}{
		{reflect.TypeFor[every](), true},
		{reflect.TypeFor[counter](), true},
		{reflect.TypeFor[cased](), true},
		{reflect.TypeFor[empty](), true},
		{reflect.TypeFor[*counter](), false},
		{reflect.TypeFor[map[string]any](), false},
		{reflect.TypeFor[int](), false},
		{reflect.TypeFor[embedded](), false},
		{reflect.TypeFor[pointer](), false},
		{reflect.TypeFor[nested](), false},
		{reflect.TypeFor[slice](), true},
		{reflect.TypeFor[bytes](), false},
		{reflect.TypeFor[ints](), false},
		{reflect.TypeFor[texts](), false},
		{reflect.TypeFor[stringOpt](), false},
		{reflect.TypeFor[omitZero](), false},
		{twice, false},
		{reflect.TypeFor[unicodeName](), false},
		{reflect.TypeFor[oddTag](), false},
		{reflect.TypeFor[ptr](), false},
		{reflect.TypeFor[iface](), false},
		{reflect.TypeFor[withMethod](), false},
		{reflect.TypeFor[textual](), false},
		{reflect.TypeFor[selfEncoding](), false},
	} {
		if got := For(c.t) != nil; got != c.ok {
			t.Errorf("For(%v) != nil is %v, want %v", c.t, got, c.ok)
		}
	}
}

// checkDecode decodes data into a T with the Codec and with encoding/json:
// when the Codec does, encoding/json must succeed with the same value.
// It returns whether the Codec decoded.
func checkDecode[T any](t *testing.T, data []byte) bool {
	t.Helper()
	var fast, slow T
	ok := For(reflect.TypeFor[T]()).Decode(data, reflect.ValueOf(&fast).Elem())
	err := json.Unmarshal(data, &slow)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("%q: decoded into %T, but encoding/json fails: %v", data, fast, err)
	}
	if f, s := fmt.Sprintf("%#v", fast), fmt.Sprintf("%#v", slow); f != s {
		t.Fatalf("%q: decoded %s, encoding/json %s", data, f, s)
	}
	return true
}

// checkAppend encodes v with the Codec and with jsonx.Marshal: when the
// Codec does, the bytes must be the same. It returns whether the Codec
// encoded.
func checkAppend[T any](t *testing.T, v T) bool {
	t.Helper()
	got, ok := For(reflect.TypeFor[T]()).Append(nil, reflect.ValueOf(&v).Elem())
	want, err := jsonx.Marshal(&v)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("%#v: encoded %s, but jsonx.Marshal fails: %v", v, got, err)
	}
	if string(got) != string(want) {
		t.Fatalf("%#v: encoded\n%s\nwant\n%s", v, got, want)
	}
	return true
}

// TestDashKey: the tag "-," names a field "-" (encoding/json's rule); it is
// built with reflect, as linters take the tag for a mistake.
func TestDashKey(t *testing.T) {
	typ := reflect.StructOf([]reflect.StructField{{Name: "D", Type: reflect.TypeFor[string](), Tag: `json:"-,"`}})
	v := reflect.New(typ)
	v.Elem().Field(0).SetString("x")
	c := For(typ)
	got, ok := c.Append(nil, v.Elem())
	want, err := jsonx.Marshal(v.Interface())
	if !ok || err != nil || string(got) != string(want) || string(got) != `{"-":"x"}` {
		t.Fatalf("Append %s %v, jsonx.Marshal %s %v", got, ok, want, err)
	}
	back := reflect.New(typ)
	if !c.Decode(got, back.Elem()) || back.Elem().Field(0).String() != "x" {
		t.Fatalf("Decode(%s): %v", got, back.Elem())
	}
}

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		in   string
		fast bool // the Codec decodes it
	}{
		{`{}`, true},
		{`{"n":0}`, true},
		{`{"n":-0}`, true},
		{`{"n":42}`, true},
		{`{"n":9223372036854775807}`, true},
		{`{"n":-9223372036854775808}`, true},
		{`{"n":1,"n":2}`, true},
		{`{"n":9223372036854775808}`, false}, // overflows: encoding/json's error
		{`{"n":1.5}`, false},
		{`{"n":1e2}`, false},
		{`{"n":01}`, false},
		{`{"n":"1"}`, false},
		{`{"n":null}`, false},
		{`{"N":1}`, false}, // another case: encoding/json matches it
		{`{"m":1}`, false},
		{`{ "n":1}`, false},
		{`{"n":1} `, false},
		{`{"n":1}x`, false},
		{`{"n":1,}`, false},
		{`{"n":}`, false},
		{`{"n"`, false},
		{`{`, false},
		{``, false},
		{`null`, false},
		{`[]`, false},
	} {
		if got := checkDecode[counter](t, []byte(c.in)); got != c.fast {
			t.Errorf("%q: decoded %v, want %v", c.in, got, c.fast)
		}
	}
	for _, c := range []struct {
		in   string
		fast bool
	}{
		{`{"b":true,"s":"x","i":-1,"i8":-128,"I16":32767,"I32":1,"i64":5,"u":1,"u8":255,"u16":65535,"u32":1,"u64":18446744073709551615,"f32":1.5,"f64":-2.5e-300}`, true},
		{`{"b":false,"f32":3.4028235e38,"f64":1E+2}`, true},
		{`{"f64":-0}`, true},
		{`{"f64":0.1e1}`, true},
		{`{"s":"é中\u00e9"}`, false}, // an escape
		{`{"s":"é中"}`, true},
		{`{"s":"\u2028"}`, false},
		{"{\"s\":\"\xff\"}", false}, // not UTF-8: encoding/json makes it U+FFFD
		{"{\"s\":\"a\tb\"}", false}, // a control character: invalid JSON
		{`{"u8":256}`, false},
		{`{"u":-1}`, false},
		{`{"u":-0}`, false},
		{`{"i8":128}`, false},
		{`{"f32":3.5e38}`, false}, // overflows float32
		{`{"f64":1e400}`, false},
		{`{"f64":1.}`, false},
		{`{"f64":.5}`, false},
		{`{"f64":1e}`, false},
		{`{"f64":+1}`, false},
		{`{"b":tru}`, false},
		{`{"b":1}`, false},
		{`{"Skip":"x"}`, false},
		{`{"hidden":1}`, false},
		{`{"roles":[],"tags":null}`, true},
		{`{"roles":null,"tags":[]}`, true},
		{`{"roles":["a","é"],"tags":["x"],"roles":["b"]}`, true},
		{`{"roles":["a",]}`, false},
		{`{"roles":[,"a"]}`, false},
		{`{"roles":["a""b"]}`, false},
		{`{"roles":["a"`, false},
		{`{"roles":[`, false},
		{`{"roles":["\u0041"]}`, false},
		{`{"roles":[1]}`, false},
		{`{"roles":[null]}`, false},
		{`{"roles":nul}`, false},
		{`{"roles":"a"}`, false},
	} {
		if got := checkDecode[every](t, []byte(c.in)); got != c.fast {
			t.Errorf("%q: decoded %v, want %v", c.in, got, c.fast)
		}
	}
	if !checkDecode[cased](t, []byte(`{"Name":"a","name_2":"b"}`)) || checkDecode[cased](t, []byte(`{"name":"a"}`)) {
		t.Error("cased: the exact keys must decode, another case must be left to encoding/json")
	}
}

func TestAppend(t *testing.T) {
	for _, v := range []every{
		{},
		{B: true, S: "x", I: -1, I8: -128, I16: math.MaxInt16, I32: math.MinInt32, I64: math.MaxInt64, U: 1, U8: 255, U16: 1, U32: 1, U64: math.MaxUint64, Skip: "no", hidden: 1},
		{S: `quote " backslash \ <tag> & é 中 🙂`},
		{S: "\x00\x01\b\f\n\r\t\x1f\x7f"},
		{F32: 1e21, F64: 1e21},
		{F32: 1e-6, F64: 1e-6},
		{F32: 1e-7, F64: 1e-7},
		{F32: 9.99999e20, F64: 999999999999999900000},
		{F32: float32(math.Copysign(0, -1)), F64: math.Copysign(0, -1)},
		{F32: math.MaxFloat32, F64: math.MaxFloat64},
		{F32: math.SmallestNonzeroFloat32, F64: math.SmallestNonzeroFloat64},
		{F32: 0.1, F64: 0.1},
		{F64: 123456789e-20},
		{Roles: []string{}, Tags: names{}},
		{Roles: []string{"a", "", `"q"`}, Tags: names{"é"}},
	} {
		if !checkAppend(t, v) {
			t.Errorf("%#v: not encoded", v)
		}
	}
	for _, v := range []every{
		{S: "\xff"},
		{S: "a\u2028b"},
		{S: "\u2029"},
		{F64: math.NaN()},
		{F64: math.Inf(1)},
		{F32: float32(math.Inf(-1))},
		{Roles: []string{"ok", "\xff"}},
		{Tags: names{"\u2028"}},
	} {
		if checkAppend(t, v) {
			t.Errorf("%#v: encoded, want it left to encoding/json", v)
		}
	}
	if !checkAppend(t, counter{N: 7}) || !checkAppend(t, cased{Name: "a"}) {
		t.Error("counter, cased: not encoded")
	}
}

func TestRoundTrip(t *testing.T) {
	v := every{B: true, S: "é中", I: -3, I16: 2, U64: 1 << 63, F32: 0.25, F64: 1e-9, Roles: []string{"a", "b"}, Tags: names{}}
	b, ok := For(reflect.TypeFor[every]()).Append(nil, reflect.ValueOf(&v).Elem())
	if !ok {
		t.Fatal("not encoded")
	}
	var got every
	if !For(reflect.TypeFor[every]()).Decode(b, reflect.ValueOf(&got).Elem()) || !reflect.DeepEqual(got, v) {
		t.Fatalf("%s: decoded %#v, want %#v", b, got, v)
	}
}

func TestDecodeAllocations(t *testing.T) {
	c := For(reflect.TypeFor[counter]())
	data := []byte(`{"n":12345}`)
	var v counter
	if n := testing.AllocsPerRun(100, func() { c.Decode(data, reflect.ValueOf(&v).Elem()) }); n != 0 {
		t.Errorf("Decode of %s: %v allocations, want 0", data, n)
	}
	if v.N != 12345 {
		t.Errorf("decoded %d", v.N)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"n":1}`, `{"b":true,"s":"é","i":-1,"u64":1,"f32":1.5e3,"f64":-0.0}`, `{"Name":"a","name_2":""}`, `{"n":1,"n":2}`, `{"roles":["a","b"],"tags":null}`, `{"roles":[],"tags":["x"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode[counter](t, data)
		checkDecode[every](t, data)
		checkDecode[cased](t, data)
	})
}

func FuzzAppend(f *testing.F) {
	f.Add(true, "x", int64(-1), uint64(1), float32(1.5), 2.5)
	f.Add(false, "\u2028<\xff>", int64(math.MinInt64), uint64(math.MaxUint64), float32(1e-7), 1e21)
	f.Fuzz(func(t *testing.T, b bool, s string, i int64, u uint64, f32 float32, f64 float64) {
		v := every{B: b, S: s, I: int(i), I8: int8(i), I16: int16(i), I32: int32(i), I64: i,
			U: uint(u), U8: uint8(u), U16: uint16(u), U32: uint32(u), U64: u, F32: f32, F64: f64}
		if i%3 != 0 { // nil, or the string's parts
			v.Roles, v.Tags = strings.Split(s, ","), names(strings.Fields(s))
		}
		sure := !math.IsNaN(f64) && !math.IsInf(f64, 0) && !math.IsNaN(float64(f32)) && !math.IsInf(float64(f32), 0) &&
			utf8.ValidString(s) && !strings.ContainsAny(s, "\u2028\u2029")
		if got := checkAppend(t, v); got != sure {
			t.Fatalf("%#v: encoded %v, want %v", v, got, sure)
		}
		if sure {
			b, _ := For(reflect.TypeFor[every]()).Append(nil, reflect.ValueOf(&v).Elem())
			checkDecode[every](t, b)
		}
	})
}
