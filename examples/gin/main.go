// Command gin uses cookiesession with Gin. Gin's own middlewares receive a
// gin.ResponseWriter that a net/http middleware cannot replace, so the
// store's middleware wraps the whole engine (an http.Handler) instead; the
// handlers reach the session through c.Request.
//
//	SESSION_KEY=$(openssl rand -base64 32) go run ./gin
package main

import (
	"crypto/rand"
	"encoding/base64"
	"log"
	"net/http"
	"os"
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
	gin.SetMode(gin.ReleaseMode)
	store, err := newStore(keysFromEnv())
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "localhost:8080", Handler: routes(store), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on http://%s/", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
