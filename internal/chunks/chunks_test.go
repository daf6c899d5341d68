package chunks

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/cookie"
)

func TestName(t *testing.T) {
	for _, c := range []struct {
		i    int
		want string
	}{
		{1, "s"}, {2, "s~2"}, {9, "s~9"}, {10, "s~10"}, {99, "s~99"}, {100, "s~100"}, {255, "s~255"},
	} {
		if got := Name("s", c.i); got != c.want {
			t.Errorf("Name(s, %d) = %q, want %q", c.i, got, c.want)
		}
	}
	if got := Name("", 2); got != "~2" {
		t.Errorf("Name(\"\", 2) = %q", got)
	}
}

func TestNameLen(t *testing.T) {
	for _, name := range []string{"", "s", "__Host-session"} {
		for i := 1; i <= 999; i++ {
			if got, want := NameLen(name, i), len(Name(name, i)); got != want {
				t.Fatalf("NameLen(%q, %d) = %d, want %d", name, i, got, want)
			}
		}
	}
}

func TestParseIndex(t *testing.T) {
	for s, want := range map[string]int{
		"2": 2, "9": 9, "10": 10, "99": 99, "100": 100, "255": 255,
		"": -1, "0": -1, "1": -1, "256": -1, "999": -1, "1000": -1, "02": -1, "007": -1, "00": -1,
		"x": -1, "2x": -1, "-2": -1, "+2": -1, " 2": -1, "2 ": -1, "999999999": -1, "~2": -1,
	} {
		if got := ParseIndex(s); got != want {
			t.Errorf("ParseIndex(%q) = %d, want %d", s, got, want)
		}
	}
	// Every index a writer makes parses back to itself, and nothing else
	// of up to three characters parses.
	for i := 2; i <= Max; i++ {
		if got := ParseIndex(strconv.Itoa(i)); got != i {
			t.Fatalf("ParseIndex(%d) = %d", i, got)
		}
	}
}

func TestIndex(t *testing.T) {
	for _, c := range []struct {
		cookie string
		want   int
	}{
		{"session", 1}, {"session~2", 2}, {"session~10", 10}, {"session~100", 100}, {"session~255", 255},
		{"sessionx", 0}, {"sessio", 0}, {"other", 0}, {"", 0}, {"xsession", 0}, {"session.sig", 0},
		{"session~", -1}, {"session~0", -1}, {"session~1", -1}, {"session~02", -1}, {"session~256", -1},
		{"session~x", -1}, {"session~999999999", -1}, {"session~2~3", -1},
	} {
		if got := Index(c.cookie, "session"); got != c.want {
			t.Errorf("Index(%q, session) = %d, want %d", c.cookie, got, c.want)
		}
	}
	for i := 1; i <= Max; i++ {
		if got := Index(Name("s", i), "s"); got != i {
			t.Fatalf("Index(Name(s, %d)) = %d", i, got)
		}
	}
}

func TestCookieBytes(t *testing.T) {
	if got := CookieBytes("session~2", "abc"); got != 12 {
		t.Errorf("CookieBytes = %d, want 12", got)
	}
	if got := CookieBytes("", ""); got != 0 {
		t.Errorf("CookieBytes of nothing = %d", got)
	}
}

func TestHeaderBytes(t *testing.T) {
	for _, ps := range [][]cookie.Pair{
		nil,
		{{Name: "a", Value: ""}},
		{{Name: "session", Value: "AAAA"}},
		{{Name: "session", Value: "AAAA"}, {Name: "session~2", Value: "BB"}},
		{{Name: "session", Value: "AAAA"}, {Name: "session~2", Value: "BB"}, {Name: "session~3", Value: "C"}},
	} {
		var parts []string
		for _, p := range ps {
			parts = append(parts, p.Name+"="+p.Value)
		}
		if got, want := HeaderBytes(ps), len(strings.Join(parts, "; ")); got != want {
			t.Errorf("HeaderBytes(%v) = %d, want %d", ps, got, want)
		}
	}
	var h HeaderSize
	if h.Bytes() != 0 {
		t.Fatal("zero HeaderSize is not empty")
	}
	h.Add(1, 1)
	h.Add(3, 0)
	if h.Bytes() != len("a=b; ccc=") {
		t.Errorf("HeaderSize = %d", h.Bytes())
	}
}

func TestResolve(t *testing.T) {
	for _, c := range []struct{ in, want Limits }{
		{Limits{}, Limits{Cookie: 4000, Total: 4000, Chunks: 1}},
		{Limits{Cookie: 300}, Limits{Cookie: 300, Total: 300, Chunks: 1}},
		{Limits{Chunks: 1, Total: 5000}, Limits{Cookie: 4000, Total: 5000, Chunks: 1}},
		{Limits{Chunks: 4}, Limits{Cookie: 4000, Total: 6000, Chunks: 4}},
		{Limits{Cookie: 300, Total: 900, Chunks: 3}, Limits{Cookie: 300, Total: 900, Chunks: 3}},
		{Limits{Cookie: -1, Chunks: 999}, Limits{Cookie: -1, Total: 6000, Chunks: 999}}, // no checks
	} {
		if got := c.in.Resolve(4000, 6000); got != c.want {
			t.Errorf("%+v.Resolve = %+v, want %+v", c.in, got, c.want)
		}
	}
}

// header is what the cookies Split makes look like in a Cookie header.
func header(name string, parts []string) string {
	var ps []string
	for i, p := range parts {
		ps = append(ps, Name(name, i+1)+"="+p)
	}
	return strings.Join(ps, "; ")
}

