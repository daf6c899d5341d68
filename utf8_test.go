package cookiesession

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/testjar"
)

// notUTF8 is a Go string that is not UTF-8 (the start of a gzip stream, as
// gothic stores it); badMark is its readable part, which no error
// message may quote.
const (
	badMark = "GZSTATE"
	notUTF8 = badMark + "\x1f\x8b\x08\xff\xfe"
)

type utf8Item struct{ Name string }

type UTF8Embedded struct{ Inner string }

type utf8Doc struct {
	Name  string
	Items []utf8Item
	M     map[string]string
	P     *string
	I     any
	A     [2]string
	Raw   []byte
	Skip  string `json:"-"`
	UTF8Embedded
}

// utf8Case is one session state to save: set changes the data; path is
// where the error must say the invalid string is ("" when the save must
// succeed and read back the same data).
type utf8Case[T any] struct {
	name string
	set  func(*T)
	path string
}

// TestInvalidUTF8Refused: data holding a string that is not UTF-8, at any
// depth, fails the commit with ErrEncode naming its path, without its
// content, and the client keeps its cookie; a genuine U+FFFD, the text
// \ufffd, bytes in a []byte and a field tagged "-" save and read back as
// they were. Under Go 1.26 encoding/json writes \ufffd for each invalid
// byte, under 1.27 the character U+FFFD: both are refused.
func TestInvalidUTF8Refused(t *testing.T) {
	bad := notUTF8
	testUTF8Cases(t, []utf8Case[Map]{
		{"value", func(m *Map) { (*m)["state"] = notUTF8 }, `Data["state"]`},
		{"nested", func(m *Map) { (*m)["l"] = []any{"ok", map[string]any{"x": notUTF8}} }, `Data["l"][1]["x"]`},
		{"key", func(m *Map) { (*m)[notUTF8] = 1 }, `a key of Data is`},
		{"escaped backslash too", func(m *Map) { (*m)["t"] = `\ufffd` + notUTF8 }, `Data["t"]`},
		{"genuine U+FFFD", func(m *Map) { (*m)["s"] = "a\uFFFDb" }, ""},
		{"text \\ufffd", func(m *Map) { (*m)["s"] = `x\ufffd\\ufffd` }, ""},
		{"bytes", func(m *Map) { (*m)["b"] = []byte(notUTF8) }, ""},
	})
	testUTF8Cases(t, []utf8Case[utf8Doc]{
		{"field", func(d *utf8Doc) { d.Name = notUTF8 }, `Data.Name is`},
		{"nested slice", func(d *utf8Doc) { d.Items = []utf8Item{{"a"}, {"b"}, {notUTF8}} }, `Data.Items[2].Name`},
		{"map key", func(d *utf8Doc) { d.M = map[string]string{notUTF8: "v"} }, `a key of Data.M is`},
		{"map value", func(d *utf8Doc) { d.M = map[string]string{"k": notUTF8} }, `Data.M["k"]`},
		{"pointer", func(d *utf8Doc) { d.P = &bad }, `Data.P is`},
		{"interface", func(d *utf8Doc) { d.I = []any{1, &bad} }, `Data.I[1]`},
		{"array", func(d *utf8Doc) { d.A[1] = notUTF8 }, `Data.A[1]`},
		{"embedded", func(d *utf8Doc) { d.Inner = notUTF8 }, `Data.UTF8Embedded.Inner`},
		{"genuine U+FFFD", func(d *utf8Doc) { d.Name, d.Items = "\uFFFD", []utf8Item{{`\ufffd`}} }, ""},
		{"bytes and skipped", func(d *utf8Doc) { d.Name, d.Raw, d.Skip = "\uFFFD", []byte(notUTF8), notUTF8 }, ""},
	})
}

// testUTF8Cases runs each case on a session that holds a saved cookie.
func testUTF8Cases[T any](t *testing.T, cases []utf8Case[T]) {
	t.Helper()
	s := newStore[T](t, Options{})
	for _, c := range cases {
		t.Run(reflect.TypeFor[T]().Name()+"/"+c.name, func(t *testing.T) {
			j := jar{}
			first := s.Open(Request{})
			u, err := first.Commit()
			if err != nil {
				t.Fatal(err)
			}
			j.updateLines(u.SetCookie)
			sess := s.Open(Request{Cookie: []string{testjar.Header(j)}})
			c.set(&sess.Data)
			u, err = sess.Commit()
			if c.path == "" {
				if err != nil {
					t.Fatalf("commit: %v", err)
				}
				j.updateLines(u.SetCookie)
				back := s.Open(Request{Cookie: []string{testjar.Header(j)}})
				want := s.Open(Request{})
				c.set(&want.Data)
				wantJSON, _ := json.Marshal(want.Data)
				if gotJSON, _ := json.Marshal(back.Data); string(gotJSON) != string(wantJSON) {
					t.Fatalf("read back %s, want %s", gotJSON, wantJSON)
				}
				return
			}
			checkUTF8Error(t, err, c.path)
			if len(u.SetCookie) != 0 {
				t.Fatalf("Set-Cookie on a refused save: %q", u.SetCookie)
			}
		})
	}
}

