package cookiesession

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// fuzzStore has chunking on, so the fuzzers reach the chunk reader too.
func fuzzStore(t testing.TB) *Store[Map] {
	return newStore[Map](t, Options{MaxChunks: 4, MaxTotalBytes: 16384, Now: func() time.Time { return time.Unix(1796212800, 0) }})
}

// FuzzOpen feeds arbitrary values to the store as the session cookie. No
// value may panic, and no value but a genuine one may open. The seed corpus
// is in testdata/fuzz/FuzzOpen.
func FuzzOpen(f *testing.F) {
	s := fuzzStore(f)
	f.Fuzz(func(t *testing.T, value string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", "session="+value)
		sess := s.Get(r)
		if !sess.IsNew() {
			// Only a value sealed by this store's key can open; the fuzzer
			// cannot forge one, so an opened session must re-seal to a
			// value that opens to the same data.
			rec := httptest.NewRecorder()
			sess.Data["fuzz"] = true
			if err := sess.Save(rec); err != nil && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("opened value does not re-seal: %v", err)
			}
			return
		}
		if sess.Err() == nil && value != "" {
			t.Fatalf("value %q rejected without a reason", value)
		}
		if len(sess.Data) != 0 {
			t.Fatalf("rejected value left data: %v", sess.Data)
		}
	})
}

// FuzzCookieHeader feeds arbitrary Cookie headers to the chunk reader. The
// seed corpus is in testdata/fuzz/FuzzCookieHeader.
func FuzzCookieHeader(f *testing.F) {
	s := fuzzStore(f)
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Cookie"] = []string{header}
		in, err := readChunks(r.Header["Cookie"], "session", s.c.limits)
		if err == nil && in.Chunks > s.c.limits.Chunks {
			t.Fatalf("%d chunks accepted, limit %d", in.Chunks, s.c.limits.Chunks)
		}
		if err == nil && len(in.Value) > s.c.limits.Total {
			t.Fatalf("value of %d bytes accepted, total limit %d", len(in.Value), s.c.limits.Total)
		}
		sess := s.Get(r)
		if sess.IsNew() && len(sess.Data) != 0 {
			t.Fatal("new session with data")
		}
		// A save after any header never panics and writes well-formed lines.
		sess.Data["k"] = 1
		rec := httptest.NewRecorder()
		if err := sess.Save(rec); err != nil {
			t.Fatalf("save after hostile header: %v", err)
		}
		for _, line := range rec.Header()["Set-Cookie"] {
			if bytes.ContainsAny([]byte(line), "\r\n") {
				t.Fatalf("bad Set-Cookie line %q", line)
			}
		}
		if _, err := http.ParseSetCookie(rec.Header()["Set-Cookie"][0]); err != nil {
			t.Fatal(err)
		}
	})
}
