// Command echo uses cookiesession with Echo v4. echo.WrapMiddleware adapts
// the store's func(http.Handler) http.Handler middleware; handlers reach the
// session through c.Request().
//
//	COOKIESESSION_KEYS=$(go run github.com/cookiesession/cookiesession/cmd/cookiesession keygen) go run ./echo
package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

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
	log.Fatal(routes(store).Start("localhost:8080"))
}
