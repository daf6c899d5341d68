package mapjson

import "bytes"

// MarshalAfter returns Marshal(m), taking the order of m's keys from prev,
// the JSON m was decoded from or last encoded as, when prev's top-level
// keys are exactly m's (a request that changed values, not keys): that
// saves collecting and sorting them. prev is only a hint: its keys are used
// when each is plain ASCII without escapes, each is in m, each sorts after
// the one before and there are len(m) of them, so the order is the one
// Marshal sorts, whatever prev holds; otherwise MarshalAfter sorts.
func MarshalAfter(m map[string]any, prev []byte) ([]byte, error) {
	if m == nil || len(prev) < 2 {
		return Marshal(m)
	}
	b, ok, err := appendInOrder(make([]byte, 0, len(prev)+64), m, prev)
	if ok || err != nil {
		return b, err
	}
	keys, _ := sortedKeys(m)
	return appendMembers(b[:0], m, keys, 1)
}

// appendInOrder appends the object m with its keys in prev's order, and
// reports whether prev's keys are m's, sorted; if not, b holds a part.
func appendInOrder(b []byte, m map[string]any, prev []byte) ([]byte, bool, error) {
	if prev[0] != '{' {
		return b, false, nil
	}
	b = append(b, '{')
	n := 0
	var last []byte
	for i := 1; i < len(prev) && prev[i] != '}'; n++ {
		if n > 0 {
			if prev[i] != ',' {
				return b, false, nil
			}
			b = append(b, ',')
			i++
		}
		j := i + 1
		for j < len(prev) && plain[prev[j]] {
			j++
		}
		if prev[i] != '"' || j+1 >= len(prev) || prev[j] != '"' || prev[j+1] != ':' {
			return b, false, nil // not a plain key: Marshal sorts
		}
		k := prev[i+1 : j]
		v, ok := m[string(k)]
		if !ok || n > 0 && bytes.Compare(last, k) >= 0 {
			return b, false, nil
		}
		b = append(b, prev[i:j+2]...) // "key": as appendString writes a plain key
		var err error
		if b, err = appendValue(b, v, 1); err != nil {
			return b, false, err
		}
		if i = skipValue(prev, j+2); i < 0 {
			return b, false, nil
		}
		last = k
	}
	if n != len(m) {
		return b, false, nil
	}
	return append(b, '}'), true, nil
}

// skipValue returns the offset after the compact JSON value at s[i], or -1
// when there is none. It checks no more than the nesting of brackets and
// the ends of strings: it only finds the next key.
func skipValue(s []byte, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of the object holding a scalar
			}
			depth--
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
