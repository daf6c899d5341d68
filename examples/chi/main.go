// Command chi uses cookiesession with the go-chi/chi router: the store's
// middleware is an ordinary func(http.Handler) http.Handler, so Router.Use
// takes it as it is.
//
//	SESSION_KEY=$(openssl rand -base64 32) go run ./chi
package main

import (
	"crypto/rand"
	"encoding/base64"
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

func keysFromEnv() [][]byte {
	if v := os.Getenv("SESSION_KEY"); v != "" {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			log.Fatalf("SESSION_KEY is not base64: %v", err)
		}
		return [][]byte{k}
	}
	log.Print("SESSION_KEY not set: using a random key; sessions end when the process does")
	k := make([]byte, cookiesession.MinKeySize)
	rand.Read(k)
	return [][]byte{k}
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
