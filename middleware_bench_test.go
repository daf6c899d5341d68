package cookiesession

import (
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
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
				l := newRevocationList(b, RevocationListOptions{MaxAge: 24 * time.Hour})
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

// BenchmarkRevocationListMemory reports the Go heap a RevocationList holds
// per revoked session (B/entry, after GC), with identifiers as
// Session.ID makes them (16 random bytes, base64url) at 100,000 and
// 1,000,000 entries.
func BenchmarkRevocationListMemory(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			until := time.Now().Add(time.Hour)
			var perEntry float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				l := newRevocationList(b, RevocationListOptions{MaxEntries: n})
				var raw [16]byte
				for i := range n { // each identifier a string of its own, as a request's
					binary.BigEndian.PutUint64(raw[:], uint64(i)*0x9E3779B97F4A7C15)
					binary.BigEndian.PutUint64(raw[8:], uint64(i))
					if err := l.RevokeSession(base64.RawURLEncoding.EncodeToString(raw[:]), until); err != nil {
						b.Fatal(err)
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perEntry = float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
				runtime.KeepAlive(l)
			}
			b.ReportMetric(perEntry, "B/entry")
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
