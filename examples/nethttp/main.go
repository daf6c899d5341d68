// Command nethttp serves a session-backed page with the standard library's
// ServeMux: a visit counter, a login that renews the session, a flash
// message and a logout.
//
//	COOKIESESSION_KEYS=$(go run github.com/cookiesession/cookiesession/cmd/cookiesession keygen) go run ./nethttp
//
// then open http://localhost:8080/. The cookie is called __Host-session: on
// localhost browsers accept it over plain HTTP; anywhere else it needs
// HTTPS, and the store answers 500 (ErrInsecureRequest) rather than let the
// browser drop it.
package main

import (
	"crypto/rand"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cookiesession/cookiesession"
)

// session is what each visitor's cookie holds, as JSON.
type session struct {
	User   string `json:"user,omitempty"`
	Visits int    `json:"visits,omitempty"`
}

func newStore(keys [][]byte) (*cookiesession.Store[session], error) {
	return cookiesession.New[session](cookiesession.Options{
		Keys:        keys,
		Name:        "__Host-session",
		MaxAge:      12 * time.Hour,
		IdleTimeout: 30 * time.Minute,
	})
}

// routes returns the application wrapped in the session middleware and in
// the standard library's cross-origin protection for the POST forms.
func routes(store *cookiesession.Store[session]) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.Visits++
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, msg := range s.Flashes() {
			fmt.Fprintf(w, "flash: %s\n", msg)
		}
		fmt.Fprintf(w, "user: %s\nvisits: %d\n", s.Data.User, s.Data.Visits)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		user := r.FormValue("user")
		if user == "" { // a real application checks a password here
			http.Error(w, "user required", http.StatusBadRequest)
			return
		}
		s := store.Get(r)
		s.Data.User = user
		s.Renew() // a privilege change: fresh creation time and a new value
		s.AddFlash("welcome, " + user)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		store.Get(r).Destroy() // expires the cookie; see docs/SECURITY.md on revocation
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	return http.NewCrossOriginProtection().Handler(store.Middleware(mux))
}

// keys reads COOKIESESSION_KEYS as "cookiesession keygen" prints them
// (several keys separated by commas or whitespace, the newest first), or
// makes a random key whose sessions end with the process.
func keys() [][]byte {
	if list := os.Getenv("COOKIESESSION_KEYS"); list != "" {
		k, err := cookiesession.ParseKeys(list)
		if err != nil {
			log.Fatalf("COOKIESESSION_KEYS: %v", err)
		}
		return k
	}
	log.Print("COOKIESESSION_KEYS not set: using a random key; sessions end with the process")
	k := make([]byte, cookiesession.MinKeySize)
	rand.Read(k)
	return [][]byte{k}
}

func main() {
	store, err := newStore(keys())
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Addr:              "localhost:8080",
		Handler:           routes(store),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Printf("listening on http://%s/", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
