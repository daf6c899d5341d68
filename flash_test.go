package cookiesession

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/testjar"
)

// flashStep opens the session the jar holds, runs f on it, commits, and
// applies the lines to the jar; it returns them.
func flashStep(t *testing.T, s *Store[cart], j jar, f func(*Session[cart])) []string {
	t.Helper()
	sess := s.Open(Request{Cookie: []string{testjar.Header(j)}})
	if sess.Err() != nil {
		t.Fatalf("open: %v", sess.Err())
	}
	f(sess)
	u, err := sess.Commit()
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	j.updateLines(u.SetCookie)
	return u.SetCookie
}

// TestFlashCategories: messages are read by category, once each, in the
// order added; reading one category keeps the others, the default
// category's included.
func TestFlashCategories(t *testing.T) {
	s := newStore[cart](t, Options{})
	j := jar{}
	flashStep(t, s, j, func(sess *Session[cart]) {
		sess.AddFlash("saved")
		sess.AddFlashTo("error", "e1")
		sess.AddFlashTo("info", "i1")
		sess.AddFlashTo("error", "e2")
	})
	var got [][]string
	lines := flashStep(t, s, j, func(sess *Session[cart]) { got = append(got, sess.FlashesOf("error")) })
	if len(lines) == 0 {
		t.Fatal("reading a category wrote nothing")
	}
	flashStep(t, s, j, func(sess *Session[cart]) {
		got = append(got, sess.FlashesOf("error"), sess.FlashesOf("info"), sess.Flashes(), sess.FlashesOf("info"))
	})
	want := [][]string{{"e1", "e2"}, nil, {"i1"}, {"saved"}, nil}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("read %q, want %q", got, want)
	}
	if lines := flashStep(t, s, j, func(sess *Session[cart]) {
		if sess.Populated() || sess.Flashes() != nil || sess.FlashesOf("error") != nil {
			t.Error("messages left after reading them all")
		}
	}); len(lines) != 0 {
		t.Fatalf("an empty session wrote %q", lines)
	}
}

// TestFlashDefaultCategory: AddFlashTo("", m) is AddFlash(m) and
// FlashesOf("") is Flashes, in memory and in the sealed bytes.
func TestFlashDefaultCategory(t *testing.T) {
	var a, b flashSet
	a.add("", "m1")
	b.add("", "m1")
	b.add("", "m2")
	s := newStore[cart](t, Options{})
	sess := s.Open(Request{})
	sess.AddFlash("m1")
	sess.AddFlashTo("", "m2")
	if !sess.want.flashes.equal(&b) || len(sess.want.flashes.cats) != 0 {
		t.Fatalf("AddFlashTo(\"\") went elsewhere: %+v", sess.want.flashes)
	}
	if f := sess.FlashesOf(""); !slices.Equal(f, []string{"m1", "m2"}) || sess.Flashes() != nil {
		t.Fatalf("FlashesOf(\"\") = %q", f)
	}
	for _, c := range []struct {
		f    flashSet
		want string
	}{
		{a, `[{"n":1},["m1"]]`}, // what versions without categories seal
		{flashSet{cats: []flashCategory{{"error", []string{"x"}}}}, `[{"n":1},[],[["error",["x"]]]]`},
		{flashSet{def: []string{"<&>"}, cats: []flashCategory{{"b", []string{"1", "2"}}, {"a", []string{"3"}}}}, `[{"n":1},["<&>"],[["b",["1","2"]],["a",["3"]]]]`},
	} {
		pt, err := sealEnvelope(&meta{}, []byte(`{"n":1}`), &c.f)
		if err != nil || string(pt) != c.want {
			t.Errorf("sealed %s (%v), want %s", pt, err, c.want)
		}
		data, f, err := openEnvelope(pt)
		if err != nil || string(data) != `{"n":1}` || !f.equal(&c.f) {
			t.Errorf("%s opens to %s %+v (%v)", pt, data, f, err)
		}
	}
}

