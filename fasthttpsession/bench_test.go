package fasthttpsession_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/fasthttpsession"
	"github.com/cookiesession/cookiesession/sessiontest"
	"github.com/valyala/fasthttp"
)

// BenchmarkCounter is one counter request (read the session, add one,
// write a body) with a sealed session cookie: through the adapter on a
// fasthttp RequestCtx ("fasthttp"), through the adapter with the handler
// reading nothing ("fasthttp-untouched"), and through the store's net/http
// middleware ("nethttp"), each without a network.
func BenchmarkCounter(b *testing.B) {
	s, _ := newStore(b, cookiesession.Options{})
	cookie := sessiontest.NewRequest(s, "GET", "http://localhost/", counter{N: 1}).Header.Get("Cookie")
	b.Run("fasthttp", func(b *testing.B) {
		benchFasthttp(b, fasthttpsession.Middleware(s, increment(s)), cookie)
	})
	b.Run("fasthttp-untouched", func(b *testing.B) {
		benchFasthttp(b, fasthttpsession.Middleware(s, func(ctx *fasthttp.RequestCtx) { ctx.WriteString("ok") }), cookie)
	})
	b.Run("nethttp", func(b *testing.B) {
		h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sess := s.Get(r)
			sess.Data.N++
			fmt.Fprintf(w, "%d", sess.Data.N)
		}))
		r := httptest.NewRequest("GET", "http://localhost/", nil)
		r.Header.Set("Cookie", cookie)
		w := &nopWriter{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			clear(w.h)
			h.ServeHTTP(w, r)
		}
	})
}

// benchFasthttp runs h on one reused RequestCtx carrying cookie.
func benchFasthttp(b *testing.B, h fasthttp.RequestHandler, cookie string) {
	req := parsedRequest(b, cookie)
	var ctx fasthttp.RequestCtx
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4321}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Init(req, addr, nil)
		h(&ctx)
		ctx.Request.Reset() // as the server does: closes the adapter's state
	}
}

// parsedRequest returns a GET / carrying cookie, parsed by fasthttp as its
// server parses it: the Cookie line stays raw until a handler reads it.
func parsedRequest(b *testing.B, cookie string) *fasthttp.Request {
	var req fasthttp.Request
	raw := "GET / HTTP/1.1\r\nHost: localhost\r\nCookie: " + cookie + "\r\n\r\n"
	if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		b.Fatal(err)
	}
	return &req
}

// nopWriter is a ResponseWriter that keeps nothing.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

var _ io.Writer = (*nopWriter)(nil)
