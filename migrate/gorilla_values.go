package migrate

// The values of a gorilla/sessions CookieStore (a gob-encoded
// map[interface{}]interface{}) and their JSON form: exact numbers, string
// keys, and back again in transition mode (docs/MIGRATING.md lists each
// type).

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// gorillaOrig keeps the values a gorilla cookie held, by the JSON key each
// became, so that a transition write-back can give back, for every key
// whose value did not change, the very key and value it read (an int64
// stays an int64, an int key an int key, a registered struct that struct)
// instead of what JSON alone can say.
type gorillaOrig map[string]gorillaEntry

// gorillaEntry is one key of a gorilla session as read.
type gorillaEntry struct {
	key, value interface{}
	json       []byte // canonicalJSON of the value as the session held it
}

// gobToJSONOrig decodes a CookieStore's gob-encoded
// map[interface{}]interface{}, converts it to a JSON object, and returns the
// decoded values too.
func gobToJSONOrig(raw []byte, what string) ([]byte, gorillaOrig, error) {
	scan, err := scanGob(raw)
	if errors.Is(err, errGobSkippedNil) {
		return nil, nil, fmt.Errorf("%w: %s holds %v: give the type every field the gorilla application's type had", cookiesession.ErrLegacyPayload, what, err)
	}
	if err != nil && !errors.Is(err, errGobRefusesValue) {
		return nil, nil, fmt.Errorf("%w: %s is not a well-formed gob-encoded CookieStore map (%v); set JSON if it used securecookie.JSONEncoder", cookiesession.ErrLegacyPayload, what, err)
	}
	values, derr := decodeGob(raw) // after errGobRefusesValue, gob stops where checkGob did, with its own reason
	if derr == nil && err != nil {
		derr = err
	}
	if err = derr; err != nil {
		msg, unregistered := gobDecodeProblem(err, scan.marshalers)
		if unregistered {
			return nil, nil, fmt.Errorf("%w: %s holds a value of a type not registered with gob in this program (%s): call gob.Register for it, as the gorilla application did, before serving", cookiesession.ErrLegacyPayload, what, msg)
		}
		return nil, nil, fmt.Errorf("%w: %s does not decode: %s; set JSON if it used securecookie.JSONEncoder", cookiesession.ErrLegacyPayload, what, msg)
	}
	obj, err := gorillaObject(values)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", cookiesession.ErrLegacyPayload, what, err)
	}
	out, err := jsonx.Marshal(obj)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s does not convert to JSON: %s", cookiesession.ErrLegacyPayload, what, jsonx.Problem(err))
	}
	return out, originals(values, obj), nil
}

// decodeGob decodes a CookieStore's map. encoding/gob turns its own
// failures into errors but lets a runtime panic through: a map key whose
// concrete type cannot be a map key (a slice, say) panics inside
// reflect.Value.SetMapIndex. decodeGob returns that as an error too, so
// that such a cookie is refused like any other broken one.
func decodeGob(raw []byte) (values map[interface{}]interface{}, err error) {
	defer func() {
		if p := recover(); p != nil {
			values, err = nil, errors.New("gob: the decoder failed on it")
			if re, ok := p.(runtime.Error); ok { // names types, never values
				err = fmt.Errorf("gob: the decoder failed on it: %v", re)
			}
		}
	}()
	err = gob.NewDecoder(bytes.NewReader(raw)).Decode(&values)
	return values, err
}

// gorillaObject converts a gob-decoded map to one JSON encoding/json can
// encode, with the key rules of Gorilla's documentation.
func gorillaObject(m map[interface{}]interface{}) (map[string]any, error) {
	out := make(map[string]any, len(m))
	// String keys first, so that a collision is reported whatever the
	// map's iteration order.
	for k, v := range m {
		if s, ok := k.(string); ok {
			cv, err := gorillaValue(v)
			if err != nil {
				return nil, err
			}
			out[s] = cv
		}
	}
	for k, v := range m {
		if _, ok := k.(string); ok {
			continue
		}
		s, err := gorillaKey(k)
		if err != nil {
			return nil, err
		}
		if _, dup := out[s]; dup {
			return nil, fmt.Errorf("a key of type %T has the same text as another key", k)
		}
		cv, err := gorillaValue(v)
		if err != nil {
			return nil, err
		}
		out[s] = cv
	}
	return out, nil
}

// gorillaKey returns the JSON object key for a non-string map key.
func gorillaKey(k interface{}) (string, error) {
	v := reflect.ValueOf(k)
	if !v.IsValid() {
		return "", errors.New("a nil key cannot be a JSON object key")
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("a %T key that is not finite cannot be a JSON object key", k)
		}
		bits := 64
		if v.Kind() == reflect.Float32 {
			bits = 32
		}
		return strconv.FormatFloat(f, 'g', -1, bits), nil
	}
	return "", fmt.Errorf("a key of type %T cannot be a JSON object key", k)
}

