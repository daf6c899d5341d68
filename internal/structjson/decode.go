package structjson

import (
	"reflect"
	"strconv"
	"unicode/utf8"
)

// Decode decodes data into v, an addressable zero value of the Codec's
// type, as json.Unmarshal would, and reports whether it could; on false,
// v may hold some of the fields and the caller resets it and asks
// encoding/json.
func (c *Codec) Decode(data []byte, v reflect.Value) bool {
	if len(data) < 2 || data[0] != '{' {
		return false
	}
	i := 1
	if data[i] == '}' {
		return i+1 == len(data)
	}
	for {
		f, next, ok := c.key(data, i)
		if !ok {
			return false
		}
		if i, ok = decodeValue(data, next, f, v.Field(f.index)); !ok || i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i++
		case '}':
			return i+1 == len(data)
		default:
			return false
		}
	}
}

// key reads `"name":` at data[i:] and returns name's field and the index
// after the colon.
func (c *Codec) key(data []byte, i int) (*field, int, bool) {
	s, end, ok := plainString(data, i)
	if !ok || end >= len(data) || data[end] != ':' {
		return nil, 0, false
	}
	for k := range c.fields {
		if f := &c.fields[k]; f.name == string(s) {
			return f, end + 1, true
		}
	}
	return nil, 0, false // unknown, or perhaps a field in another case: encoding/json decides
}

// decodeValue decodes the value at data[i:] into fv, of field f, and
// returns the index after it.
func decodeValue(data []byte, i int, f *field, fv reflect.Value) (int, bool) {
	switch f.kind {
	case reflect.Bool:
		return decodeBool(data, i, fv)
	case reflect.String:
		s, end, ok := plainString(data, i)
		if !ok || !utf8.Valid(s) {
			return 0, false
		}
		fv.SetString(string(s))
		return end, true
	case reflect.Slice:
		return decodeStrings(data, i, fv)
	case reflect.Float32, reflect.Float64:
		end, _ := number(data, i)
		if end == i {
			return 0, false
		}
		x, err := strconv.ParseFloat(string(data[i:end]), f.bits)
		if err != nil {
			return 0, false
		}
		fv.SetFloat(x)
		return end, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		end, integer := number(data, i)
		if end == i || !integer { // ParseUint refuses a sign
			return 0, false
		}
		x, err := strconv.ParseUint(string(data[i:end]), 10, f.bits)
		if err != nil {
			return 0, false
		}
		fv.SetUint(x)
		return end, true
	}
	end, integer := number(data, i)
	if end == i || !integer {
		return 0, false
	}
	x, err := strconv.ParseInt(string(data[i:end]), 10, f.bits)
	if err != nil {
		return 0, false
	}
	fv.SetInt(x)
	return end, true
}

// decodeStrings decodes an array of strings, or null, at data[i:] into fv,
// a slice of strings: a new slice (empty, not nil, for []), or nil.
func decodeStrings(data []byte, i int, fv reflect.Value) (int, bool) {
	if len(data)-i >= 4 && string(data[i:i+4]) == "null" {
		fv.SetZero()
		return i + 4, true
	}
	if i+1 >= len(data) || data[i] != '[' {
		return 0, false
	}
	list := []string{}
	if data[i+1] == ']' {
		setStrings(fv, list)
		return i + 2, true
	}
	for i++; ; {
		s, end, ok := plainString(data, i)
		if !ok || !utf8.Valid(s) || end >= len(data) {
			return 0, false
		}
		list = append(list, string(s))
		switch data[end] {
		case ',':
			i = end + 1
		case ']':
			setStrings(fv, list)
			return end + 1, true
		default:
			return 0, false
		}
	}
}

// setStrings sets fv, a slice of strings of any named type, to list.
func setStrings(fv reflect.Value, list []string) {
	v := reflect.ValueOf(list)
	if fv.Type() != v.Type() {
		v = v.Convert(fv.Type())
	}
	fv.Set(v)
}

// decodeBool decodes true or false at data[i:] into fv.
func decodeBool(data []byte, i int, fv reflect.Value) (int, bool) {
	switch rest := data[i:]; {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		fv.SetBool(true)
		return i + 4, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		fv.SetBool(false)
		return i + 5, true
	}
	return 0, false
}

// plainString returns the contents of the string at data[i:] and the index
// after it, when it has no escape and no control character.
func plainString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return data[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// number returns the end of the JSON number (RFC 8259 §6) at data[i:], i
// itself when there is none, and whether it is an integer (no fraction
// and no exponent).
func number(data []byte, i int) (end int, integer bool) {
	j := i
	if j < len(data) && data[j] == '-' {
		j++
	}
	switch {
	case j < len(data) && data[j] == '0':
		j++
	case j < len(data) && '1' <= data[j] && data[j] <= '9':
		j = digits(data, j)
	default:
		return i, false
	}
	integer = true
	if j < len(data) && data[j] == '.' {
		if k := digits(data, j+1); k > j+1 {
			j, integer = k, false
		} else {
			return i, false
		}
	}
	if j < len(data) && (data[j] == 'e' || data[j] == 'E') {
		k := j + 1
		if k < len(data) && (data[k] == '+' || data[k] == '-') {
			k++
		}
		if d := digits(data, k); d > k {
			j, integer = d, false
		} else {
			return i, false
		}
	}
	return j, integer
}

// digits returns the index after the decimal digits at data[i:].
func digits(data []byte, i int) int {
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	return i
}
