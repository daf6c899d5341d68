package interop

import (
	"encoding/gob"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

var (
	hashNew  = []byte("hash key of the current pair, 32")
	blockNew = []byte("block key: AES-256 needs 32 byte")
	hashOld  = []byte("hash key of the older pair...!!!")
	blockOld = []byte("AES-128 block 16")
)

// Profile is an application type a gorilla application stores in its
// sessions, registered with gob as gorilla/sessions requires.
type Profile struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
	Age   int
}

func init() { gob.Register(Profile{}) }

// gorillaSave runs a handler with a real gorilla/sessions CookieStore that
// fills the session with fill and saves it; it returns the jar holding the
// cookie it set.
func gorillaSave(t *testing.T, store *sessions.CookieStore, j *jar, fill func(*sessions.Session)) []string {
	t.Helper()
	r := httptest.NewRequest("GET", "https://127.0.0.1/", nil)
	if h := j.header(); h != "" {
		r.Header.Set("Cookie", h)
	}
	rec := httptest.NewRecorder()
	sess, err := store.Get(r, "gsess")
	if err != nil && !sess.IsNew {
		t.Fatalf("gorilla Get: %v", err)
	}
	fill(sess)
	if err := sess.Save(r, rec); err != nil {
		t.Fatalf("gorilla Save: %v", err)
	}
	lines := rec.Result().Header["Set-Cookie"]
	j.update(lines)
	return lines
}

// gorillaLoad returns the session a real CookieStore reads from j.
func gorillaLoad(t *testing.T, store *sessions.CookieStore, j *jar) (*sessions.Session, error) {
	t.Helper()
	r := httptest.NewRequest("GET", "https://127.0.0.1/", nil)
	if h := j.header(); h != "" {
		r.Header.Set("Cookie", h)
	}
	return store.Get(r, "gsess")
}

func gorillaGoStore(t *testing.T, g migrate.Gorilla, now func() time.Time) *cookiesession.Store[cookiesession.Map] {
	t.Helper()
	g.Name = "gsess"
	s, err := cookiesession.New[cookiesession.Map](cookiesession.Options{
		Keys: [][]byte{storeKey}, Name: "sid", Secure: cookiesession.SecureNever, Legacy: []cookiesession.Legacy{&g}, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fillGorilla(s *sessions.Session) {
	s.Values["user"] = "Zoë 😀"
	s.Values["id"] = 42
	s.Values["admin"] = true
	s.Values["ratio"] = 0.25
	s.Values["big"] = int64(9223372036854775807)
	s.Values[99] = "an int key"
	s.Values["profile"] = Profile{Name: "zoë", Roles: []string{"admin", "dev"}, Age: 7}
	s.Values["list"] = []interface{}{"a", 1, true}
	s.AddFlash("welcome back")
	s.AddFlash("second")
}

// gorillaJSON is fillGorilla's session as an untyped (Map) session sees it:
// Map holds numbers as json.Number, so the int64 1<<63-1 reads back exactly,
// as a typed session's int64 does (TestGorillaTypedAndExpiry).
const gorillaJSON = `{"user":"Zoë 😀","id":42,"admin":true,"ratio":0.25,"big":9223372036854775807,"99":"an int key",
	"profile":{"name":"zoë","roles":["admin","dev"],"Age":7},"list":["a",1,true],"_flash":["welcome back","second"]}`

func TestGorillaCookieStoreReadByGo(t *testing.T) {
	cases := []struct {
		name  string
		saver *sessions.CookieStore
		pairs [][]byte
	}{
		{"encrypted", sessions.NewCookieStore(hashNew, blockNew), [][]byte{hashNew, blockNew}},
		{"signed only", sessions.NewCookieStore(hashNew), [][]byte{hashNew}},
		{"saved with the pair now second", sessions.NewCookieStore(hashOld, blockOld), [][]byte{hashNew, blockNew, hashOld, blockOld}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := newJar()
			gorillaSave(t, c.saver, j, fillGorilla)
			store := gorillaGoStore(t, migrate.Gorilla{KeyPairs: c.pairs}, nil)
			var got []byte
			lines := goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
				if s.Err() != nil || s.IsNew() {
					t.Fatalf("Go store: %v", s.Err())
				}
				got, _ = json.Marshal(s.Data)
			})
			sameJSON(t, "gorilla session in Go", []byte(gorillaJSON), got)
			if set, deleted := lineNames(lines); !reflect.DeepEqual(set, []string{"sid"}) || !reflect.DeepEqual(deleted, []string{"gsess"}) {
				t.Fatalf("upgrade sets %v, deletes %v", set, deleted)
			}
			// gorilla no longer finds a session.
			if s, _ := gorillaLoad(t, c.saver, j); !s.IsNew {
				t.Fatal("gorilla still reads a session after the upgrade")
			}
		})
	}
}