func TestPlanSplit(t *testing.T) {
	l := Limits{Cookie: 300, Total: 100000, Chunks: Max}
	for _, name := range []string{"s", "__Host-session"} {
		for _, n := range []int{0, 1, 299 - len(name), 300 - len(name), 301 - len(name), 1000, 2700, 2800, 30000, 70000} {
			value := strings.Repeat("v", n)
			chunks, over := Plan(name, n, l)
			if over != nil {
				t.Fatalf("Plan(%q, %d) = %+v", name, n, over)
			}
			parts := Split(name, value, chunks, l)
			if len(parts) != chunks || strings.Join(parts, "") != value {
				t.Fatalf("Split(%q, %d) does not rejoin into the value", name, n)
			}
			for i, p := range parts {
				size := CookieBytes(Name(name, i+1), p)
				if size > l.Cookie || i < len(parts)-1 && size != l.Cookie {
					t.Fatalf("%q, %d bytes: chunk %d takes %d bytes of %d", name, n, i+1, size, l.Cookie)
				}
			}
			if n <= 300-len(name) && chunks != 1 {
				t.Fatalf("%q, %d bytes: %d chunks", name, n, chunks)
			}
		}
	}
}

func TestPlanOverflow(t *testing.T) {
	// One cookie: name plus value against the per-cookie budget.
	one := Limits{Cookie: 300, Total: 300, Chunks: 1}
	if n, over := Plan("s", 299, one); n != 1 || over != nil {
		t.Fatalf("299 bytes in one cookie: %d, %+v", n, over)
	}
	if _, over := Plan("s", 300, one); *over != (Overflow{Size: 301, Limit: 300, Chunks: 1}) {
		t.Fatalf("300 bytes in one cookie: %+v", over)
	}

	// The total budget: the chunks' Cookie-header bytes, "; " included.
	l := Limits{Cookie: 300, Total: 400, Chunks: 4}
	value := strings.Repeat("v", 400)
	_, over := Plan("s", len(value), l)
	want := len(header("s", Split("s", value, 2, l)))
	if over == nil || *over != (Overflow{Size: want, Limit: 400, Total: true, Chunks: 2}) || want != len("s=")+299+len("; s~2=")+101 {
		t.Fatalf("over the total budget: %+v, want Size %d", over, want)
	}
	if n, over := Plan("s", 400, Limits{Cookie: 300, Total: want, Chunks: 4}); n != 2 || over != nil {
		t.Fatalf("exactly the total budget: %d, %+v", n, over)
	}

	// More chunks than allowed: the bytes needed against what the allowed
	// chunks hold, full.
	l = Limits{Cookie: 300, Total: 100000, Chunks: 2}
	value = strings.Repeat("v", 700)
	_, over = Plan("s", len(value), l)
	need := len(header("s", Split("s", value, 3, Limits{Cookie: 300})))
	most := len(header("s", []string{strings.Repeat("v", 299), strings.Repeat("v", 297)}))
	if *over != (Overflow{Size: need, Limit: most, Chunks: 3}) {
		t.Fatalf("over the chunk count: %+v, want Size %d Limit %d", over, need, most)
	}
	// ... unless the total budget binds first.
	l.Total = 550
	if _, over = Plan("s", len(value), l); *over != (Overflow{Size: need, Limit: 550, Total: true, Chunks: 3}) {
		t.Fatalf("over the chunk count and the total: %+v", over)
	}

	// An empty value still takes one cookie.
	if n, over := Plan("s", 0, l); n != 1 || over != nil {
		t.Fatalf("empty value: %d, %+v", n, over)
	}
}

func TestLayoutOf(t *testing.T) {
	ps := cookie.Pairs("a=1; s~3=C; s=A; sx=0; s~0=z; s~02=y; s~2=B; s~2=dup; s~1=w")
	l := LayoutOf(ps, "s")
	want := []Chunk{{1, "s", "A"}, {2, "s~2", "B"}, {3, "s~3", "C"}}
	if !reflect.DeepEqual(l.Chunks, want) || l.Highest() != 3 || l.Value() != "ABC" {
		t.Fatalf("chunks %v, highest %d, value %q", l.Chunks, l.Highest(), l.Value())
	}
	if !reflect.DeepEqual(l.Ignored, []string{"s~0", "s~02", "s~1"}) {
		t.Errorf("ignored %q", l.Ignored)
	}
	if l.Problem != `cookie "s~2" sent twice` {
		t.Errorf("problem %q", l.Problem)
	}
	if got := l.HeaderBytes(); got != len("s=A; s~2=B; s~3=C") {
		t.Errorf("HeaderBytes %d", got)
	}

	l = LayoutOf(cookie.Pairs("s~3=C; s=A"), "s")
	if l.Problem != "chunk 2 (s~2) of 3 is missing" || len(l.Chunks) != 2 {
		t.Errorf("gap: %+v", l)
	}
	l = LayoutOf(cookie.Pairs("s~2=B"), "s")
	if l.Problem != "chunk 1 (s) of 2 is missing" {
		t.Errorf("no first chunk: %+v", l)
	}
	l = LayoutOf(cookie.Pairs("a=1; s~0=x"), "s")
	if len(l.Chunks) != 0 || l.Highest() != 0 || l.Problem != "" || l.Value() != "" || l.HeaderBytes() != 0 || len(l.Ignored) != 1 {
		t.Errorf("no chunk: %+v", l)
	}
}
