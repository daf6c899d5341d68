package cookiesession

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/memrevoke"
)

// BenchmarkMiddleware is one request through the middleware whose handler
// reads the session, changes it (change=true) or not, and then writes a
// body: the session is committed before the handler returns and checked
// again after it, for changes that would be lost.
func BenchmarkMiddleware(b *testing.B) {
	for _, change := range []string{"none", "before-body"} {
		for _, size := range benchSizes {
			b.Run(change+"/"+size, func(b *testing.B) {
				s := newStore[benchSession](b, Options{})
				cookie := sealedCookie(b, s, benchPayload(size), "")
				handler := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					sess := s.Get(r)
					if change == "before-body" {
						sess.Data.UserID++
					}
					io.WriteString(w, "ok")
				}))
				r := httptest.NewRequest("GET", "/", nil)
				r.Header.Set("Cookie", cookie)
				w := &benchWriter{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					handler.ServeHTTP(w, r)
				}
			})
		}
	}
}

// benchWriter is a ResponseWriter with Flush, as net/http's has, that
// keeps nothing.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(int)             {}
func (w *benchWriter) Flush()                      {}

// BenchmarkOpenRevocation is Store.Get of a sealed 300-byte session with
// revocation off, and on with an in-memory list of 100,000 revoked
// sessions and 1,000 subject cut-offs (the session is not among them).
func BenchmarkOpenRevocation(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := map[bool]string{false: "off", true: "on-100k"}[on]
		b.Run(name, func(b *testing.B) {
			o := Options{}
			if on {
				l := newRevocationList(b, memrevoke.Options{MaxAge: 24 * time.Hour})
				until := time.Now().Add(time.Hour)
				for i := range 100_000 {
					l.RevokeSession(strconv.Itoa(i), until)
				}
				for i := range 1_000 {
					l.RevokeSubject("user-"+strconv.Itoa(i), time.Now())
				}
				o.Revocations = l
			}
			s := newStore[benchSession](b, o)
			r := &http.Request{Header: http.Header{"Cookie": {sealedCookie(b, s, benchPayload("300B"), "someone")}}}
			b.ReportAllocs()
			for b.Loop() {
				if got := s.Get(r); got.IsNew() {
					b.Fatal(got.Err())
				}
			}
		})
	}
}

// BenchmarkMiddlewareCounter is the request of bench/cmd/server -mode
// middleware: the handler reads a {"n":N} session, increments N and writes
// N as the body, so every request opens, commits and checks the session
// for late changes.
func BenchmarkMiddlewareCounter(b *testing.B) {
	type counter struct {
		N int `json:"n"`
	}
	s := newStore[counter](b, Options{})
	handler := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.N++
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		var buf [20]byte
		w.Write(strconv.AppendInt(buf[:0], int64(sess.Data.N), 10))
	}))
	first := &benchWriter{h: http.Header{}}
	handler.ServeHTTP(first, httptest.NewRequest("GET", "/", nil))
	line := first.h["Set-Cookie"][0]
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", line[:strings.IndexByte(line, ';')])
	w := &benchWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		handler.ServeHTTP(w, r)
	}
}