func TestGorillaTypedAndExpiry(t *testing.T) {
	saver := sessions.NewCookieStore(hashNew, blockNew)
	saver.MaxAge(3600)
	j := newJar()
	gorillaSave(t, saver, j, fillGorilla)

	type data struct {
		User    string   `json:"user"`
		ID      int      `json:"id"`
		Big     int64    `json:"big"`
		Profile Profile  `json:"profile"`
		Flash   []string `json:"_flash"`
	}
	typed, err := cookiesession.New[data](cookiesession.Options{
		Keys: [][]byte{storeKey}, Name: "sid", Secure: cookiesession.SecureNever,
		Legacy: []cookiesession.Legacy{&migrate.Gorilla{Name: "gsess", KeyPairs: [][]byte{hashNew, blockNew}, MaxAge: 3600}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got data
	goServe(t, typed, j.clone(), func(s *cookiesession.Session[data]) { got = s.Data })
	want := data{User: "Zoë 😀", ID: 42, Big: 9223372036854775807, Profile: Profile{Name: "zoë", Roles: []string{"admin", "dev"}, Age: 7}, Flash: []string{"welcome back", "second"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}

	// Past the gorilla store's MaxAge the cookie is refused, as gorilla
	// itself would refuse it.
	later := func() time.Time { return time.Now().Add(time.Hour + time.Minute) }
	store := gorillaGoStore(t, migrate.Gorilla{KeyPairs: [][]byte{hashNew, blockNew}, MaxAge: 3600}, later)
	goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
		if !errors.Is(s.Err(), cookiesession.ErrExpired) || !s.IsNew() {
			t.Fatalf("expired gorilla cookie: %v", s.Err())
		}
	})
}

// A CookieStore with securecookie.JSONEncoder: Go 1.26's encoding/json
// cannot encode its map[interface{}]interface{}, so Save fails; Go 1.27's
// (the v2 engine) encodes it when every key is a string, and the store
// reads the cookie with JSON set. Applications that used JSON otherwise did
// so through securecookie directly, with a JSON object.
func TestGorillaJSON(t *testing.T) {
	saver := sessions.NewCookieStore(hashNew, blockNew)
	for _, c := range saver.Codecs {
		c.(*securecookie.SecureCookie).SetSerializer(securecookie.JSONEncoder{})
	}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	sess, _ := saver.Get(r, "gsess")
	sess.Values["user"] = "zoë"
	if err := sess.Save(r, rec); err == nil {
		saved := newJar()
		saved.update(rec.Result().Header["Set-Cookie"])
		store := gorillaGoStore(t, migrate.Gorilla{KeyPairs: [][]byte{hashNew, blockNew}, JSON: true}, nil)
		goServe(t, store, saved, func(s *cookiesession.Session[cookiesession.Map]) {
			if s.Err() != nil || s.Data["user"] != "zoë" {
				t.Fatalf("CookieStore JSON session (%s): %v %v", runtime.Version(), s.Data, s.Err())
			}
		})
	} else if !strings.HasPrefix(runtime.Version(), "go1.26") {
		t.Logf("%s: CookieStore with JSONEncoder fails: %v", runtime.Version(), err)
	}

	value, err := securecookie.EncodeMulti("gsess", map[string]any{"user": "zoë", "n": []int{1, 2}, "o": map[string]any{"k": nil}}, saver.Codecs...)
	if err != nil {
		t.Fatal(err)
	}
	j := newJar()
	j.set("gsess", value)
	store := gorillaGoStore(t, migrate.Gorilla{KeyPairs: [][]byte{hashNew, blockNew}, JSON: true}, nil)
	var got []byte
	goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
		if s.Err() != nil {
			t.Fatal(s.Err())
		}
		got, _ = json.Marshal(s.Data)
	})
	sameJSON(t, "JSON gorilla cookie", []byte(`{"user":"zoë","n":[1,2],"o":{"k":null}}`), got)
}

