// Command chi uses cookiesession with the go-chi/chi router: the store's
// middleware is an ordinary func(http.Handler) http.Handler, so Router.Use
// takes it as it is.
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./chi
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/go-chi/chi/v5"
)

type session struct {
	Visits int `json:"visits,omitempty"`
}

func newStore(keys [][]byte) (*cookiesession.Store[session], error) {
	return cookiesession.New[session](cookiesession.Options{Keys: keys, Name: "__Host-session"})
}

func routes(store *cookiesession.Store[session]) http.Handler {
	r := chi.NewRouter()
	// Middlewares given to Use run for every request, matched or not, so
	// every response that reads the session goes through the store.
	r.Use(store.Middleware)
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.Visits++
		fmt.Fprintf(w, "visits: %d\n", s.Data.Visits)
	})
	r.Post("/logout", func(w http.ResponseWriter, r *http.Request) {
		store.Get(r).Destroy()
		w.WriteHeader(http.StatusNoContent)
	})
	return r
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
	return [][]byte{cookiesession.GenerateKey()}
}

func main() {
	store, err := newStore(keys())
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "localhost:8080", Handler: routes(store), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on http://%s/", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
