package gorillastore_test

import (
	"errors"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/gorillastore"
	"github.com/gorilla/sessions"
)

// TestValuesErrorNamesKey stores, in a session that already holds a
// cookie, each kind of value JSON would not give back, and checks that
// Save fails naming it and writes nothing.
func TestValuesErrorNamesKey(t *testing.T) {
	type point struct{ X int }
	type role string
	for _, c := range []struct {
		key, value any
		named      string
	}{
		{3, "x", "3 (int)"},
		{point{1}, "x", "gorillastore_test.point{X:1} (gorillastore_test.point)"},
		{"when", time.Unix(0, 0), `"when" (time.Time)`},
		{"fn", func() {}, `"fn" (func())`},
		{"ch", make(chan int), `"ch" (chan int)`},
		{"pt", point{1}, `"pt" (gorillastore_test.point)`},
		{"ptr", &point{1}, `"ptr" (*gorillastore_test.point)`},
		{"roles", []string{"admin"}, `"roles" ([]string)`},
		{"role", role("admin"), `"role" (gorillastore_test.role)`},
		{"map", cookiesession.Map{}, `"map" (cookiesession.Map)`},
		{"nan", math.NaN(), `"nan" (float64)`},
		{"num", jsonNumber("1x"), `"num" (json.Number)`},
		{"deep", []any{1, map[string]any{"k": []any{"ok", func() {}}}}, `"deep"[1]."k"[1] (func())`},
		{"_flash", []any{"ok", point{2}}, `"_flash"[1] (gorillastore_test.point)`},
		{"gz", "\x1f\x8b\x08\x00", `"gz" (string)`},
		{"\xff", "x", `"\xff" (string key)`},
		{"obj", map[string]any{"a\xc0": 1}, `"obj"."a\xc0" (string key)`},
	} {
		store := newStore(t, cookiesession.Options{})
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		s, _ := store.Get(r, "session")
		s.Values["kept"] = "yes"
		s.Values[c.key] = c.value
		w := httptest.NewRecorder()
		err := s.Save(r, w)
		var ve *gorillastore.ValueError
		if !errors.Is(err, gorillastore.ErrValue) || !errors.Is(err, cookiesession.ErrEncode) || !errors.As(err, &ve) {
			t.Errorf("%s: Save: %v, want a *ValueError", c.named, err)
			continue
		}
		if !strings.Contains(err.Error(), c.named) {
			t.Errorf("error %q does not name %s", err, c.named)
		}
		if len(w.Header().Values("Set-Cookie")) != 0 {
			t.Errorf("%s: Set-Cookie written despite the error", c.named)
		}
	}
}

// TestValuesEveryJSONKindSaves checks the values that do pass, with the
// same store and the error-free path.
func TestValuesEveryJSONKindSaves(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	s, _ := store.Get(r, "session")
	for i, v := range []any{nil, true, "s", 1, int8(1), int16(1), int32(1), int64(1), uint(1), uint8(1), uint16(1), uint32(1), uint64(1),
		float32(1.5), 2.5, jsonNumber("1e3"), []any{}, map[string]any{"a": []any{nil}}} {
		s.Values[string(rune('a'+i))] = v
	}
	s.AddFlash("hello")
	w := httptest.NewRecorder()
	if err := sessions.Save(r, w); err != nil || len(w.Header().Values("Set-Cookie")) != 1 {
		t.Fatalf("Save: %v, Set-Cookie %q", err, w.Header().Values("Set-Cookie"))
	}
}

func TestTooLargeComesBackFromSave(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	s, _ := store.Get(r, "session")
	s.Values["big"] = strings.Repeat("x", 5000)
	w := httptest.NewRecorder()
	err := s.Save(r, w)
	var tl *cookiesession.TooLargeError
	if !errors.Is(err, cookiesession.ErrTooLarge) || !errors.As(err, &tl) || tl.Size <= tl.Limit {
		t.Fatalf("Save: %v, want a *TooLargeError", err)
	}
	// gorilla's registry flattens its errors to text (MultiError, %v):
	// errors.Is cannot see through sessions.Save, but the message tells.
	err = sessions.Save(r, w)
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("sessions.Save: %v", err)
	}
	if len(w.Header().Values("Set-Cookie")) != 0 {
		t.Fatal("Set-Cookie written for a session too large")
	}
}
