package cookiesession

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/memrevoke"
	"golang.org/x/crypto/chacha20poly1305"
)

// benchSession is a typical small session: about 300 bytes of JSON.
type benchSession struct {
	UserID    int64     `json:"user_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Roles     []string  `json:"roles"`
	CSRF      string    `json:"csrf"`
	LoginAt   time.Time `json:"login_at"`
	Locale    string    `json:"locale"`
	Theme     string    `json:"theme"`
	CartItems []int     `json:"cart_items"`
	Notes     string    `json:"notes"`
}

func benchPayload(size string) benchSession {
	s := benchSession{
		UserID: 1234567, Email: "ada.lovelace@example.com", Name: "Ada Lovelace",
		Roles: []string{"admin", "editor", "billing"}, CSRF: "q2Jv8bYl3rK0xW9mZt4uPA",
		LoginAt: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), Locale: "en-GB", Theme: "dark",
		CartItems: []int{101, 202, 303, 404, 505, 606},
	}
	switch size {
	case "300B":
		s.Notes = strings.Repeat("n", 300-baseLen(s))
	case "2KB":
		s.Notes = strings.Repeat("n", 2048-baseLen(s))
	}
	return s
}

func baseLen(s benchSession) int { b, _ := json.Marshal(s); return len(b) }

var benchSizes = []string{"300B", "2KB"}

// BenchmarkSealOpen measures one full cycle through the store's public
// API: Session.Save of a changed session, then Store.Get of the request
// carrying the cookie.
func BenchmarkSealOpen(b *testing.B) {
	for _, c := range []Cipher{XChaCha20Poly1305, AES256GCM} {
		for _, size := range benchSizes {
			b.Run(c.String()+"/"+size, func(b *testing.B) {
				s := newStore[benchSession](b, Options{Cipher: c})
				payload := benchPayload(size)
				req := httptest.NewRequest("GET", "/", nil)
				h := http.Header{}
				var value string
				b.ReportAllocs()
				for b.Loop() {
					sess := s.Get(req)
					sess.Data = payload
					sess.Data.UserID++
					clear(h)
					if err := sess.Save(headerWriter(h)); err != nil {
						b.Fatal(err)
					}
					line := h["Set-Cookie"][0]
					value = line[len("session="):strings.IndexByte(line, ';')]
					r := &http.Request{Header: http.Header{"Cookie": {"session=" + value}}}
					if got := s.Get(r); got.IsNew() {
						b.Fatal(got.Err())
					}
				}
				b.ReportMetric(float64(len(value)), "cookie-bytes")
			})
		}
	}
}

// sealedCookie returns the name=value pair a store writes for a session
// holding data (and bound to subject, if any).
func sealedCookie(b *testing.B, s *Store[benchSession], data benchSession, subject string) string {
	b.Helper()
	sess := s.Get(httptest.NewRequest("GET", "/", nil))
	sess.Data = data
	sess.SetSubject(subject)
	h := http.Header{}
	if err := sess.Save(headerWriter(h)); err != nil {
		b.Fatal(err)
	}
	line := h["Set-Cookie"][0]
	return line[:strings.IndexByte(line, ';')]
}

// BenchmarkOpen measures Store.Get of a request carrying a sealed cookie.
func BenchmarkOpen(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			s := newStore[benchSession](b, Options{})
			r := &http.Request{Header: http.Header{"Cookie": {sealedCookie(b, s, benchPayload(size), "")}}}
			b.ReportAllocs()
			for b.Loop() {
				if got := s.Get(r); got.IsNew() {
					b.Fatal(got.Err())
				}
			}
		})
	}
}

// BenchmarkFloorSealOpen is the floor the store is measured against:
// json.Marshal + XChaCha20-Poly1305 + base64, and back, with no library,
// doing the HTTP work BenchmarkSealOpen does: a Set-Cookie line with the
// store's default attributes (Max-Age, Expires, Path, HttpOnly, SameSite)
// added to the response header, the value taken out of it the same way,
// and on open a request whose Cookie header is searched for the cookie.
// It sets no Vary or Cache-Control header, which the store does.
func BenchmarkFloorSealOpen(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			key := make([]byte, 32)
			rand.Read(key)
			aead, _ := chacha20poly1305.NewX(key)
			payload := benchPayload(size)
			ad := []byte("session")
			h := http.Header{}
			var value string
			b.ReportAllocs()
			for b.Loop() {
				payload.UserID++
				pt, err := json.Marshal(payload)
				if err != nil {
					b.Fatal(err)
				}
				nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(pt)+aead.Overhead())
				rand.Read(nonce)
				sealed := aead.Seal(nonce, nonce, pt, ad)
				clear(h)
				h.Add("Set-Cookie", floorLine("session", base64.RawURLEncoding.EncodeToString(sealed), time.Now()))

				line := h["Set-Cookie"][0]
				value = line[len("session="):strings.IndexByte(line, ';')]
				r := &http.Request{Header: http.Header{"Cookie": {"session=" + value}}}
				v, ok := floorCookie(r, "session")
				if !ok {
					b.Fatal("no cookie")
				}
				raw, err := base64.RawURLEncoding.DecodeString(v)
				if err != nil {
					b.Fatal(err)
				}
				n := aead.NonceSize()
				opened, err := aead.Open(raw[n:n], raw[:n], raw[n:], ad)
				if err != nil {
					b.Fatal(err)
				}
				var out benchSession
				if err := json.Unmarshal(opened, &out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(value)), "cookie-bytes")
		})
	}
}

// floorLine formats a Set-Cookie line with the store's default
// attributes, in one allocation.
func floorLine(name, value string, now time.Time) string {
	var b strings.Builder
	b.Grow(len(name) + len(value) + 100)
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(value)
	b.WriteString("; Max-Age=86400; Expires=")
	var buf [32]byte
	b.Write(now.Add(24*time.Hour).UTC().AppendFormat(buf[:0], http.TimeFormat))
	b.WriteString("; Path=/; HttpOnly; SameSite=Lax")
	return b.String()
}

// floorCookie returns the value of the cookie called name in r's Cookie
// headers, without allocating.
func floorCookie(r *http.Request, name string) (string, bool) {
	for _, line := range r.Header["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			if n, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && n == name {
				return v, true
			}
		}
	}
	return "", false
}

// BenchmarkHostileCookieHeader measures Store.Get on each hostile header,
// beside Request.Cookies on the store's header as the floor. Compare the
// readers with benchstat, e.g. -col /reader.
func BenchmarkHostileCookieHeader(b *testing.B) {
	readers := hostileReaders(b)
	for _, sh := range hostileShapes() {
		b.Run("shape="+sh.name+"/reader=netHTTPCookies", func(b *testing.B) {
			r := sh.request(readers[0])
			b.ReportAllocs()
			for b.Loop() {
				r.Cookies()
			}
		})
		for _, rd := range readers {
			b.Run("shape="+sh.name+"/reader="+rd.name, func(b *testing.B) {
				r := sh.request(rd)
				b.ReportAllocs()
				for b.Loop() {
					rd.store.Get(r)
				}
			})
		}
	}
}

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
				w := headerWriter{}
				b.ReportAllocs()
				for b.Loop() {
					clear(w)
					handler.ServeHTTP(w, r)
				}
			})
		}
	}
}

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
	first := headerWriter{}
	handler.ServeHTTP(first, httptest.NewRequest("GET", "/", nil))
	line := first["Set-Cookie"][0]
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", line[:strings.IndexByte(line, ';')])
	w := headerWriter{}
	b.ReportAllocs()
	for b.Loop() {
		clear(w)
		handler.ServeHTTP(w, r)
	}
}
