package cookie

import (
	"fmt"
	"net/textproto"
	"reflect"
	"testing"
)

func TestPairs(t *testing.T) {
	got := Pairs(` a=1;b="2" ; c=""; d="; e; =f; g=h=i;;session~2="x;  s = y `)
	want := []Pair{{"a", "1"}, {"b", "2"}, {"c", ""}, {"d", `"`}, {"", "f"}, {"g", "h=i"}, {"session~2", `"x`}, {"s", " y"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Pairs =\n %q\nwant\n %q", got, want)
	}
	if got := Pairs(""); len(got) != 0 {
		t.Errorf("Pairs of nothing = %q", got)
	}
	for v, want := range map[string]string{`""`: "", `"a"`: "a", `"`: `"`, `a"`: `a"`, `"a`: `"a`, "": ""} {
		if got := Unquote(v); got != want {
			t.Errorf("Unquote(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestBlankIsWhatNetHTTPTrims: Blank holds exactly the bytes net/http trims
// around a cookie pair and its name (textproto.TrimString), and Pairs trims
// those and nothing else: a Unicode space starts another name.
func TestBlankIsWhatNetHTTPTrims(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := string([]byte{byte(c)})
		if trimmed := textproto.TrimString(s) == ""; trimmed != Blank(byte(c)) {
			t.Errorf("Blank(%#02x) = %v, net/http trims it: %v", c, Blank(byte(c)), trimmed)
		}
	}
	ps := Pairs(" \ta \t= 1 ;\u00a0b=2;\u2000c=3;\vd=4")
	want := []Pair{{"a", " 1"}, {"\u00a0b", "2"}, {"\u2000c", "3"}, {"\vd", "4"}}
	if fmt.Sprint(ps) != fmt.Sprint(want) {
		t.Errorf("Pairs = %q, want %q", ps, want)
	}
}
