package gorillastore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/gorillastore"
	"github.com/cookiesession/cookiesession/memrevoke"
	"github.com/gorilla/sessions"
)

// sealedCookie returns the Cookie header of a session of store named name
// holding user.
func sealedCookie(t *testing.T, store *gorillastore.Store, name, user string) string {
	t.Helper()
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	s, _ := store.Get(r, name)
	s.Values["user"] = user
	w := httptest.NewRecorder()
	if err := s.Save(r, w); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, l := range w.Header().Values("Set-Cookie") {
		parts = append(parts, strings.SplitN(l, ";", 2)[0])
	}
	return strings.Join(parts, "; ")
}

// load opens the session name of a request carrying cookie.
func load(store *gorillastore.Store, name, cookie string) (*sessions.Session, error) {
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.Header.Set("Cookie", cookie)
	return store.Get(r, name)
}

// TestTamperedEveryByte alters each byte of a sealed value in turn: each
// gives a new, empty session, no error and no panic.
func TestTamperedEveryByte(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	cookie := sealedCookie(t, store, "session", "ada")
	if s, err := load(store, "session", cookie); err != nil || s.IsNew || s.Values["user"] != "ada" {
		t.Fatalf("untouched cookie: IsNew %v, %v, %v", s.IsNew, s.Values, err)
	}
	start := len("session=")
	for i := start; i < len(cookie); i++ {
		for _, b := range []byte{'A', '_', '%'} {
			if cookie[i] == b {
				continue
			}
			bad := cookie[:i] + string(b) + cookie[i+1:]
			s, err := load(store, "session", bad)
			if err != nil || !s.IsNew || len(s.Values) != 0 {
				t.Fatalf("byte %d set to %q: IsNew %v, %d values, err %v", i, b, s.IsNew, len(s.Values), err)
			}
		}
	}
}

// TestReplayAcrossNames presents one name's sealed value under another.
func TestReplayAcrossNames(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	value := strings.TrimPrefix(sealedCookie(t, store, "admin", "ada"), "admin=")
	s, err := load(store, "user", "user="+value)
	if err != nil || !s.IsNew {
		t.Fatalf("admin's value opened as user's: IsNew %v, err %v", s.IsNew, err)
	}
}

// TestSessionGoneNotRevived: a session loaded from a cookie, saved with a
// request that does not carry it, is not written anew.
func TestSessionGoneNotRevived(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	s, _ := load(store, "session", sealedCookie(t, store, "session", "ada"))
	other := httptest.NewRequest("GET", "https://example.com/", nil)
	w := httptest.NewRecorder()
	if err := store.Save(other, w, s); !errors.Is(err, gorillastore.ErrSessionGone) || len(w.Header()["Set-Cookie"]) != 0 {
		t.Fatalf("Save with another request: %v", err)
	}
}

// TestSaveTwice saves a session twice in one request: the second Save
// replaces the first's lines, and deletes the chunks the first wrote and
// the second does not need.
func TestSaveTwice(t *testing.T) {
	store := newStore(t, cookiesession.Options{MaxChunks: 3})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	s, _ := store.Get(r, "session")
	s.Values["big"] = strings.Repeat("x", 4000) // two cookies
	w := httptest.NewRecorder()
	if err := s.Save(r, w); err != nil || len(w.Header()["Set-Cookie"]) != 2 {
		t.Fatalf("first save: %v, %d lines", err, len(w.Header()["Set-Cookie"]))
	}
	s.Values["big"] = "small"
	if err := s.Save(r, w); err != nil {
		t.Fatal(err)
	}
	var live []string
	for _, l := range w.Header().Values("Set-Cookie") {
		if !strings.Contains(l, "Max-Age=0") {
			live = append(live, strings.SplitN(l, ";", 2)[0])
		}
	}
	if len(live) != 1 {
		t.Fatalf("after two saves %d live cookies: %.50q", len(live), live)
	}
	if got, _ := load(store, "session", live[0]); got.Values["big"] != "small" {
		t.Fatalf("read back %v", got.Values)
	}
}

