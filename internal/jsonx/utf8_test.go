package jsonx

import (
	"errors"
	"reflect"
	"testing"
)

func TestHasReplacement(t *testing.T) {
	for text, want := range map[string]bool{
		`"a"`:                    false,
		"\"\uFFFD\"":             true,
		`"\ufffd"`:               true,
		`"\\ufffd"`:              false, // the text \ufffd
		`"\\\ufffd"`:             true,  // a backslash, then the escape
		`"\\ufffd \ufffd"`:       true,
		`"\\\\ufffd"`:            false,
		`"\ufffe"`:               false,
		`{"k\\ufffd":"\\ufffd"}`: false,
	} {
		if got := HasReplacement([]byte(text)); got != want {
			t.Errorf("HasReplacement(%s) = %v, want %v", text, got, want)
		}
	}
}

func TestFindInvalidUTF8(t *testing.T) {
	type inner struct{ Name string }
	type outer struct {
		Items []inner
		M     map[string]any
		Skip  string `json:"-"`
	}
	for _, c := range []struct {
		v    any
		want string
	}{
		{outer{Items: []inner{{"ok"}, {"ok"}, {"b\xffd"}}}, "D.Items[2].Name"},
		{outer{M: map[string]any{"k": []any{1, "\xff"}}}, `D.M["k"][1]`},
		{outer{M: map[string]any{"\xff": 1}}, "a key of D.M"},
		{outer{Skip: "\xff"}, ""},
		{outer{Items: []inner{{"\uFFFD"}}}, ""},
		{map[int][]byte{1: []byte("\xff")}, ""},
	} {
		got, err := FindInvalidUTF8(reflect.ValueOf(c.v), "D")
		if err != nil || got != c.want {
			t.Errorf("FindInvalidUTF8(%#v) = %q, %v; want %q", c.v, got, err, c.want)
		}
	}
	var deep any = "\xff"
	for range MaxCheckDepth + 1 {
		deep = []any{deep}
	}
	if _, err := FindInvalidUTF8(reflect.ValueOf(deep), "D"); !errors.Is(err, ErrTooDeep) {
		t.Errorf("nested %d levels: %v, want ErrTooDeep", MaxCheckDepth+1, err)
	}
}
