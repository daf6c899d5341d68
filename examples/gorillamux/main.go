// Command gorillamux uses cookiesession with gorilla/mux.
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./gorillamux
//
// The store's middleware wraps the whole router rather than going through
// Router.Use: gorilla/mux runs Use middlewares only for requests that match
// a route, and a NotFoundHandler or MethodNotAllowedHandler that reads the
// session should see it too.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/mux"
)

type session struct {
	Visits int `json:"visits,omitempty"`
}

func newStore(keys [][]byte) (*cookiesession.Store[session], error) {
	return cookiesession.New[session](cookiesession.Options{Keys: keys, Name: "__Host-session"})
}

func routes(store *cookiesession.Store[session]) http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.Visits++
		fmt.Fprintf(w, "visits: %d\n", s.Data.Visits)
	}).Methods(http.MethodGet)
	r.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		store.Get(r).Destroy()
		w.WriteHeader(http.StatusNoContent)
	}).Methods(http.MethodPost)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "not found (visits so far: %d)\n", store.Get(r).Data.Visits)
	})
	return store.Middleware(r)
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
