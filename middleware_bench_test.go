package cookiesession

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
				sess := s.Get(httptest.NewRequest("GET", "/", nil))
				sess.Data = benchPayload(size)
				h := http.Header{}
				if err := sess.Save(headerWriter(h)); err != nil {
					b.Fatal(err)
				}
				line := h["Set-Cookie"][0]
				cookie := line[:strings.IndexByte(line, ';')]
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
