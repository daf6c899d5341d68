package cookiesession

import (
	"encoding/json"
	"math"

	"github.com/cookiesession/cookiesession/internal/jsonx"
	"github.com/cookiesession/cookiesession/internal/mapjson"
)

// The accessors below read one top-level value of a Map the same way
// whether it was stored by this request (a Go value) or decoded from the
// cookie (a json.Number, string, bool, nil, []any or map[string]any). Each
// returns false, with the zero value, for a missing key, a JSON null and a
// value of any other kind: it never converts a string to a number, never
// formats a number as a string, and never rounds a number to an integer.

// Int returns m[key] as an int64 when it is a number whose value is an
// integer from math.MinInt64 to math.MaxInt64, exactly.
//
// A json.Number counts by its value, not its spelling: "1000", "1e3",
// "1000.0" and "10000e-1" are all 1000. A fraction ("1.5"), a value out of
// range ("9223372036854775808", "1e19") and text that is not a JSON number
// ("+1", "0x10", "NaN") return false.
//
// A Go value of a predeclared integer type (int, int8 to int64, uint, uint8
// to uint64, uintptr) counts when it fits: a uint64 above math.MaxInt64
// returns false. A float32 or float64 counts by the value of the text
// encoding/json writes for it, the shortest that reads back as the same
// float, which is what the next request reads: float64(1e3) is 1000;
// float64(1<<62) is 4611686018427388000, its text, not the float's exact
// 4611686018427387904; float64(-1<<63), written -9223372036854776000,
// float64(0.5) and NaN return false. A named
// type (time.Duration, a type of yours) returns false until the session has
// been saved and opened again, when it is a json.Number: convert it to read
// it in the request that stores it.
func (m Map) Int(key string) (int64, bool) {
	switch v := m[key].(type) {
	case json.Number:
		return jsonx.NumberInt(string(v))
	case int:
		return int64(v), true
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case uint:
		return uintInt(uint64(v))
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint64:
		return uintInt(v)
	case uintptr:
		return uintInt(uint64(v))
	case float32:
		return jsonx.FloatInt(float64(v), 32)
	case float64:
		return jsonx.FloatInt(v, 64)
	}
	return 0, false
}

// Float returns m[key] as the float64 nearest its value, as
// strconv.ParseFloat rounds: exact for integers up to 2^53 and for values a
// float64 holds, rounded otherwise ("0.1", "9007199254740993"). Read an
// integer with Int to keep it exact.
//
// A json.Number counts when it is JSON number text (RFC 8259, section 6)
// within the float64 range: "1e400" returns false, while a value too small
// for a float64 reads as its nearest, 0 or a subnormal. A Go value of a
// predeclared integer type counts, rounded to nearest as Go converts it (as
// ParseFloat rounds its digits). A float64 counts as stored, a float32 as
// the text encoding/json writes for it (float32(0.1) is 0.1, not
// 0.10000000149011612), as the next request reads them; NaN and the
// infinities, which JSON cannot hold, return false. A named type returns
// false, as for Int.
func (m Map) Float(key string) (float64, bool) {
	switch v := m[key].(type) {
	case json.Number:
		return jsonx.NumberFloat(string(v))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, false
		}
		return v, true
	case float32:
		return jsonx.NumberFloat(jsonx.FloatText(float64(v), 32))
	case uint:
		return float64(v), true
	case uint64:
		return float64(v), true
	case uintptr:
		return float64(v), true
	}
	i, ok := m.Int(key) // every other integer type fits an int64
	return float64(i), ok
}

// String returns m[key] when it is a string: a JSON string, or a Go value
// of type string. Any other kind, a json.Number or a named string type
// included, returns "", false.
func (m Map) String(key string) (string, bool) {
	v, ok := m[key].(string)
	return v, ok
}

// Bool returns m[key] when it is a bool: JSON true or false, or a Go value
// of type bool. Any other kind, the strings "true" and "false" included,
// returns false, false.
func (m Map) Bool(key string) (bool, bool) {
	v, ok := m[key].(bool)
	return v, ok
}

// uintInt returns u as an int64 when it fits one.
func uintInt(u uint64) (int64, bool) {
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// decodeMap decodes data into d with mapjson when d is a *Map or a
// *map[string]any, as encoding/json with UseNumber would, and reports
// whether it did; on false, d is unchanged and encoding/json decides.
func decodeMap(data []byte, d any) bool {
	p := mapPointer(d)
	if p == nil {
		return false
	}
	m, err := mapjson.Decode(data)
	if err == nil {
		*p = m
	}
	return err == nil
}

// mapPointer returns v as a *map[string]any when it is a *Map or one, or
// nil.
func mapPointer(v any) *map[string]any {
	switch p := v.(type) {
	case *Map:
		return (*map[string]any)(p)
	case *map[string]any:
		return p
	}
	return nil
}
