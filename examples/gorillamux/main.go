// Command gorillamux uses cookiesession with gorilla/mux.
//
//	COOKIESESSION_KEYS=$(go run github.com/cookiesession/cookiesession/cmd/cookiesession keygen) go run ./gorillamux
//
// The store's middleware wraps the whole router rather than going through
// Router.Use: gorilla/mux runs Use middlewares only for requests that match
// a route, and a NotFoundHandler or MethodNotAllowedHandler that reads the
// session should see it too.
package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
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

// keysFromEnv reads COOKIESESSION_KEYS: comma-separated keys of 32 bytes
// or more in base64url, as "cookiesession keygen" prints them (the standard
// alphabet is accepted too). The first key seals; all of them open. Without
// it a random key is used, and sessions end with the process.
func keysFromEnv() [][]byte {
	var keys [][]byte
	for _, s := range strings.Split(os.Getenv("COOKIESESSION_KEYS"), ",") {
		if s = strings.TrimRight(strings.TrimSpace(s), "="); s == "" {
			continue
		}
		k, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			if k, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				log.Fatalf("COOKIESESSION_KEYS: key %d is not base64", len(keys)+1)
			}
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		log.Print("COOKIESESSION_KEYS not set: using a random key; sessions end with the process")
		k := make([]byte, cookiesession.MinKeySize)
		rand.Read(k)
		keys = append(keys, k)
	}
	return keys
}

func main() {
	store, err := newStore(keysFromEnv())
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "localhost:8080", Handler: routes(store), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on http://%s/", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