// TestFlashVectors: every test vector with the flashes flag opens, and
// seals back byte for byte: the vectors written before categories existed
// are what a session with default-category messages still seals.
func TestFlashVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("internal", "format", "testdata", "vectors.json"))
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
		dataJSON, f, err := openEnvelope([]byte(v.Plaintext))
		if err != nil {
			t.Fatalf("%s: %v", v.Comment, err)
		}
		cats += len(f.cats)
		if pt, err := sealEnvelope(&meta{}, dataJSON, &f); err != nil || string(pt) != v.Plaintext {
			t.Errorf("%s: seals back as %s (%v)", v.Comment, pt, err)
		}
	}
	if n < 4 || cats < 2 {
		t.Fatalf("%d vectors with flashes, %d categories", n, cats)
	}
}

// TestFlashCategoryRefused: a category of more than maxFlashCategoryBytes
// or of invalid UTF-8 fails the commit with ErrEncode, and the client
// keeps its cookie and messages; one of exactly the limit is kept.
func TestFlashCategoryRefused(t *testing.T) {
	s := newStore[cart](t, Options{})
	j := jar{}
	flashStep(t, s, j, func(sess *Session[cart]) { sess.AddFlashTo("info", "kept") })
	before := testjar.Header(j)
	for _, cat := range []string{strings.Repeat("x", maxFlashCategoryBytes+1), "bad\xff"} {
		sess := s.Open(Request{Cookie: []string{testjar.Header(j)}})
		sess.AddFlashTo(cat, "lost?")
		if u, err := sess.Commit(); !errors.Is(err, ErrEncode) || len(u.SetCookie) != 0 || strings.Contains(err.Error(), cat) {
			t.Fatalf("category of %d bytes: %q, %v", len(cat), u.SetCookie, err)
		}
		if f := sess.FlashesOf(cat); !slices.Equal(f, []string{"lost?"}) {
			t.Fatalf("the refused message is not in the session: %q", f)
		}
	}
	if testjar.Header(j) != before {
		t.Fatal("the cookie changed")
	}
	long := strings.Repeat("é", maxFlashCategoryBytes/2) // 254 bytes
	flashStep(t, s, j, func(sess *Session[cart]) { sess.AddFlashTo(long+"x", "ok") })
	flashStep(t, s, j, func(sess *Session[cart]) {
		if f := sess.FlashesOf(long + "x"); !slices.Equal(f, []string{"ok"}) {
			t.Fatalf("category of %d bytes: %q", len(long)+1, f)
		}
	})
}

// TestFlashSharedState: changing a category the cookie holds is a change
// (the session's copy and the cookie's share no array), and taking
// messages then adding the same ones back is none.
func TestFlashSharedState(t *testing.T) {
	s := newStore[cart](t, Options{})
	j := jar{}
	flashStep(t, s, j, func(sess *Session[cart]) { sess.AddFlashTo("a", "1"); sess.AddFlashTo("b", "2") })
	sess := s.Open(Request{Cookie: []string{testjar.Header(j)}})
	if sess.Changed() {
		t.Fatal("changed on open")
	}
	sess.AddFlashTo("a", "3")
	if !sess.Changed() || sess.held.flashes.cats[0].msgs[len(sess.held.flashes.cats[0].msgs)-1] == "3" {
		t.Fatalf("adding to a held category: changed %v, held %+v", sess.Changed(), sess.held.flashes)
	}
	sess = s.Open(Request{Cookie: []string{testjar.Header(j)}})
	for _, c := range []string{"a", "b"} {
		for _, m := range sess.FlashesOf(c) {
			sess.AddFlashTo(c, m)
		}
	}
	if sess.Changed() {
		t.Fatalf("same messages back: changed; %+v vs %+v", sess.want.flashes, sess.held.flashes)
	}
}

