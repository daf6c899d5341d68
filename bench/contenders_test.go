package bench

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"golang.org/x/crypto/chacha20poly1305"
)

// cookieName is the cookie every contender writes.
const cookieName = "session"

// Fixed keys: the figures must not depend on key material.
var (
	key32   = func() []byte { k := sha256.Sum256([]byte{0x42}); return k[:] }() // sealing / encryption key
	hashKey = bytes.Repeat([]byte{0x17}, 32)                                    // securecookie's HMAC key
)

// impl seals one payload into a cookie value and opens it again. open
// decodes into fresh data every time, as a server does per request.
type impl struct {
	seal func() (string, error)
	open func(value string) error
}

// contender builds an impl for a payload.
type contender struct {
	name string
	make func(tb testing.TB, p payload) impl
}

// contenders, in the order the tables show them: the floor first.
// Then the same with each plugged serializer (codecs_test.go).
var contenders = append([]contender{
	{"floor", floorImpl},
	{"floor-http", floorHTTPImpl},
	{"codec-xchacha", codecImpl(cookiesession.XChaCha20Poly1305)},
	{"codec-aesgcm", codecImpl(cookiesession.AES256GCM)},
	{"store", func(tb testing.TB, p payload) impl { return p.store(tb, nil) }},
	{"securecookie-json", secureCookieImpl},
	{"gorilla-sessions", gorillaImpl},
}, codecContenders()...)

// floorImpl is the least any JSON-in-an-AEAD cookie can do: json.Marshal,
// XChaCha20-Poly1305 with a random nonce, base64url; and back. No header,
// no associated data, no key ids, no times.
func floorImpl(tb testing.TB, p payload) impl { return floorWith(tb, p, json.Marshal, json.Unmarshal) }

// floorWith is the floor with another JSON implementation.
func floorWith(tb testing.TB, p payload, marshal func(any) ([]byte, error), unmarshal func([]byte, any) error) impl {
	aead, err := chacha20poly1305.NewX(key32)
	if err != nil {
		tb.Fatal(err)
	}
	ns := aead.NonceSize()
	return impl{
		seal: func() (string, error) {
			pt, err := marshal(p.value)
			if err != nil {
				return "", err
			}
			buf := make([]byte, ns, ns+len(pt)+aead.Overhead())
			if _, err := rand.Read(buf); err != nil {
				return "", err
			}
			buf = aead.Seal(buf, buf[:ns], pt, nil)
			return base64.RawURLEncoding.EncodeToString(buf), nil
		},
		open: func(value string) error {
			raw, err := base64.RawURLEncoding.DecodeString(value)
			if err != nil {
				return err
			}
			if len(raw) < ns {
				return errors.New("short value")
			}
			pt, err := aead.Open(raw[ns:ns], raw[:ns], raw[ns:], nil)
			if err != nil {
				return err
			}
			return unmarshal(pt, p.decode())
		},
	}
}

// codecImpl uses the library's Codec with encoding/json around it.
func codecImpl(c cookiesession.Cipher) func(testing.TB, payload) impl {
	return func(tb testing.TB, p payload) impl { return codecWith(tb, p, c, json.Marshal, json.Unmarshal) }
}

// codecWith is the Codec with another JSON implementation around it.
func codecWith(tb testing.TB, p payload, c cookiesession.Cipher, marshal func(any) ([]byte, error), unmarshal func([]byte, any) error) impl {
	codec, err := format.NewCodec(format.Suite(c), false, key32)
	if err != nil {
		tb.Fatal(err)
	}
	return impl{
		seal: func() (string, error) {
			pt, err := marshal(p.value)
			if err != nil {
				return "", err
			}
			now := time.Now()
			return codec.Seal(cookieName, format.Header{Created: now, Sealed: now}, pt)
		},
		open: func(value string) error {
			_, pt, err := codec.Open(cookieName, 1, value)
			if err != nil {
				return err
			}
			return unmarshal(pt, p.decode())
		},
	}
}

// floorHTTPImpl is the floor plus the HTTP work the store path does, as
// the store path does it: the same request copy and recorder, one
// Set-Cookie line with the store's default attributes (Max-Age, Expires,
// Path, HttpOnly, SameSite) built in one allocation and added to the
// header, and on open the cookie found in the Cookie header. It adds no
// Vary or Cache-Control header, which the store adds.
func floorHTTPImpl(tb testing.TB, p payload) impl {
	f := floorImpl(tb, p)
	bare := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	var cookie cookieHeader
	return impl{
		seal: func() (string, error) {
			r := *bare
			_ = r.Header.Get("Cookie") // the store looks for a cookie first
			value, err := f.seal()
			if err != nil {
				return "", err
			}
			clear(rec.Header())
			rec.Header().Add("Set-Cookie", setCookieLine(value, time.Now()))
			return setCookieValue(rec.Header())
		},
		open: func(value string) error {
			r := *bare
			r.Header = cookie.header(value)
			v, ok := cookieFrom(&r, cookieName)
			if !ok {
				return errors.New("floor-http: no cookie")
			}
			return f.open(v)
		},
	}
}

