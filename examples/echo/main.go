// Command echo uses cookiesession with Echo v4. echo.WrapMiddleware adapts
// the store's func(http.Handler) http.Handler middleware; handlers reach the
// session through c.Request().
//
//	SESSION_KEY=$(openssl rand -base64 32) go run ./echo
package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/cookiesession/cookiesession"
	"github.com/labstack/echo/v4"
)

type session struct {
	Visits int `json:"visits,omitempty"`
}

func newStore(keys [][]byte) (*cookiesession.Store[session], error) {
	return cookiesession.New[session](cookiesession.Options{Keys: keys, Name: "__Host-session"})
}

func routes(store *cookiesession.Store[session]) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.Use(echo.WrapMiddleware(store.Middleware))
	e.GET("/", func(c echo.Context) error {
		s := store.Get(c.Request())
		s.Data.Visits++
		return c.String(http.StatusOK, fmt.Sprintf("visits: %d\n", s.Data.Visits))
	})
	e.POST("/logout", func(c echo.Context) error {
		store.Get(c.Request()).Destroy()
		return c.NoContent(http.StatusNoContent)
	})
	return e
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
	log.Fatal(routes(store).Start("localhost:8080"))
}
