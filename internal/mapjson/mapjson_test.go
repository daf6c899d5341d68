package mapjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// reference decodes data as the store decodes a Map session with
// encoding/json: a json.Decoder with UseNumber, nothing but whitespace
// after the value, and an object (not null) at the top.
func reference(data []byte) (map[string]any, error) {
	m := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the JSON value")
	}
	if m == nil {
		return nil, errors.New("null")
	}
	return m, nil
}

// checkDecode fails t when Decode accepts data and its result differs from
// encoding/json's, or when it refuses JSON that encoding/json wrote.
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := reference(data)
	got, err := Decode(data)
	if err == nil {
		if wantErr != nil {
			t.Fatalf("Decode(%q) accepted what encoding/json refuses (%v): %#v", data, wantErr, got)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode(%q) = %#v, encoding/json: %#v", data, got, want)
		}
	}
	if wantErr != nil {
		return
	}
	canon, jerr := jsonx.Marshal(want)
	if jerr != nil {
		t.Fatalf("jsonx.Marshal of a decoded value: %v", jerr)
	}
	if _, err := Decode(canon); err != nil && depth(want) <= MaxDepth {
		t.Fatalf("Decode refused %q, which encoding/json wrote: %v", canon, err)
	}
	checkMarshal(t, want)
}

// checkMarshal fails t when the result of Marshal, or of MarshalAfter
// with any of prevs (and m's own JSON), differs from jsonx.Marshal's:
// bytes, or one succeeding where the other fails.
func checkMarshal(t *testing.T, m map[string]any, prevs ...[]byte) {
	t.Helper()
	want, wantErr := jsonx.Marshal(m)
	check1(t, m, "Marshal", want, wantErr, Marshal)
	for _, prev := range append(prevs, want) {
		after := func(m map[string]any) ([]byte, error) { return MarshalAfter(m, prev) }
		check1(t, m, fmt.Sprintf("MarshalAfter(%q)", prev), want, wantErr, after)
	}
}

// check1 fails t when marshal(m) differs from want, wantErr.
func check1(t *testing.T, m map[string]any, name string, want []byte, wantErr error, marshal func(map[string]any) ([]byte, error)) {
	t.Helper()
	got, err := marshal(m)
	switch {
	case err == nil && wantErr != nil:
		t.Fatalf("%s of %#v = %q, jsonx.Marshal refuses it: %v", name, m, got, wantErr)
	case err == nil && !bytes.Equal(got, want):
		t.Fatalf("%s of %#v =\n%q, jsonx.Marshal:\n%q", name, m, got, want)
	case err != nil && wantErr == nil && depth(m) <= MaxDepth:
		t.Fatalf("%s of %#v refused (%v) what jsonx.Marshal writes: %q", name, m, err, want)
	}
}

// depth is the nesting depth of v: 1 for an object or array of scalars.
func depth(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			d = max(d, depth(e))
		}
	case []any:
		for _, e := range v {
			d = max(d, depth(e))
		}
	default:
		return 0
	}
	return d + 1
}

// FuzzDecode compares Decode with encoding/json on any input (seeds in
// testdata/fuzz/FuzzDecode and the cases below), and Marshal with
// jsonx.Marshal on what encoding/json decodes.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeCases {
		f.Add([]byte(s))
	}
	f.Fuzz(checkDecode)
}

// FuzzMarshal compares Marshal with jsonx.Marshal on maps holding any
// string (invalid UTF-8 included), float64, int64 and number text, beside
// what encoding/json decodes from data.
func FuzzMarshal(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":null}]}`), "x<&>\u2028\xff\x00", 1.5, int64(-3), "1e3")
	f.Add([]byte(`{}`), "", 1e21, int64(math.MinInt64), "")
	f.Add([]byte(`{}`), "\"\\/\b\f\n\r\t\x7f", 1e-7, int64(0), "01")
	f.Add([]byte(`{"f":1,"i":2,"n":3,"s":4,"x":{"}":"\"]"}}`), "x", 0.0, int64(1), "2")
	f.Add([]byte(`{"s":1,"n":2,"i":3,"f":4}`), "s", 0.0, int64(1), "2")
	f.Add([]byte(`{"f":1,"f":2,"i":3,"n":4,"s":5}`), "", 0.0, int64(1), "2")
	f.Fuzz(func(t *testing.T, data []byte, s string, fl float64, i int64, num string) {
		m, err := reference(data)
		if err != nil {
			m = map[string]any{}
		}
		before, _ := jsonx.Marshal(m)
		checkMarshal(t, m, data)
		m["s"], m["f"], m["i"], m["n"] = s, fl, i, json.Number(num)
		m[s] = []any{s, fl, uint64(i), int32(i), map[string]any{s: json.Number(num)}, []string{s}}
		checkMarshal(t, m, data, before)
		delete(m, "s")
		checkMarshal(t, m, data, before)
	})
}

