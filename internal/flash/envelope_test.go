package flash

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// TestSealOpen: default-category messages seal exactly what versions
// without categories sealed, categories follow in the order of their
// first message, and each envelope opens to the same messages.
func TestSealOpen(t *testing.T) {
	var a Set
	a.Add("", "m1")
	for _, c := range []struct {
		f    Set
		want string
	}{
		{a, `[{"n":1},["m1"]]`}, // what versions without categories seal
		{Set{Cats: []Category{{"error", []string{"x"}}}}, `[{"n":1},[],[["error",["x"]]]]`},
		{Set{Default: []string{"<&>"}, Cats: []Category{{"b", []string{"1", "2"}}, {"a", []string{"3"}}}}, `[{"n":1},["<&>"],[["b",["1","2"]],["a",["3"]]]]`},
	} {
		pt, err := Seal(&format.Meta{}, []byte(`{"n":1}`), &c.f, nil)
		if err != nil || string(pt) != c.want {
			t.Errorf("sealed %s (%v), want %s", pt, err, c.want)
		}
		data, f, err := Open(pt)
		if err != nil || string(data) != `{"n":1}` || !f.Equal(&c.f) {
			t.Errorf("%s opens to %s %+v (%v)", pt, data, f, err)
		}
	}
}

// TestEnvelopeVectors: every test vector with the flashes flag opens, and
// seals back byte for byte: the vectors written before categories existed
// are what a session with default-category messages still seals.
func TestEnvelopeVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "format", "testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct {
		Comment, Plaintext, Error string
		Flashes                   bool
	}
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	n, cats := 0, 0
	for _, v := range vectors {
		if !v.Flashes || v.Error != "" {
			continue
		}
		n++
		dataJSON, f, err := Open([]byte(v.Plaintext))
		if err != nil {
			t.Fatalf("%s: %v", v.Comment, err)
		}
		cats += len(f.Cats)
		if pt, err := Seal(&format.Meta{}, dataJSON, &f, nil); err != nil || string(pt) != v.Plaintext {
			t.Errorf("%s: seals back as %s (%v)", v.Comment, pt, err)
		}
	}
	if n < 4 || cats < 2 {
		t.Fatalf("%d vectors with flashes, %d categories", n, cats)
	}
}

// TestOpenRefused: envelopes no writer makes fail, with a message that
// names the flash envelope (the store wraps it in ErrDecode)
// (the session, not only its messages, is refused, as for a bad message
// list); a fourth element is ignored, as readers without categories
// ignore the third.
func TestOpenRefused(t *testing.T) {
	for _, pt := range []string{
		`[{},[],[["a",["1"]],["a",["2"]]]]`, // repeated
		`[{},[],[["",["1"]]]]`,              // the default category
		`[{},[],[["a",[]]]]`,                // no message
		`[{},[],[["a",null]]]`,
		`[{},[],[[null,["1"]]]]`,
		`[{},[],[["a",["1"],"x"]]]`,
		`[{},[],[["a"]]]`,
		`[{},[],[["a",[1]]]]`,
		`[{},[],{"a":["1"]}]`,
		`[{},[],"a"]`,
		`[{},[],[["` + strings.Repeat("x", MaxCategoryBytes+1) + `",["1"]]]]`,
	} {
		if _, _, err := Open([]byte(pt)); err == nil || !strings.HasPrefix(err.Error(), "flash ") {
			t.Errorf("%.60s: %v", pt, err)
		}
	}
	if _, f, err := Open([]byte(`[{},[],[["\ud800",["1"]]]]`)); err != nil || !slices.Equal(f.Take("\uFFFD"), []string{"1"}) {
		t.Fatalf("a lone surrogate escape does not read as U+FFFD (as the JavaScript reader reads it): %+v %v", f, err)
	}
	data, f, err := Open([]byte(`[{"n":1},["m"],[["a",["1"]]],{"later":true}]`))
	if err != nil || string(data) != `{"n":1}` || !slices.Equal(f.Take(""), []string{"m"}) || !slices.Equal(f.Take("a"), []string{"1"}) {
		t.Fatalf("a fourth element: %s %+v %v", data, f, err)
	}
}

// FuzzOpenEnvelope: any plaintext opens or fails without panicking, and
// what opens seals back to an envelope that opens to the same messages.
// The seed corpus is in testdata/fuzz/FuzzOpenEnvelope.
func FuzzOpenEnvelope(f *testing.F) {
	f.Fuzz(func(t *testing.T, pt []byte) {
		data, fl, err := Open(pt)
		if err != nil {
			return
		}
		again, err := Seal(&format.Meta{}, data, &fl, nil)
		if err != nil {
			t.Fatalf("%q opens but does not seal: %v", pt, err)
		}
		if fl.Empty() {
			if !bytes.Equal(again, data) {
				t.Fatalf("%q: %q", pt, again)
			}
			return
		}
		_, fl2, err := Open(again)
		if err != nil || !fl2.Equal(&fl) {
			t.Fatalf("%q seals as %q: %+v vs %+v (%v)", pt, again, fl2, fl, err)
		}
	})
}