// TestConcurrentRequests runs clients in parallel against one Store, each
// with its own session under two names; run it with -race.
func TestConcurrentRequests(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := store.Get(r, "session")
		b, _ := store.Get(r, fmt.Sprint("name", r.URL.Query().Get("n")))
		n, _ := cookiesession.Map{"n": a.Values["n"]}.Int("n")
		a.Values["n"], b.Values["n"] = n+1, n+1
		if err := sessions.Save(r, w); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, n+1)
	}))
	defer srv.Close()
	const clients, requests = 8, 15
	var wg sync.WaitGroup
	for i := range clients {
		c := client(t, srv)
		wg.Go(func() {
			for j := 1; j <= requests; j++ {
				resp, err := c.Get(fmt.Sprintf("%s/?n=%d", srv.URL, i%3))
				if err != nil {
					t.Error(err)
					return
				}
				var got int
				_, err = fmt.Fscan(resp.Body, &got)
				resp.Body.Close()
				if err != nil || got != j {
					t.Errorf("client %d request %d: %d, %v", i, j, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestKeyRotationResealsAtSave: a session sealed under a key that is now
// second opens, and Save re-seals it under the first, though nothing
// changed; a store without that key refuses it.
func TestKeyRotationResealsAtSave(t *testing.T) {
	old := newStore(t, cookiesession.Options{})
	cookie := sealedCookie(t, old, "session", "ada")
	newKey := cookiesession.GenerateKey()
	rotated := newStore(t, cookiesession.Options{Keys: [][]byte{newKey, testKey}})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.Header.Set("Cookie", cookie)
	s, _ := rotated.Get(r, "session")
	w := httptest.NewRecorder()
	if err := s.Save(r, w); err != nil || s.IsNew || s.Values["user"] != "ada" {
		t.Fatalf("rotated: IsNew %v, %v, %v", s.IsNew, s.Values, err)
	}
	resealed := strings.SplitN(w.Header().Get("Set-Cookie"), ";", 2)[0]
	if resealed == "" || resealed == cookie {
		t.Fatalf("not re-sealed: %q", w.Header().Values("Set-Cookie"))
	}
	only := newStore(t, cookiesession.Options{Keys: [][]byte{newKey}})
	if s, _ := load(only, "session", resealed); s.IsNew || s.Values["user"] != "ada" {
		t.Fatal("the re-sealed cookie does not open under the new key alone")
	}
	if s, _ := load(only, "session", cookie); !s.IsNew {
		t.Fatal("the old cookie opened without its key")
	}
}

// TestSaveTwiceWithAnotherRequest saves, twice, a session through a
// request that New did not see (made before it): the first Save opens the
// cookies anew, the second knows what the first sent.
func TestSaveTwiceWithAnotherRequest(t *testing.T) {
	store := newStore(t, cookiesession.Options{MaxChunks: 3})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	before := r.WithContext(r.Context())
	s, _ := store.New(r, "session")
	s.Values["big"] = strings.Repeat("x", 4000)
	w := httptest.NewRecorder()
	if err := store.Save(before, w, s); err != nil {
		t.Fatal(err)
	}
	s.Values["big"] = "small"
	if err := store.Save(before, w, s); err != nil {
		t.Fatal(err)
	}
	var live []string
	for _, l := range w.Header().Values("Set-Cookie") {
		if !strings.Contains(l, "Max-Age=0") {
			live = append(live, l)
		}
	}
	if len(live) != 1 {
		t.Fatalf("after two saves %d live cookies: %.50q", len(live), live)
	}
}

// TestRevokedAndReported: with Options.Revocations, session.ID is the
// sealed identifier; once revoked, the cookie gives a new session, no
// error, and Options.OnEvent hears why.
func TestRevokedAndReported(t *testing.T) {
	list, err := memrevoke.New(memrevoke.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var events []cookiesession.Event
	store := newStore(t, cookiesession.Options{Revocations: list, OnEvent: func(_ context.Context, e cookiesession.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	cookie := sealedCookie(t, store, "session", "ada")
	s, _ := load(store, "session", cookie)
	if s.IsNew || len(s.ID) != 22 {
		t.Fatalf("IsNew %v, ID %q", s.IsNew, s.ID)
	}
	if err := list.RevokeSession(s.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	s, err = load(store, "session", cookie)
	if err != nil || !s.IsNew || len(s.Values) != 0 {
		t.Fatalf("revoked: IsNew %v, %v, %v", s.IsNew, s.Values, err)
	}
	mu.Lock()
	defer mu.Unlock()
	last := events[len(events)-1]
	if last.Kind != cookiesession.EventRejected || !errors.Is(last.Err, cookiesession.ErrRevoked) {
		t.Fatalf("last event %v %v", last.Kind, last.Err)
	}
}
