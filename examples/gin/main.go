// Command gin uses cookiesession with Gin, on one route group only: the
// pages under /account have a session; the others never open, save or vary
// on one. Gin's middlewares write through c.Writer, a gin.ResponseWriter
// that the store's net/http middleware cannot produce, so sessions adapts
// it: the rest of the chain (c.Next) runs inside store.Middleware, with
// c.Request carrying the session and c.Writer writing through the store's
// writer, which saves the session just before the response starts.
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./gin
package main

import (
	"bufio"
	"io"
	"log"
	"net"
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
		c.Header("Cache-Control", "public, max-age=60")
		c.String(http.StatusOK, "home: no session here\n")
	})
	account := r.Group("/account", sessions(store))
	account.GET("", func(c *gin.Context) {
		s := store.Get(c.Request)
		s.Data.Visits++
		c.String(http.StatusOK, "visits: %d\n", s.Data.Visits)
	})
	account.POST("/logout", func(c *gin.Context) {
		store.Get(c.Request).Destroy()
		c.Status(http.StatusNoContent)
	})
	account.GET("/panic", func(c *gin.Context) {
		store.Get(c.Request).Data.Visits = 1000
		panic("a bug") // gin.Recovery answers 500; the change is not saved
	})
	return r
}

// sessions returns Gin middleware that runs the rest of the chain under
// store.Middleware.
func sessions[T any](store *cookiesession.Store[T]) gin.HandlerFunc {
	return func(c *gin.Context) {
		outer := c.Writer
		store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.Request = r
			c.Writer = &ginWriter{ResponseWriter: outer, session: w}
			defer func() { c.Writer = outer }() // also after a panic: Recovery answers without the session
			c.Next()
		})).ServeHTTP(outer, c.Request)
	}
}

// ginWriter is a gin.ResponseWriter whose writes go through the store's
// writer (session), so that the session is saved before the response
// starts. Status, Size, Written, CloseNotify and Pusher are Gin's own.
type ginWriter struct {
	gin.ResponseWriter
	session http.ResponseWriter
}

func (g *ginWriter) WriteHeader(code int)              { g.session.WriteHeader(code) }
func (g *ginWriter) Write(p []byte) (int, error)       { return g.session.Write(p) }
func (g *ginWriter) WriteString(s string) (int, error) { return io.WriteString(g.session, s) }
func (g *ginWriter) Flush()                            { _ = http.NewResponseController(g.session).Flush() }
func (g *ginWriter) Unwrap() http.ResponseWriter       { return g.session }
func (g *ginWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(g.session).Hijack()
}

// WriteHeaderNow sends the status Gin holds, after the session is saved
// (c.Status(204) alone sends nothing until Gin calls it).
func (g *ginWriter) WriteHeaderNow() {
	if !g.Written() {
		g.session.WriteHeader(g.Status())
	}
	g.ResponseWriter.WriteHeaderNow()
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
