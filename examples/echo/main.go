// Command echo uses cookiesession with Echo v5, on one route group only:
// the pages under /account have a session; the others never open, save or
// vary on one, so shared caches may keep them. echo.WrapMiddleware adapts
// the store's func(http.Handler) http.Handler middleware to the group, and
// handlers reach the session through c.Request(). A handler that returns an
// error keeps its session change: the middleware saves the session when the
// handler returns, and Echo's error handler then answers with the cookie.
// On Echo v4 the same code works, with echo.Context in place of
// *echo.Context.
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./echo
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/cookiesession/cookiesession"
	"github.com/labstack/echo/v5"
)

type session struct {
	Visits int `json:"visits,omitempty"`
}

func newStore(keys [][]byte) (*cookiesession.Store[session], error) {
	return cookiesession.New[session](cookiesession.Options{Keys: keys, Name: "__Host-session"})
}

func routes(store *cookiesession.Store[session]) *echo.Echo {
	e := echo.New()
	e.GET("/", func(c *echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=60")
		return c.String(http.StatusOK, "home: no session here\n")
	})
	account := e.Group("/account", echo.WrapMiddleware(store.Middleware))
	account.GET("", func(c *echo.Context) error {
		s := store.Get(c.Request())
		s.Data.Visits++
		return c.String(http.StatusOK, fmt.Sprintf("visits: %d\n", s.Data.Visits))
	})
	account.POST("/logout", func(c *echo.Context) error {
		store.Get(c.Request()).Destroy()
		return c.NoContent(http.StatusNoContent)
	})
	return e
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
	log.Fatal(routes(store).Start("localhost:8080"))
}
