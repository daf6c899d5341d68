// Command gin uses cookiesession with Gin. Gin's own middlewares receive a
// gin.ResponseWriter that a net/http middleware cannot replace, so the
// store's middleware wraps the whole engine (an http.Handler) instead; the
// handlers reach the session through c.Request.
//
//	COOKIESESSION_KEYS=$(go run github.com/cookiesession/cookiesession/cmd/cookiesession keygen) go run ./gin
package main

import (
	"crypto/rand"
	"encoding/base64"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/gin-gonic/gin"
)

type session struct {
	Visits int `json:"visits,omitempty"`
}

func newStore(keys [][]byte) (*cookiesession.Store[session], error) {
	return cookiesession.New[session](cookiesession.Options{Keys: keys, Name: "__Host-session"})
}

func routes(store *cookiesession.Store[session]) http.Handler {
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/", func(c *gin.Context) {
		s := store.Get(c.Request)
		s.Data.Visits++
		c.String(http.StatusOK, "visits: %d\n", s.Data.Visits)
	})
	r.POST("/logout", func(c *gin.Context) {
		store.Get(c.Request).Destroy()
		c.Status(http.StatusNoContent)
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
	gin.SetMode(gin.ReleaseMode)
	store, err := newStore(keysFromEnv())
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "localhost:8080", Handler: routes(store), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on http://%s/", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
