package migrate_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate"
	"github.com/gorilla/securecookie"
)

// A store that takes over the sessions of a gorilla/sessions CookieStore:
// the old cookie is read, handed to the handler as session data, and
// replaced by the sealed cookie on the same response.
func ExampleGorilla() {
	hashKey := []byte("the gorilla app's 32-byte hash k")
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{
		Keys: [][]byte{cookiesession.GenerateKey()},
		Name: "__Host-session", // not the gorilla cookie's name
		Legacy: []cookiesession.Legacy{&migrate.Gorilla{
			Name:     "session-name",         // as in store.Get(r, "session-name")
			KeyPairs: [][]byte{hashKey, nil}, // as in sessions.NewCookieStore
			JSON:     true,                   // securecookie.JSONEncoder; gob is the default
		}},
	})
	if err != nil {
		panic(err)
	}
	// A cookie the gorilla application wrote.
	old, err := securecookie.New(hashKey, nil).SetSerializer(securecookie.JSONEncoder{}).
		Encode("session-name", map[string]any{"user": "ada"})
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.AddCookie(&http.Cookie{Name: "session-name", Value: old})
	rec := httptest.NewRecorder()
	store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("user:", store.Get(r).Data["user"])
	})).ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		fmt.Println(c.Name, c.MaxAge < 0)
	}
	// Output:
	// user: ada
	// __Host-session false
	// session-name true
}

// A store that takes over the sessions of Express's cookie-session: the
// signed cookie and its ".sig" are read, handed to the handler as session
// data, and replaced by the sealed cookie on the same response.
func ExampleExpress() {
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{
		Keys: [][]byte{cookiesession.GenerateKey()},
		Name: "__Host-session", // not cookie-session's default, "session"
		Legacy: []cookiesession.Legacy{&migrate.Express{
			Keys: []string{"the Express app's key"}, // cookie-session's keys, in order
		}},
	})
	if err != nil {
		panic(err)
	}
	// The cookies the Express application wrote: base64 JSON, signed by
	// keygrip (HMAC-SHA1 of "session=" + value).
	value := base64.StdEncoding.EncodeToString([]byte(`{"user":"ada"}`))
	m := hmac.New(sha1.New, []byte("the Express app's key"))
	m.Write([]byte("session=" + value))
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.Header.Set("Cookie", "session="+value+"; session.sig="+base64.RawURLEncoding.EncodeToString(m.Sum(nil)))
	rec := httptest.NewRecorder()
	store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("user:", store.Get(r).Data["user"])
	})).ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		fmt.Println(c.Name, c.MaxAge < 0)
	}
	// Output:
	// user: ada
	// __Host-session false
	// session true
	// session.sig true
}