// decodeCases are the seeds of FuzzDecode and the cases of TestDecode.
var decodeCases = []string{
	`{}`, ` {} `, "\t{\n}\r ", `{"a":1}`, `{"a":1,"a":2}`, `{"a":{"b":1},"a":{"c":2}}`,
	`{"n":-0.5e+10,"m":0,"o":1E-2,"p":123456789012345678901234567890}`,
	`{"s":"\u00e9\ud83d\ude00\ud800\udc00\ud800x\udc00\ud800\ud800\\\"\/\b\f\n\r\t"}`,
	"{\"bad\":\"\xff\xfe\xed\xa0\x80 \xe2\x80\xa8\"}", "{\"\xff\":1}",
	`{"a":[],"b":[[]],"c":{},"d":[1,"x",true,false,null,{"e":[]}]}`,
	`{"<&>":"<&>"}`, `{"a":"\u003c\u0026"}`,
	// refused by both, or by Decode alone (then encoding/json decides)
	`null`, `[]`, `"s"`, `1`, `{} {}`, `{} ]`, `{}x`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`,
	`{"a":-}`, `{"a":1e}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a" 1}`, `{"a":1,}`,
	`{,}`, `{"a":[1,]}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\uZZZZ"}`, "{\"a\":\"\x01\"}",
	`{"a":"`, `{"a":`, `{`, "", "\ufeff{}", `{"a":NaN}`, `{'a':1}`,
	`{"a":[[[[[[[[[[{"b":[[[[[[[[[[1]]]]]]]]]]}]]]]]]]]]}`,
}

func TestDecode(t *testing.T) {
	deep := []string{ // beyond MaxDepth, and beyond encoding/json's 10,000 levels
		"{\"a\":" + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "}",
		"{\"a\":" + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + "}",
		"{\"a\":" + strings.Repeat(`{"b":`, 20000) + "1" + strings.Repeat("}", 20000) + "}",
	}
	for _, c := range append(deep, decodeCases...) {
		checkDecode(t, []byte(c))
	}
}

// TestDecodeDepth checks the bound on nesting: MaxDepth levels decode,
// one more is refused, for encoding/json to decide.
func TestDecodeDepth(t *testing.T) {
	nest := func(n int) []byte {
		return []byte(strings.Repeat("[", n-1) + strings.Repeat("]", n-1))
	}
	if _, err := Decode([]byte(`{"a":` + string(nest(MaxDepth)) + `}`)); err != nil {
		t.Errorf("MaxDepth levels: %v", err)
	}
	if _, err := Decode([]byte(`{"a":` + string(nest(MaxDepth+1)) + `}`)); err == nil {
		t.Errorf("MaxDepth+1 levels decoded")
	}
}

// TestMarshal covers the Go values a handler stores that decoding never
// yields.
func TestMarshal(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	for _, m := range []map[string]any{
		nil, {}, {"a": 1, "b": int8(-8), "c": uint64(math.MaxUint64), "d": uintptr(7), "e": float32(0.1)},
		{"f": 1e20, "g": 1e21, "h": 1e-6, "i": 1e-7, "j": math.Copysign(0, -1), "k": 123456789.125, "l": 5e-324},
		{"nan": math.NaN()}, {"inf": math.Inf(-1)}, {"n": json.Number("0x1")}, {"n": json.Number("")},
		{"m": map[string]any(nil), "s": []any(nil), "t": []string{"<"}, "u": struct{ A string }{"&"}},
		{"raw": json.RawMessage(`{ "b" : "\u003c" }`)}, {"ch": make(chan int)}, cyclic,
		{"str": "\x00\x1f\u2029\u2027 <>&\u007f\xc3"},
	} {
		checkMarshal(t, m)
	}
}

// TestMarshalAfterOrder checks that MarshalAfter takes the keys' order from
// the JSON a map was decoded from while the keys stay the same (a value
// changed), and sorts when one was added or deleted, or prev's keys are not
// plain or not sorted.
func TestMarshalAfterOrder(t *testing.T) {
	prev := []byte(`{"a":"x","b":{"c":[1,"]}"]},"d":true}`)
	m, err := Decode(prev)
	if err != nil {
		t.Fatal(err)
	}
	m["a"] = "changed"
	for _, c := range []struct {
		prev    string
		inOrder bool
	}{
		{string(prev), true},
		{`{"a":1,"d":2,"b":3}`, false},       // not sorted
		{`{"a":1,"b":2}`, false},             // a key fewer
		{`{"a":1,"b":2,"d":3,"e":4}`, false}, // a key more
		{`{"\u0061":1,"b":2,"d":3}`, false},  // an escape
		{`{"a":1,"a":2,"d":3}`, false},       // a duplicate
	} {
		_, ok, err := appendInOrder(nil, m, []byte(c.prev))
		if ok != c.inOrder || err != nil {
			t.Errorf("prev %s: in order %v (%v), want %v", c.prev, ok, err, c.inOrder)
		}
		checkMarshal(t, m, []byte(c.prev))
	}
}