func TestGoTransitionCookiesReadByGorilla(t *testing.T) {
	gob.Register(map[string]interface{}{}) // both sides, for nested objects
	reader := sessions.NewCookieStore(hashNew, blockNew, hashOld, blockOld)
	store := gorillaGoStore(t, migrate.Gorilla{KeyPairs: [][]byte{hashNew, blockNew, hashOld, blockOld}, Transition: true}, nil)

	// A session the Go service creates ...
	j := newJar()
	lines := goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
		s.Data = cookiesession.Map{"user": "zoë", "id": 42, "ratio": 0.5, "ok": true, "tags": []any{"a", "b"}, "prefs": map[string]any{"theme": "dark"}, "_flash": []any{"hello"}}
	})
	if set, deleted := lineNames(lines); !reflect.DeepEqual(set, []string{"gsess"}) || len(deleted) != 0 {
		t.Fatalf("transition sets %v, deletes %v", set, deleted)
	}
	// ... reads in gorilla with the types a gorilla application expects.
	sess, err := gorillaLoad(t, reader, j)
	if err != nil || sess.IsNew {
		t.Fatalf("gorilla does not read the Go cookie: %v", err)
	}
	if id, ok := sess.Values["id"].(int); !ok || id != 42 {
		t.Fatalf("id is %#v, want int 42", sess.Values["id"])
	}
	if user, _ := sess.Values["user"].(string); user != "zoë" || sess.Values["ratio"] != 0.5 || sess.Values["ok"] != true {
		t.Fatalf("values %#v", sess.Values)
	}
	if prefs, _ := sess.Values["prefs"].(map[string]interface{}); prefs["theme"] != "dark" {
		t.Fatalf("prefs %#v", sess.Values["prefs"])
	}
	if f := sess.Flashes(); !reflect.DeepEqual(f, []interface{}{"hello"}) {
		t.Fatalf("flashes %#v", f)
	}

	// gorilla changes it (and consumed the flash); Go reads the change.
	gorillaSave(t, reader, j, func(s *sessions.Session) {
		s.Flashes()
		s.Values["id"] = 43
	})
	var back []byte
	goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
		if s.Err() != nil {
			t.Fatal(s.Err())
		}
		back, _ = json.Marshal(s.Data)
	})
	sameJSON(t, "session changed by gorilla", []byte(`{"user":"zoë","id":43,"ratio":0.5,"ok":true,"tags":["a","b"],"prefs":{"theme":"dark"}}`), back)

	// Logout on the Go side reaches gorilla.
	goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) { s.Destroy() })
	if s, _ := gorillaLoad(t, reader, j); !s.IsNew {
		t.Fatal("gorilla still reads the session after logout")
	}
}

func TestGorillaTampered(t *testing.T) {
	saver := sessions.NewCookieStore(hashNew, blockNew)
	j := newJar()
	gorillaSave(t, saver, j, func(s *sessions.Session) { s.Values["user"] = "zoë" })
	v := []byte(j.values["gsess"])
	v[len(v)/2] ^= 0x01
	j.set("gsess", string(v))
	store := gorillaGoStore(t, migrate.Gorilla{KeyPairs: [][]byte{hashNew, blockNew}}, nil)
	goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
		if s.Err() == nil || !s.IsNew() {
			t.Fatal("tampered gorilla cookie accepted")
		}
	})
	if _, err := gorillaLoad(t, saver, j); err == nil {
		t.Fatal("gorilla accepted the tampered cookie")
	}
}
