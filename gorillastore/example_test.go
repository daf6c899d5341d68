package gorillastore_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/gorillastore"
	"github.com/gorilla/sessions"
)

// A handler written for gorilla/sessions, unchanged but for the
// constructor, counting visits. The count comes back from the cookie as a
// json.Number.
func Example() {
	store, err := gorillastore.New(cookiesession.Options{
		Keys: [][]byte{cookiesession.GenerateKey()}, // in production: cookiesession.ParseKeys
		Name: "__Host-session",
	})
	if err != nil {
		panic(err)
	}
	visit := func(w http.ResponseWriter, r *http.Request) {
		session, _ := store.Get(r, "__Host-session")
		count, _ := session.Values["count"].(json.Number)
		n, _ := count.Int64()
		session.Values["count"] = n + 1
		if err := sessions.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Println("visit", n+1, "new:", session.IsNew)
	}

	cookie := ""
	for range 3 {
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		visit(w, r)
		cookie = strings.SplitN(w.Header().Get("Set-Cookie"), ";", 2)[0]
	}
	// Output:
	// visit 1 new: true
	// visit 2 new: false
	// visit 3 new: false
}
