package redisrevoke_test

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/redisrevoke"
)

// Every instance builds its store on its own List over the same Redis; a
// logout on any of them refuses the session everywhere.
func Example() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	const lifetime = 30 * 24 * time.Hour
	list, err := redisrevoke.New(ctx, rdb, redisrevoke.Options{MaxAge: lifetime})
	if err != nil {
		log.Fatal(err) // Redis unreachable at start: nothing could be enforced
	}
	defer list.Close()
	keys, _ := cookiesession.ParseKeys("...") // from the environment
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: keys, MaxAge: lifetime, Revocations: list})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		if s.Subject() != "" { // only a signed-in session: revoking anonymous ones would let anyone grow the list
			if err := list.RevokeSession(r.Context(), s.ID(), s.Deadline()); err != nil { // its absolute end
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
		}
		s.Destroy()
	})
	mux.HandleFunc("POST /logout-everywhere", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		if s.Subject() == "" {
			http.Error(w, "not signed in", http.StatusForbidden)
			return
		}
		if err := list.RevokeSubject(r.Context(), s.Subject(), time.Now()); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		s.Destroy()
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if list.Stale() > time.Minute {
			http.Error(w, "revocations stale", http.StatusServiceUnavailable)
		}
	})
	log.Fatal(http.ListenAndServe(":8080", store.Middleware(mux)))
}
