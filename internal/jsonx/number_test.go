package jsonx

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
)

// TestNumberText reads JSON number texts (as Map.Int and Map.Float read a
// json.Number): NumberInt by exact value, never rounded, NumberFloat as
// strconv.ParseFloat, both refusing text that is not a JSON number.
func TestNumberText(t *testing.T) {
	const tooBig = false
	for _, c := range []struct {
		text string
		i    int64
		iok  bool
		f    float64
		fok  bool
	}{
		{"1000", 1000, true, 1000, true},
		{"1e3", 1000, true, 1000, true},
		{"1E3", 1000, true, 1000, true},
		{"1e+3", 1000, true, 1000, true},
		{"1.0", 1, true, 1, true},
		{"1000.000", 1000, true, 1000, true},
		{"10000e-1", 1000, true, 1000, true},
		{"12.50e1", 125, true, 125, true},
		{"1e-0", 1, true, 1, true},
		{"1" + strings.Repeat("0", 300) + "e-300", 1, true, 1, true},
		{"0." + strings.Repeat("0", 300) + "1e301", 1, true, 1, true},
		{"-0", 0, true, math.Copysign(0, -1), true},
		{"0.0", 0, true, 0, true},
		{"-0.0e5", 0, true, math.Copysign(0, -1), true},
		{"0e99999999999999999999999", 0, true, 0, true},
		{"1.5", 0, false, 1.5, true},
		{"1e-3", 0, false, 0.001, true},
		{"123e-2", 0, false, 1.23, true},
		{"9007199254740993", 1<<53 + 1, true, 1 << 53, true},
		{"9007199254740993.0", 1<<53 + 1, true, 1 << 53, true},
		{"9223372036854775807", math.MaxInt64, true, 1 << 63, true},
		{"9.223372036854775807e18", math.MaxInt64, true, 1 << 63, true},
		{"-9223372036854775808", math.MinInt64, true, -1 << 63, true},
		{"-9.223372036854775808e18", math.MinInt64, true, -1 << 63, true},
		{"9223372036854775808", 0, tooBig, 1 << 63, true},
		{"9.223372036854775808e18", 0, tooBig, 1 << 63, true},
		{"-9223372036854775809", 0, tooBig, -1 << 63, true},
		{"18446744073709551615", 0, tooBig, 1 << 64, true},
		{"1e19", 0, tooBig, 1e19, true},
		{"1e308", 0, tooBig, 1e308, true},
		{"1e400", 0, tooBig, 0, false},
		{"-1e400", 0, tooBig, 0, false},
		{"1" + strings.Repeat("0", 400), 0, tooBig, 0, false},
		{"1e-400", 0, false, 0, true},
		{"1e99999999999999999999", 0, tooBig, 0, false},
		{"1e-99999999999999999999", 0, false, 0, true},
		{"5e-324", 0, false, 5e-324, true},
		{"0.1", 0, false, 0.1, true},
		// Not JSON numbers: strconv reads most of these.
		{"", 0, false, 0, false},
		{"-", 0, false, 0, false},
		{"+1", 0, false, 0, false},
		{"01", 0, false, 0, false},
		{"-01", 0, false, 0, false},
		{"1.", 0, false, 0, false},
		{".5", 0, false, 0, false},
		{"1e", 0, false, 0, false},
		{"1e+", 0, false, 0, false},
		{"1e3.0", 0, false, 0, false},
		{" 1", 0, false, 0, false},
		{"1 ", 0, false, 0, false},
		{"0x10", 0, false, 0, false},
		{"0x1p3", 0, false, 0, false},
		{"1_000", 0, false, 0, false},
		{"NaN", 0, false, 0, false},
		{"Inf", 0, false, 0, false},
		{"-Infinity", 0, false, 0, false},
		{"١", 0, false, 0, false}, // ARABIC-INDIC DIGIT ONE
	} {
		name := c.text
		if len(name) > 40 {
			name = name[:20] + "..." + name[len(name)-20:]
		}
		if i, ok := NumberInt(c.text); i != c.i || ok != c.iok {
			t.Errorf("NumberInt(%q) = %d, %v; want %d, %v", name, i, ok, c.i, c.iok)
		}
		if f, ok := NumberFloat(c.text); math.Float64bits(f) != math.Float64bits(c.f) || ok != c.fok {
			t.Errorf("NumberFloat(%q) = %g, %v; want %g, %v", name, f, ok, c.f, c.fok)
		}
	}
}

// FuzzNumber checks the JSON number reader against encoding/json and
// math/big: a text is read as a number exactly when encoding/json decodes
// it as that json.Number, and Int answers exactly when big.Rat says the
// value is an integer in the int64 range.
func FuzzNumber(f *testing.F) {
	// The seed corpus is in testdata/fuzz/FuzzNumber.
	f.Fuzz(func(t *testing.T, s string) {
		n, isNumber := splitNumber(s)
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var v any
		jsonNumber := dec.Decode(&v) == nil && !dec.More() && v == json.Number(s)
		if isNumber != jsonNumber {
			t.Fatalf("%q: splitNumber says %v, encoding/json %v", s, isNumber, jsonNumber)
		}
		i, ok := NumberInt(s)
		if !isNumber {
			if ok {
				t.Fatalf("NumberInt(%q) = %d, true for text that is no JSON number", s, i)
			}
			return
		}
		if e, _ := strconv.ParseInt(n.exp, 10, 64); e > 10000 || e < -10000 {
			return // big.Rat would compute 10^e; numberInt refuses it unread
		}
		r, valid := new(big.Rat).SetString(s)
		if !valid {
			t.Fatalf("big.Rat refuses JSON number %q", s)
		}
		wantOK := r.IsInt() && r.Num().IsInt64()
		if ok != wantOK || ok && i != r.Num().Int64() {
			t.Fatalf("NumberInt(%q) = %d, %v; exact value %s", s, i, ok, r.RatString())
		}
		if fl, fok := NumberFloat(s); fok {
			if want, _ := r.Float64(); fl != want {
				t.Fatalf("NumberFloat(%q) = %g, nearest float64 is %g", s, fl, want)
			}
			checkFloatInt(t, fl, 64)
			checkFloatInt(t, float64(float32(fl)), 32)
		}
	})
}

// checkFloatInt checks FloatInt's shortcut: it reads f as NumberInt reads
// the text encoding/json writes for it.
func checkFloatInt(t *testing.T, f float64, bits int) {
	i, ok := FloatInt(f, bits)
	wi, wok := NumberInt(FloatText(f, bits))
	if i != wi || ok != wok {
		t.Fatalf("float%d %g: Int %d, %v; its text %s reads %d, %v", bits, f, i, ok, FloatText(f, bits), wi, wok)
	}
}
