package cookiesession

import (
	"errors"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/flash"
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
// FlashesOf("") is Flashes (internal/flash's TestSealOpen checks the
// sealed bytes).
func TestFlashDefaultCategory(t *testing.T) {
	var b flashSet
	b.Add("", "m1")
	b.Add("", "m2")
	s := newStore[cart](t, Options{})
	sess := s.Open(Request{})
	sess.AddFlash("m1")
	sess.AddFlashTo("", "m2")
	if !sess.want.flashes.Equal(&b) || len(sess.want.flashes.Cats) != 0 {
		t.Fatalf("AddFlashTo(\"\") went elsewhere: %+v", sess.want.flashes)
	}
	if f := sess.FlashesOf(""); !slices.Equal(f, []string{"m1", "m2"}) || sess.Flashes() != nil {
		t.Fatalf("FlashesOf(\"\") = %q", f)
	}
}

// TestFlashCategoryRefused: a category of more than flash.MaxCategoryBytes
// or of invalid UTF-8 fails the commit with ErrEncode, and the client
// keeps its cookie and messages; one of exactly the limit is kept.
func TestFlashCategoryRefused(t *testing.T) {
	s := newStore[cart](t, Options{})
	j := jar{}
	flashStep(t, s, j, func(sess *Session[cart]) { sess.AddFlashTo("info", "kept") })
	before := testjar.Header(j)
	for _, cat := range []string{strings.Repeat("x", flash.MaxCategoryBytes+1), "bad\xff"} {
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
	long := strings.Repeat("é", flash.MaxCategoryBytes/2) // 254 bytes
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
	if !sess.Changed() || sess.held.flashes.Cats[0].Msgs[len(sess.held.flashes.Cats[0].Msgs)-1] == "3" {
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

// TestFlashEnvelopeDecodeError: a sealed envelope that internal/flash
// refuses (its TestOpenRefused lists them) opens as ErrDecode, with the
// envelope's problem in the message.
func TestFlashEnvelopeDecodeError(t *testing.T) {
	s := newStore[cart](t, Options{Now: newClock().Now}) // sealRaw's time
	for _, pt := range []string{`[{},[],"a"]`, `{}`} {
		v := sealRaw(t, bounds.DefaultName, true, pt)
		err := s.Open(Request{Cookie: []string{bounds.DefaultName + "=" + v}}).Err()
		if !errors.Is(err, ErrDecode) || !strings.HasPrefix(err.Error(), ErrDecode.Error()+": flash ") {
			t.Errorf("%s: %v, want ErrDecode naming the flash envelope", pt, err)
		}
	}
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
			if _, f, err := flash.Open(pt); err != nil || len(f.Cats) != n {
				t.Fatal(len(f.Cats), err)
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
