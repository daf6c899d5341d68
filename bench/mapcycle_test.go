package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// BenchmarkMapCycle is one request of an untyped session that changes one
// key: open the map payload (about 1.5 KB of JSON) from the cookie the
// previous iteration wrote, set "count_03" to the iteration number, and
// seal it into a new cookie value, which the next iteration opens. Its
// sub-benchmarks are store (New[Map], Store.Get and Session.Save),
// securecookie (Decode and Encode with its JSONEncoder into a
// map[string]any) and gorilla (sessions.CookieStore, gob), the same keys
// as the other benchmarks. Compare them through ratios from the same run.
func BenchmarkMapCycle(b *testing.B) {
	for _, c := range []struct {
		name string
		make func(testing.TB) func(value string, n int) (string, error)
	}{{"store", storeCycle}, {"securecookie", secureCookieCycle}, {"gorilla", gorillaCycle}} {
		b.Run(c.name, func(b *testing.B) {
			cycle := c.make(b)
			value, err := cycle("", 0) // the first request: a new session
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				n++
				if value, err = cycle(value, n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(value)), "cookie-bytes")
		})
	}
}

// storeCycle is the library's Map store as a handler uses it without the
// middleware: Store.Get on a request carrying the cookie, one key set,
// Session.Save.
func storeCycle(tb testing.TB) func(string, int) (string, error) {
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{key32}, Name: cookieName})
	if err != nil {
		tb.Fatal(err)
	}
	bare := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	m := newMap()
	return func(value string, n int) (string, error) {
		r := *bare
		r.Header = http.Header{"Cookie": {cookieName + "=" + value}}
		s := store.Get(&r)
		if value == "" {
			s.Data = m
		} else if s.IsNew() {
			return "", fmt.Errorf("store: session not opened: %v", s.Err())
		}
		s.Data["count_03"] = n
		clear(rec.Header())
		if err := s.Save(rec); err != nil {
			return "", err
		}
		return setCookieValue(rec.Header())
	}
}

// secureCookieCycle is gorilla/securecookie with its JSONEncoder: Decode
// into a fresh map[string]any, one key set, Encode.
func secureCookieCycle(tb testing.TB) func(string, int) (string, error) {
	sc := securecookie.New(hashKey, key32).SetSerializer(securecookie.JSONEncoder{})
	return func(value string, n int) (string, error) {
		var m map[string]any
		if value == "" {
			m = newMap()
		} else if err := sc.Decode(cookieName, value, &m); err != nil {
			return "", err
		}
		m["count_03"] = n
		return sc.Encode(cookieName, m)
	}
}

// gorillaCycle is gorilla/sessions' CookieStore (gob): store.Get on a
// request carrying the cookie, one value set, Session.Save.
func gorillaCycle(tb testing.TB) func(string, int) (string, error) {
	store := sessions.NewCookieStore(hashKey, key32)
	bare := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	return func(value string, n int) (string, error) {
		r := *bare
		r.Header = http.Header{"Cookie": {cookieName + "=" + value}}
		s, err := store.Get(&r, cookieName)
		if err != nil && value != "" {
			return "", err
		}
		if value == "" {
			for k, v := range newMap() {
				s.Values[k] = v
			}
		} else if s.IsNew {
			return "", fmt.Errorf("gorilla: session not opened")
		}
		s.Values["count_03"] = n
		clear(rec.Header())
		if err := s.Save(&r, rec); err != nil {
			return "", err
		}
		return setCookieValue(rec.Header())
	}
}
