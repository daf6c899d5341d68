package gorillastore

// Between gorilla's session.Values (map[interface{}]interface{}, encoded
// with gob by gorilla's stores) and the JSON object a cookiesession.Map
// seals: only what JSON gives back as itself passes, numbers aside.

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession"
)

// maxKeyText is how much of a non-string key's Go syntax an error shows.
const maxKeyText = 40

// toMap returns values as a Map, or a *ValueError for the first key whose
// value a cookie cannot carry (gorilla/sessions' "_flash" list included).
// The values are shared, not copied.
func toMap(values map[any]any) (cookiesession.Map, error) {
	m := make(cookiesession.Map, len(values))
	for k, v := range values {
		key, ok := k.(string)
		if !ok {
			text := fmt.Sprintf("%#v", k)
			if len(text) > maxKeyText {
				text = text[:maxKeyText] + "..."
			}
			return nil, &ValueError{Key: text, Type: fmt.Sprintf("%T", k), Problem: "a key must be a string: JSON object keys are strings"}
		}
		if !utf8.ValidString(key) {
			return nil, notUTF8(strconv.Quote(key), "string key")
		}
		if err := checkValue(v, strconv.Quote(key)); err != nil {
			return nil, err
		}
		m[key] = v
	}
	return m, nil
}

// checkValue returns a *ValueError, naming it by path, when v is not one of
// the values JSON gives back as themselves: nil, bool, a UTF-8 string,
// []any, map[string]any; or a number, which comes back as a json.Number.
func checkValue(v any, path string) error {
	switch v := v.(type) {
	case nil, bool,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return nil
	case string:
		if !utf8.ValidString(v) {
			return notUTF8(path, "string")
		}
	case json.Number:
		if !isJSONNumber(string(v)) {
			return &ValueError{Key: path, Type: "json.Number", Problem: "not JSON number text"}
		}
	case float32:
		return checkFloat(float64(v), path, "float32")
	case float64:
		return checkFloat(v, path, "float64")
	case []any:
		for i, e := range v {
			if err := checkValue(e, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range v {
			if !utf8.ValidString(k) {
				return notUTF8(path+"."+strconv.Quote(k), "string key")
			}
			if err := checkValue(e, path+"."+strconv.Quote(k)); err != nil {
				return err
			}
		}
	default:
		return &ValueError{Key: path, Type: fmt.Sprintf("%T", v), Problem: "JSON would give it back as another type " +
			"(a struct or map as map[string]any, a slice as []any, a named or time type as its underlying kind), or cannot hold it at all; " +
			"store strings, numbers, bools, []any and map[string]any, or use a typed cookiesession.Store"}
	}
	return nil
}

// notUTF8 is the error for a string, or a key, that is not UTF-8.
func notUTF8(path, typ string) error {
	return &ValueError{Key: path, Type: typ, Problem: "not valid UTF-8: JSON would give back U+FFFD in place of the invalid bytes; " +
		"store binary data encoded, with encoding/base64 for instance"}
}

// checkFloat refuses the floats JSON cannot hold.
func checkFloat(f float64, path, typ string) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return &ValueError{Key: path, Type: typ, Problem: "NaN and the infinities have no JSON form"}
	}
	return nil
}

// isJSONNumber reports whether s is a JSON number (RFC 8259 §6).
func isJSONNumber(s string) bool {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil
}

// fromMap copies an opened session's data into gorilla's Values.
func fromMap(m cookiesession.Map, values map[any]any) {
	for k, v := range m {
		values[k] = v
	}
}
