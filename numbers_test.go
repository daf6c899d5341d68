package cookiesession

import (
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// sealedJSON opens the cj's one-cookie session with key 1 and returns its
// data JSON, as the next request will decode it.
func sealedJSON(t *testing.T, j jar, name string) string {
	t.Helper()
	c, err := format.NewCodec(format.XChaCha20Poly1305, false, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	_, pt, err := c.Open(name, 1, j[name])
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	return string(pt)
}

// TestMapNumbersExact stores numbers a float64 cannot hold in a Map session
// and checks that they come back exact, that an untouched request writes
// nothing, and that changing one key leaves every other byte as it was.
func TestMapNumbersExact(t *testing.T) {
	s := newStore[Map](t, Options{})
	j := jar{}
	var step func(Map)
	var got Map
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		got = sess.Data
		if step != nil {
			step(sess.Data)
		}
	}))
	step = func(d Map) {
		d["i"] = int64(1<<53 + 1)
		d["u"] = uint64(math.MaxUint64)
		d["neg"] = int64(math.MinInt64)
		d["dec"] = json.Number("3.14159265358979323846264338327950288")
		d["nested"] = map[string]any{"ids": []any{int64(1<<62 + 7), uint64(1<<63 + 1)}}
		d["n"] = 1
	}
	j.do(t, h)
	want := `{"dec":3.14159265358979323846264338327950288,"i":9007199254740993,"n":1,"neg":-9223372036854775808,"nested":{"ids":[4611686018427387911,9223372036854775809]},"u":18446744073709551615}`
	if js := sealedJSON(t, j, "session"); js != want {
		t.Fatalf("sealed %s\nwant   %s", js, want)
	}

	step = nil
	if rec := j.do(t, h); len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatalf("untouched Map session re-written: %q", rec.Header()["Set-Cookie"])
	}
	if n, ok := got["i"].(json.Number); !ok || n.String() != "9007199254740993" {
		t.Fatalf(`Data["i"] = %#v, want json.Number 9007199254740993`, got["i"])
	}
	if n, _ := got["i"].(json.Number).Int64(); n != 1<<53+1 {
		t.Fatalf("Int64() = %d", n)
	}
	if u := got["u"].(json.Number).String(); u != "18446744073709551615" {
		t.Fatalf(`Data["u"] = %s`, u)
	}
	ids := got["nested"].(map[string]any)["ids"].([]any)
	if ids[1].(json.Number).String() != "9223372036854775809" {
		t.Fatalf("nested uint64 = %v", ids[1])
	}

	step = func(d Map) { d["n"] = 2 }
	j.do(t, h)
	want2 := `{"dec":3.14159265358979323846264338327950288,"i":9007199254740993,"n":2,"neg":-9223372036854775808,"nested":{"ids":[4611686018427387911,9223372036854775809]},"u":18446744073709551615}`
	if js := sealedJSON(t, j, "session"); js != want2 {
		t.Fatalf("after changing n: %s\nwant %s", js, want2)
	}
}

// TestInterfaceFieldNumbersExact checks the same guarantee for interface
// values inside a typed session, and that a type without any stays on the
// plain decoder.
func TestInterfaceFieldNumbersExact(t *testing.T) {
	type data struct {
		Extra map[string]any `json:"extra"`
		Any   any            `json:"any"`
		N     int64          `json:"n"`
	}
	s := newStore[data](t, Options{})
	if !s.useNumber {
		t.Fatal("a struct with interface fields does not decode numbers exactly")
	}
	if newStore[cart](t, Options{}).useNumber {
		t.Fatal("a struct without interface values uses the number-preserving decoder")
	}
	type node struct {
		Next *node `json:"next"`
		N    int   `json:"n"`
	}
	if newStore[node](t, Options{}).useNumber {
		t.Fatal("recursive type without interfaces uses the number-preserving decoder")
	}
	j := jar{}
	var got data
	first := true
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if first {
			sess.Data = data{Extra: map[string]any{"id": uint64(1<<64 - 1)}, Any: int64(1<<53 + 1), N: 1<<62 + 1}
			first = false
		}
		got = sess.Data
	}))
	j.do(t, h)
	if rec := j.do(t, h); len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatal("untouched session re-written")
	}
	if got.Extra["id"].(json.Number).String() != "18446744073709551615" || got.Any.(json.Number).String() != "9007199254740993" || got.N != 1<<62+1 {
		t.Fatalf("got %#v", got)
	}
}