// TestFlashEnvelopeRefused: envelopes no writer makes fail with ErrDecode
// (the session, not only its messages, is refused, as for a bad message
// list); a fourth element is ignored, as readers without categories
// ignore the third.
func TestFlashEnvelopeRefused(t *testing.T) {
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
		`[{},[],[["` + strings.Repeat("x", maxFlashCategoryBytes+1) + `",["1"]]]]`,
	} {
		if _, _, err := openEnvelope([]byte(pt)); !errors.Is(err, ErrDecode) {
			t.Errorf("%.60s: %v", pt, err)
		}
	}
	if _, f, err := openEnvelope([]byte(`[{},[],[["\ud800",["1"]]]]`)); err != nil || !slices.Equal(f.take("\uFFFD"), []string{"1"}) {
		t.Fatalf("a lone surrogate escape does not read as U+FFFD (as the JavaScript reader reads it): %+v %v", f, err)
	}
	data, f, err := openEnvelope([]byte(`[{"n":1},["m"],[["a",["1"]]],{"later":true}]`))
	if err != nil || string(data) != `{"n":1}` || !slices.Equal(f.take(""), []string{"m"}) || !slices.Equal(f.take("a"), []string{"1"}) {
		t.Fatalf("a fourth element: %s %+v %v", data, f, err)
	}
}

// FuzzOpenEnvelope: any plaintext opens or fails without panicking, and
// what opens seals back to an envelope that opens to the same messages.
// The seed corpus is in testdata/fuzz/FuzzOpenEnvelope.
func FuzzOpenEnvelope(f *testing.F) {
	f.Fuzz(func(t *testing.T, pt []byte) {
		data, fl, err := openEnvelope(pt)
		if err != nil {
			return
		}
		again, err := sealEnvelope(&meta{}, data, &fl)
		if err != nil {
			t.Fatalf("%q opens but does not seal: %v", pt, err)
		}
		if fl.empty() {
			if !bytes.Equal(again, data) {
				t.Fatalf("%q: %q", pt, again)
			}
			return
		}
		_, fl2, err := openEnvelope(again)
		if err != nil || !fl2.equal(&fl) {
			t.Fatalf("%q seals as %q: %+v vs %+v (%v)", pt, again, fl2, fl, err)
		}
	})
}

// TestFlashCategoriesBudget: categorised messages count toward the cookie
// budget like the data (ErrTooLarge, the client keeps its cookie), and
// reading many categories costs memory in proportion to the input.
func TestFlashCategoriesBudget(t *testing.T) {
	s := newStore[cart](t, Options{})
	j := jar{}
	flashStep(t, s, j, func(sess *Session[cart]) { sess.Data.N = 1 })
	before := testjar.Header(j)
	sess := s.Open(Request{Cookie: []string{testjar.Header(j)}})
	for i := range 400 {
		sess.AddFlashTo(strconv.Itoa(i), "m")
	}
	if u, err := sess.Commit(); !errors.Is(err, ErrTooLarge) || len(u.SetCookie) != 0 || testjar.Header(j) != before {
		t.Fatalf("400 categories in one cookie: %q, %v", u.SetCookie, err)
	}

	perByte := make([]float64, 0, 2)
	for _, n := range []int{1000, 10000} {
		var b strings.Builder
		b.WriteString(`[{},[],[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`["c` + strconv.Itoa(i) + `",["m"]]`)
		}
		b.WriteString(`]]`)
		pt := []byte(b.String())
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		for range 3 {
			if _, f, err := openEnvelope(pt); err != nil || len(f.cats) != n {
				t.Fatal(len(f.cats), err)
			}
		}
		runtime.ReadMemStats(&m1)
		allocs := (m1.TotalAlloc - m0.TotalAlloc) / 3
		perByte = append(perByte, float64(allocs)/float64(len(pt)))
	}
	t.Logf("bytes allocated per input byte: %.1f (1,000 categories), %.1f (10,000)", perByte[0], perByte[1])
	limit := 128.0 // Go 1.27 with -race allocates about 190 here (1.26: 44)
	if raceEnabled {
		limit = 512
	}
	if perByte[1] > 1.5*perByte[0] || perByte[1] > limit {
		t.Fatalf("memory grows faster than the input: %.1f then %.1f bytes per input byte", perByte[0], perByte[1])
	}
}
