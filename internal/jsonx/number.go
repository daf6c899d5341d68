package jsonx

// Exact reading of JSON numbers, for the accessors of the root's Map: the
// value of a json.Number's text, never rounded to an integer, in time
// linear in the text's length whatever its exponent.

import (
	"math"
	"strconv"
	"strings"
)

// FloatInt returns the value of f, a float of the given bit size, as
// NumberInt reads the text encoding/json writes for it. Below 2^24 (float32) or 2^53 (float64) every integer is a float of
// that size, so an integer float's shortest text is its own digits: only
// larger values need the text.
func FloatInt(f float64, bits int) (int64, bool) {
	exact := float64(1 << 53)
	if bits == 32 {
		exact = 1 << 24
	}
	if f == math.Trunc(f) && math.Abs(f) < exact {
		return int64(f), true
	}
	return NumberInt(FloatText(f, bits))
}

// FloatText is the shortest text that reads back as f, a float of the
// given bit size: the digits encoding/json writes ("NaN" and "±Inf" for
// the values it refuses).
func FloatText(f float64, bits int) string {
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// NumberFloat parses JSON number text as a float64, refusing text that is
// not a JSON number (strconv.ParseFloat also reads "Inf", "0x1p3" and
// "1_0") and values beyond the float64 range.
func NumberFloat(s string) (float64, bool) {
	if _, ok := splitNumber(s); !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false // not ParseFloat's ±Inf for out of range
	}
	return f, true
}

// NumberInt returns the value of JSON number text as an int64 when it is an
// integer in the int64 range, exactly. Its work is linear in len(s): a huge
// exponent is refused by comparing it with len(s), never used to build
// 10^exp.
func NumberInt(s string) (int64, bool) {
	n, ok := splitNumber(s)
	if !ok {
		return 0, false
	}
	if n.frac == "" && n.exp == "" {
		return parseInt(s) // the common case: plain digits
	}
	digits := strings.TrimLeft(n.whole+n.frac, "0")
	if digits == "" {
		return 0, true // "0.0", "-0.0e5"
	}
	var exp int64
	if n.exp != "" {
		var err error
		if exp, err = strconv.ParseInt(n.exp, 10, 64); err != nil {
			return 0, false // beyond ±2^63: a fraction or out of range
		}
	}
	// The value is ±digits * 10^(exp - len(frac)). len(frac) and the
	// trailing zeros of digits are both below len(s), so an exponent
	// below -len(s) leaves a fraction, and one above len(s)+19 a value of
	// 20 digits or more: refused before any arithmetic could overflow.
	if limit := int64(len(s)); exp < -limit || exp > limit+19 {
		return 0, false
	}
	sig := strings.TrimRight(digits, "0")
	scale := exp - int64(len(n.frac)) + int64(len(digits)-len(sig))
	if scale < 0 || int64(len(sig))+scale > 19 {
		return 0, false // a fraction, or more digits than any int64 has
	}
	text := sig + strings.Repeat("0", int(scale))
	if n.neg {
		text = "-" + text
	}
	return parseInt(text)
}

// parseInt is strconv.ParseInt in base 10 that returns 0 when it fails.
func parseInt(s string) (int64, bool) {
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false // not ParseInt's MaxInt64 or MinInt64 for out of range
	}
	return i, true
}

// jsonNumber holds the parts of a JSON number's text.
type jsonNumber struct {
	neg         bool
	whole, frac string // the digits before and after the '.'
	exp         string // the exponent after 'e' or 'E', with its sign; "" if none
}

// splitNumber splits s into its parts when it is a JSON number (RFC 8259,
// section 6): number = [ "-" ] int [ frac ] [ exp ], where int is "0" or a
// nonzero digit followed by digits.
func splitNumber(s string) (jsonNumber, bool) {
	var n jsonNumber
	s, n.neg = strings.CutPrefix(s, "-")
	n.whole, s = cutDigits(s)
	if n.whole == "" || len(n.whole) > 1 && n.whole[0] == '0' {
		return n, false
	}
	if rest, ok := strings.CutPrefix(s, "."); ok {
		if n.frac, s = cutDigits(rest); n.frac == "" {
			return n, false
		}
	}
	if s != "" {
		if s[0] != 'e' && s[0] != 'E' {
			return n, false
		}
		s = s[1:]
		sign := ""
		if s != "" && (s[0] == '+' || s[0] == '-') {
			sign, s = s[:1], s[1:]
		}
		digits, rest := cutDigits(s)
		if digits == "" || rest != "" {
			return n, false
		}
		n.exp = sign + digits
	}
	return n, true
}

// cutDigits splits s after its leading ASCII digits.
func cutDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}
