package migrate_test

import (
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
