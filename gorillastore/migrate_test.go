package gorillastore_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate"
	"github.com/gorilla/sessions"
)

// TestMigrateFromCookieStore reads a cookie that gorilla's own CookieStore
// wrote, through Options.Legacy, under the Store's first name only, and
// replaces it with the sealed cookie on Save.
func TestMigrateFromCookieStore(t *testing.T) {
	hashKey := []byte("0123456789abcdef0123456789abcdef")
	old := sessions.NewCookieStore(hashKey)
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	s, _ := old.Get(r, "session-name")
	s.Values["user"], s.Values["n"] = "ada", 3
	w := httptest.NewRecorder()
	if err := s.Save(r, w); err != nil {
		t.Fatal(err)
	}
	oldCookie := strings.SplitN(w.Header().Get("Set-Cookie"), ";", 2)[0]

	store := newStore(t, cookiesession.Options{
		Name:   "__Host-session",
		Legacy: []cookiesession.Legacy{&migrate.Gorilla{Name: "session-name", KeyPairs: [][]byte{hashKey}}},
	})
	r = httptest.NewRequest("GET", "https://example.com/", nil)
	r.Header.Set("Cookie", oldCookie)
	s, err := store.Get(r, "__Host-session")
	if err != nil || s.IsNew || s.Values["user"] != "ada" || s.Values["n"] != jsonNumber("3") {
		t.Fatalf("old cookie: IsNew %v, values %v, %v", s.IsNew, s.Values, err)
	}
	if other, _ := store.Get(r, "other"); !other.IsNew {
		t.Fatal("the old cookie was read under a second name too")
	}
	w = httptest.NewRecorder()
	if err := s.Save(r, w); err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(w.Header().Values("Set-Cookie"), "\n")
	if !strings.Contains(lines, "__Host-session=") || !strings.Contains(lines, "session-name=; Max-Age=0") {
		t.Fatalf("Save did not replace the old cookie:\n%s", lines)
	}
}