// gorillaValue converts nested gob maps; other values are left to
// encoding/json.
func gorillaValue(v interface{}) (interface{}, error) {
	switch x := v.(type) {
	case map[interface{}]interface{}:
		return gorillaObject(x)
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			ce, err := gorillaValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = ce
		}
		return out, nil
	case map[string]interface{}:
		out := make(map[string]interface{}, len(x))
		for k, e := range x {
			ce, err := gorillaValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = ce
		}
		return out, nil
	}
	return v, nil
}

// jsonToGorillaOrig converts a JSON object to the map a CookieStore holds,
// its numbers decoded as json.Number so that none passes through float64
// (see gorillaNumber), and gives back orig's key and value for every
// top-level key whose value is unchanged.
func jsonToGorillaOrig(data []byte, orig gorillaOrig) (map[interface{}]interface{}, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]interface{}
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, fmt.Errorf("%w: session data is not a JSON object, which a gorilla session needs", cookiesession.ErrEncode)
	}
	out := make(map[interface{}]interface{}, len(obj))
	for k, v := range obj {
		if e, ok := orig[k]; ok {
			// v re-encoded is canonical (decoded generically, keys sorted).
			if c, err := json.Marshal(v); err == nil && bytes.Equal(c, e.json) {
				out[e.key] = e.value
				continue
			}
		}
		cv, err := gorillaFromJSON(v)
		if err != nil {
			return nil, fmt.Errorf("%w: writing the gorilla cookie: a value %v", cookiesession.ErrEncode, err)
		}
		out[k] = cv
	}
	return out, nil
}

// originals records, for each key of a decoded gorilla map, its original
// key and value and the canonical JSON of what it became.
func originals(values map[interface{}]interface{}, obj map[string]any) gorillaOrig {
	orig := make(gorillaOrig, len(values))
	for k, v := range values {
		s, ok := k.(string)
		if !ok {
			var err error
			if s, err = gorillaKey(k); err != nil {
				continue
			}
		}
		b, err := json.Marshal(obj[s])
		if err != nil {
			continue
		}
		if c, err := canonicalJSON(b); err == nil {
			orig[s] = gorillaEntry{key: k, value: v, json: c}
		}
	}
	return orig
}

// canonicalJSON re-encodes JSON with encoding/json, objects' keys sorted
// and numbers as written, so that two encodings of one value compare equal.
func canonicalJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v interface{}
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// gorillaFromJSON converts a value decoded with UseNumber to the Go types
// a gorilla application most likely stored.
func gorillaFromJSON(v interface{}) (interface{}, error) {
	var err error
	switch x := v.(type) {
	case json.Number:
		return gorillaNumber(string(x))
	case []interface{}:
		for i := range x {
			if x[i], err = gorillaFromJSON(x[i]); err != nil {
				return nil, err
			}
		}
	case map[string]interface{}:
		for k := range x {
			if x[k], err = gorillaFromJSON(x[k]); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// gorillaNumber converts a JSON number to the Go value a CookieStore gets
// back: an integer as int if it fits (what gorilla applications store
// most), else int64, else uint64; any other number, and an integer beyond
// 64 bits, as float64, but only if the float64 has the same decimal value,
// so that no digit is lost. A number that fits none of these is an error.
func gorillaNumber(s string) (interface{}, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 0); err == nil {
			return int(i), nil
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && sameDecimal(s, strconv.FormatFloat(f, 'e', -1, 64)) {
		return f, nil
	}
	return nil, errors.New("is a number that neither a 64-bit integer nor a float64 holds exactly: store it as a string")
}

// sameDecimal reports whether the JSON numbers a and b have the same value.
func sameDecimal(a, b string) bool {
	an, ad, ae, aok := decimalParts(a)
	bn, bd, be, bok := decimalParts(b)
	return aok && bok && an == bn && ad == bd && (ae == be || ad == "")
}

// decimalParts splits a JSON number into its sign, its significant digits
// without leading or trailing zeros, and the power of ten that the last
// digit stands for: "-12.50e3" is -, "125", 2.
func decimalParts(s string) (neg bool, digits string, exp int, ok bool) {
	neg = strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, e, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		var err error
		if exp, err = strconv.Atoi(e); err != nil {
			return false, "", 0, false
		}
	}
	whole, frac, _ := strings.Cut(mant, ".")
	digits = strings.TrimLeft(whole+frac, "0")
	exp -= len(frac)
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		exp++
	}
	if digits == "" {
		neg = false // -0 and 0 are the same number
	}
	return neg, digits, exp, true
}
