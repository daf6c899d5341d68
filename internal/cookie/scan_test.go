package cookie

import (
	"fmt"
	"net/textproto"
	"reflect"
	"strings"
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

// named collects what Named yields.
func named(lines []string, name string) ([]string, bool) {
	var got []string
	ok := Named(lines, name, '~', func(p string) { got = append(got, p) })
	return got, ok
}

// TestNamed: Named yields the pairs Pairs reads whose name is name or
// name~..., trimmed, in order, across lines; and nothing else.
func TestNamed(t *testing.T) {
	for _, lines := range [][]string{
		{"a=1; s=A; sx=0; s~2=B;\ts~3 = C ;x=s; \u00a0s=no; \vs=no"},
		{"s=A", " s~2=\"B\"", "s", "s~", "xs=1;s"},
		{"s=1; s=2;s=3", "", ";;; s=4"},
		{"a=s=1; b=\"s\"; s=5"},
	} {
		got, ok := named(lines, "s")
		var want []string
		for _, line := range lines {
			for _, p := range Pairs(line) {
				if p.Name == "s" || strings.HasPrefix(p.Name, "s~") {
					want = append(want, p.Name)
				}
			}
		}
		var names []string
		for _, p := range got {
			if k, _, ok := strings.Cut(p, "="); ok { // Named leaves pieces without '=' to the caller
				names = append(names, textproto.TrimString(k))
			}
			if textproto.TrimString(p) != p {
				t.Errorf("pair %q is not trimmed", p)
			}
		}
		if !ok || !reflect.DeepEqual(names, want) {
			t.Errorf("Named(%q) = %q, %v; Pairs has %q", lines, got, ok, want)
		}
	}
}

// TestNamedCap: Named reads MaxCookies pairs that contain the name and
// stops at the next one, however they are spread over lines; other pairs
// do not count.
func TestNamedCap(t *testing.T) {
	junk := strings.Repeat("x=1; ", 2*MaxCookies)
	lines := []string{junk + strings.Repeat("sx=1; ", MaxCookies-1), "s=A"}
	if got, ok := named(lines, "s"); !ok || len(got) != 1 || got[0] != "s=A" {
		t.Errorf("at the cap: %q, %v", got, ok)
	}
	lines = []string{strings.Repeat("sx=1; ", MaxCookies), "s=A"}
	if got, ok := named(lines, "s"); ok || len(got) != 0 {
		t.Errorf("over the cap: %q, %v", got, ok)
	}
	if n := CountPairs([]string{"a=1; b=2", "c", ""}); n != 4 {
		t.Errorf("CountPairs = %d, want 4", n)
	}
}
