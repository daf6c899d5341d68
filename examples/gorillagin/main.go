// Command gorillagin runs code written for gorilla/sessions, through
// gin-contrib/sessions, on cookiesession's sealed cookies: the only change
// from a gorilla CookieStore is the constructor, gorillastore.New. The
// handlers use gin-contrib's Session as they would with its cookie store:
// Get and Set, flash messages, Save, and Options{MaxAge: -1} to log out.
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./gorillagin
package main

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/gorillastore"
	ginsessions "github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
)

// sessionName is the session's cookie name.
const sessionName = "__Host-session"

// ginStore is a gorillastore.Store as gin-contrib/sessions' Store, which
// adds an Options method to gorilla's interface.
type ginStore struct{ *gorillastore.Store }

// Options would set every session's cookie attributes: with gorillastore
// they are cookiesession.Options, given to gorillastore.New, and a
// session may change only its MaxAge. Calling it is a programming error.
func (ginStore) Options(ginsessions.Options) {
	panic("gorillagin: set cookie attributes in the cookiesession.Options given to gorillastore.New")
}

func newStore(keys [][]byte) (ginStore, error) {
	s, err := gorillastore.New(cookiesession.Options{Keys: keys, Name: sessionName, MaxAgeCeiling: 30 * 24 * time.Hour})
	return ginStore{s}, err
}

func routes(store ginStore) http.Handler {
	r := gin.New()
	r.Use(gin.Recovery(), ginsessions.Sessions(sessionName, store))
	r.GET("/", func(c *gin.Context) {
		s := ginsessions.Default(c)
		// Numbers come back from the cookie as json.Number.
		visits, _ := s.Get("visits").(json.Number)
		n, _ := visits.Int64()
		s.Set("visits", n+1)
		flashes := s.Flashes()
		if err := s.Save(); err != nil {
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"visits": n + 1, "flashes": flashes})
	})
	r.POST("/note", func(c *gin.Context) {
		s := ginsessions.Default(c)
		s.AddFlash(c.PostForm("text"))
		switch err := s.Save(); {
		case errors.Is(err, cookiesession.ErrTooLarge): // the note does not fit in the cookies
			c.String(http.StatusRequestEntityTooLarge, "note too long\n")
			return
		case err != nil:
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/")
	})
	r.POST("/logout", func(c *gin.Context) {
		s := ginsessions.Default(c)
		s.Clear()
		s.Options(ginsessions.Options{MaxAge: -1})
		if err := s.Save(); err != nil {
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
	return r
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
	gin.SetMode(gin.ReleaseMode)
	store, err := newStore(keys())
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "localhost:8080", Handler: routes(store), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on http://%s/", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