// setCookieLine formats the line the store writes under its defaults.
func setCookieLine(value string, now time.Time) string {
	const maxAge = 86400
	var b strings.Builder
	b.Grow(len(cookieName) + len(value) + 100)
	b.WriteString(cookieName)
	b.WriteByte('=')
	b.WriteString(value)
	b.WriteString("; Max-Age=86400; Expires=")
	var buf [32]byte
	b.Write(now.Add(maxAge*time.Second).UTC().AppendFormat(buf[:0], http.TimeFormat))
	b.WriteString("; Path=/; HttpOnly; SameSite=Lax")
	return b.String()
}

// cookieFrom returns the value of the cookie called name in r's Cookie
// headers, with no allocation.
func cookieFrom(r *http.Request, name string) (string, bool) {
	for _, line := range r.Header["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimSpace(part)
			if n, v, ok := strings.Cut(part, "="); ok && n == name {
				return v, true
			}
		}
	}
	return "", false
}

// storeImpl goes through the library's Store as a handler does without the
// middleware: store.Get(r), set Data, Session.Save(w) into an
// httptest.ResponseRecorder; and store.Get(r) on a request carrying the
// cookie. Each iteration uses a shallow copy of a request made once with
// httptest.NewRequest (one allocation, as the copy escapes), and the same
// Cookie header as long as the value is the same (BenchmarkOpen); gorillaImpl
// does the same.
func storeImpl[T any](v T, interfaces bool) func(testing.TB, *serializer) impl {
	return func(tb testing.TB, js *serializer) impl {
		o := cookiesession.Options{Keys: [][]byte{key32}, Name: cookieName}
		if js != nil {
			p := jsonPair{js.marshal, js.unmarshal}
			if interfaces {
				p.unmarshal = js.exact
			}
			o.JSON = p
		}
		store, err := cookiesession.New[T](o)
		if err != nil {
			tb.Fatal(err)
		}
		bare := httptest.NewRequest(http.MethodGet, "/", nil)
		rec := httptest.NewRecorder()
		var cookie cookieHeader
		return impl{
			seal: func() (string, error) {
				r := *bare
				s := store.Get(&r)
				s.Data = v
				clear(rec.Header())
				if err := s.Save(rec); err != nil {
					return "", err
				}
				return setCookieValue(rec.Header())
			},
			open: func(value string) error {
				r := *bare
				r.Header = cookie.header(value)
				s := store.Get(&r)
				if s.IsNew() {
					return fmt.Errorf("store: session not opened: %v", s.Err())
				}
				return nil
			},
		}
	}
}

// secureCookieImpl is gorilla/securecookie with its JSONEncoder, AES-256
// (CTR) and HMAC-SHA256. MaxLength is lifted so that the large payload,
// whose value exceeds 4096 bytes, can be measured at all.
func secureCookieImpl(tb testing.TB, p payload) impl {
	return secureCookieWith(p, securecookie.JSONEncoder{})
}

// secureCookieWith is securecookie with another serializer.
func secureCookieWith(p payload, s securecookie.Serializer) impl {
	sc := securecookie.New(hashKey, key32).SetSerializer(s).MaxLength(0)
	return impl{
		seal: func() (string, error) { return sc.Encode(cookieName, p.value) },
		open: func(value string) error { return sc.Decode(cookieName, value, p.decode()) },
	}
}

// gorillaImpl is gorilla/sessions' CookieStore as handlers use it:
// store.Get(r, name), set Values, session.Save(r, w); and store.Get on a
// request carrying the cookie. Values are gob-encoded (JSONEncoder cannot
// encode map[interface{}]interface{}). MaxLength is lifted as for
// securecookie.
func gorillaImpl(tb testing.TB, p payload) impl {
	store := sessions.NewCookieStore(hashKey, key32)
	for _, c := range store.Codecs {
		c.(*securecookie.SecureCookie).MaxLength(0)
	}
	bare := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	var cookie cookieHeader
	return impl{
		seal: func() (string, error) {
			r := *bare
			s, err := store.Get(&r, cookieName)
			if err != nil {
				return "", err
			}
			s.Values = p.gorilla
			clear(rec.Header())
			if err := s.Save(&r, rec); err != nil {
				return "", err
			}
			return setCookieValue(rec.Header())
		},
		open: func(value string) error {
			r := *bare
			r.Header = cookie.header(value)
			s, err := store.Get(&r, cookieName)
			if err != nil {
				return err
			}
			if s.IsNew {
				return errors.New("gorilla: session not opened")
			}
			return nil
		},
	}
}

// setCookieValue returns the value of the one Set-Cookie line for
// cookieName in h.
func setCookieValue(h http.Header) (string, error) {
	for _, line := range h["Set-Cookie"] {
		nv, _, _ := strings.Cut(line, ";")
		if name, value, ok := strings.Cut(nv, "="); ok && name == cookieName && value != "" {
			return value, nil
		}
	}
	return "", fmt.Errorf("no Set-Cookie for %q in %q", cookieName, h["Set-Cookie"])
}

// cookieHeader builds the request header that carries a cookie value, and
// keeps it while the value stays the same, so that BenchmarkOpen does not
// count building it. BenchmarkSealOpen builds one per iteration (three
// allocations), for the store and gorilla/sessions alike.
type cookieHeader struct {
	value string
	h     http.Header
}

func (c *cookieHeader) header(value string) http.Header {
	if c.h == nil || value != c.value {
		c.value, c.h = value, http.Header{"Cookie": {cookieName + "=" + value}}
	}
	return c.h
}
