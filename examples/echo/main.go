// Command echo uses cookiesession with Echo v4. echo.WrapMiddleware adapts
// the store's func(http.Handler) http.Handler middleware; handlers reach the
// session through c.Request().
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./echo
package main

import (
	"crypto/rand"
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
	log.Fatal(routes(store).Start("localhost:8080"))
}