// checkUTF8Error checks that err is ErrEncode, names path, says what to
// do, and quotes no data.
func checkUTF8Error(t *testing.T, err error, path string) {
	t.Helper()
	if !errors.Is(err, ErrEncode) {
		t.Fatalf("err = %v, want ErrEncode", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, path) || !strings.Contains(msg, "not valid UTF-8") || !strings.Contains(msg, "[]byte") {
		t.Fatalf("error %q does not name %s or say what to do", msg, path)
	}
	if strings.Contains(msg, badMark) || strings.Contains(msg, `\x1f`) || strings.Contains(msg, "\x1f") {
		t.Fatalf("error quotes the data: %q", msg)
	}
}

// TestInvalidUTF8Middleware: under the middleware, a session holding a
// string that is not UTF-8 is answered by Options.ErrorHandler with
// ErrEncode, with no Set-Cookie, and the previous session stays.
func TestInvalidUTF8Middleware(t *testing.T) {
	var handled error
	s := newStore[Map](t, Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		handled = err
		http.Error(w, "session not saved", http.StatusInternalServerError)
	}})
	value := "kept"
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if got, _ := sess.Data.String("v"); got != "kept" && !sess.IsNew() {
			t.Errorf("the previous session is lost: %q", got)
		}
		sess.Data["v"] = value
	}))
	j := jar{}
	j.do(t, h)
	value = notUTF8
	rec := j.do(t, h)
	if rec.Code != http.StatusInternalServerError || len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatalf("answer %d, Set-Cookie %q", rec.Code, rec.Header()["Set-Cookie"])
	}
	checkUTF8Error(t, handled, `Data["v"]`)
	value = "kept"
	j.do(t, h)
}

// TestInvalidUTF8Flash: a flash message that is not UTF-8 fails the
// commit with ErrEncode naming it; one holding U+FFFD is kept.
func TestInvalidUTF8Flash(t *testing.T) {
	s := newStore[Map](t, Options{})
	for _, c := range []struct {
		add  func(*Session[Map])
		path string
	}{
		{func(sess *Session[Map]) { sess.AddFlash("ok"); sess.AddFlash(notUTF8) }, "flash message 1 (AddFlash)"},
		{func(sess *Session[Map]) { sess.AddFlashTo("a", "ok"); sess.AddFlashTo("b", notUTF8) }, "flash message 0 of category 1,"},
		{func(sess *Session[Map]) { sess.AddFlash("\uFFFD"); sess.AddFlashTo("a", "\uFFFD \\ufffd") }, ""},
	} {
		sess := s.Open(Request{})
		c.add(sess)
		u, err := sess.Commit()
		if c.path == "" {
			if err != nil || len(u.SetCookie) == 0 {
				t.Fatalf("commit: %v", err)
			}
			continue
		}
		checkUTF8Error(t, err, c.path)
	}
}

// TestInvalidUTF8Deep: a genuine U+FFFD nested 1,200 levels deep saves;
// nested past the search's bound of 10000 levels, the save fails with
// ErrEncode rather than go unchecked (Go 1.27's encoding/json refuses
// such nesting itself).
func TestInvalidUTF8Deep(t *testing.T) {
	s := newStore[Map](t, Options{})
	for _, c := range []struct {
		levels int
		fails  bool
	}{{1200, false}, {10001, true}} {
		var v any = "\uFFFD"
		for range c.levels {
			v = []any{v}
		}
		sess := s.Open(Request{})
		sess.Data["d"] = v
		_, err := sess.Commit()
		if c.fails != (err != nil) || c.fails && !errors.Is(err, ErrEncode) { // Go 1.27's encoding/json refuses it first
			t.Fatalf("%d levels: %v", c.levels, err)
		}
	}
}

// utf8Codec is an Options.JSON codec: encoding/json through a Decoder
// with UseNumber.
type utf8Codec struct{}

func (utf8Codec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }
func (utf8Codec) Unmarshal(data []byte, v any) error {
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	return d.Decode(v)
}

// TestInvalidUTF8Codec: the check applies to a plugged Options.JSON
// codec's output as well.
func TestInvalidUTF8Codec(t *testing.T) {
	s := newStore[Map](t, Options{JSON: utf8Codec{}})
	sess := s.Open(Request{})
	sess.Data["x"] = map[string]any{"y": notUTF8}
	_, err := sess.Commit()
	checkUTF8Error(t, err, `Data["x"]["y"]`)
	w := httptest.NewRecorder()
	if err := sess.Save(w); !errors.Is(err, ErrEncode) || len(w.Header()["Set-Cookie"]) != 0 {
		t.Fatalf("Save = %v, Set-Cookie %q", err, w.Header()["Set-Cookie"])
	}
}

// BenchmarkUTF8Commit: the cost of the check on data without U+FFFD (the
// normal path), for a Map and a typed session.
func BenchmarkUTF8Commit(b *testing.B) {
	b.Run("Map", func(b *testing.B) {
		s := newStore[Map](b, Options{})
		benchCommit(b, s, func(m *Map) {
			*m = Map{"user": "alice@example.com", "role": "admin", "csrf": "k2Jx9fQ0cVZ8", "n": 42, "items": []any{"a", "b", "c"}}
		})
	})
	b.Run("struct", func(b *testing.B) {
		s := newStore[utf8Doc](b, Options{})
		benchCommit(b, s, func(d *utf8Doc) {
			d.Name, d.Items, d.M = "alice@example.com", []utf8Item{{"a"}, {"b"}, {"c"}}, map[string]string{"role": "admin"}
		})
	})
}

// benchCommit commits a session that set fills, once per iteration.
func benchCommit[T any](b *testing.B, s *Store[T], set func(*T)) {
	b.ReportAllocs()
	for b.Loop() {
		sess := s.Open(Request{})
		set(&sess.Data)
		if _, err := sess.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckUTF8: the check alone on a Map session's JSON without
// U+FFFD (two scans), and with a genuine U+FFFD (the search of the data).
func BenchmarkCheckUTF8(b *testing.B) {
	m := Map{"user": "alice@example.com", "role": "admin", "csrf": "k2Jx9fQ0cVZ8", "n": 42, "items": []any{"a", "b", "c"}}
	for _, name := range []string{"clean", "U+FFFD"} {
		if name == "U+FFFD" {
			m["s"] = "\uFFFD"
		}
		j, err := json.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := checkUTF8(j, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
