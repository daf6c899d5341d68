package migrate

// The Express reader on Cookie headers no browser sends: what a store
// that reads Express sessions makes of 1 MB headers (the store's own
// reader: the root's cookiesession_test.go), names after bytes that are not
// blanks, and nodeCookie against a plain reference reader.

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

// expressHostile is a store whose own cookie is "sid" that reads an
// Express session called "session", and the Cookie-header text of a
// genuine one.
func expressHostile(tb testing.TB) (*cookiesession.Store[cookiesession.Map], string) {
	e := Express{Keys: []string{"k1"}}
	f, err := e.compile()
	if err != nil {
		tb.Fatal(err)
	}
	value, sig, err := f.encode([]byte(`{"blob":"express"}`))
	if err != nil {
		tb.Fatal(err)
	}
	return newStore[cookiesession.Map](tb, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&e}}), "session=" + value + "; session.sig=" + sig
}

// expressHostileWant is what a store with the Express reader makes of
// each of hostileHeaders: every header of more than cookie.MaxCookies
// pairs is refused (ErrChunks) before any search; "whitespace" holds no
// session, and no reason.
var expressHostileWant = map[string]error{
	"semicolons": cookiesession.ErrChunks, "pairs": cookiesession.ErrChunks, "duplicates": cookiesession.ErrChunks,
	"prefixNames": cookiesession.ErrChunks, "lines": cookiesession.ErrChunks, "whitespace": nil,
	"validAfterJunk": cookiesession.ErrChunks, "validOnly": nil,
}

// cookieRequest returns a request carrying the Cookie header lines.
func cookieRequest(lines []string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header["Cookie"] = lines
	return r
}

// checkExpressHostile checks sess: opened with the genuine session, or new
// with an error matching want (nil: none); no error quotes a value of
// valid.
func checkExpressHostile(t *testing.T, sess *cookiesession.Session[cookiesession.Map], opened bool, want error, valid string) {
	t.Helper()
	err := sess.Err()
	switch {
	case opened:
		if sess.IsNew() || err != nil || sess.Data["blob"] != "express" {
			t.Fatalf("genuine session not opened: new=%v err=%v", sess.IsNew(), err)
		}
	case !sess.IsNew() || len(sess.Data) != 0:
		t.Fatalf("session opened with %d keys", len(sess.Data))
	case want == nil && err != nil, want != nil && !errors.Is(err, want):
		t.Fatalf("err = %v, want %v", err, want)
	}
	if err != nil {
		for _, pair := range strings.Split(valid, "; ") {
			if _, v, _ := strings.Cut(pair, "="); strings.Contains(err.Error(), v) {
				t.Fatalf("error message quotes a cookie value: %v", err)
			}
		}
	}
}

// TestExpressHostileHeaders checks what Store.Get makes of each hostile
// header with the Express reader, and that it allocates a bounded amount:
// the session, the Session and an error at most, never a copy of the
// header or memory per cookie.
func TestExpressHostileHeaders(t *testing.T) {
	s, valid := expressHostile(t)
	for name, lines := range hostileHeaders(valid) {
		t.Run(name, func(t *testing.T) {
			want, ok := expressHostileWant[name]
			if !ok {
				t.Fatal("no outcome for this header")
			}
			r := cookieRequest(lines)
			checkExpressHostile(t, s.Get(r), name == "validOnly", want, valid)
			if allocs, bytes := getCost(s, r); allocs > 40 || bytes > 8<<10 {
				t.Errorf("%.0f allocations, %d bytes per Get (limit %d)", allocs, bytes, 8<<10)
			}
		})
	}
}

// TestExpressHostileBoundExact checks that an Express session is read
// with cookie.MaxCookies cookie pairs in the request, every pair on any
// line counted, and reported with one more.
func TestExpressHostileBoundExact(t *testing.T) {
	s, valid := expressHostile(t)
	for extra, opened := range []bool{true, false} {
		r := cookieRequest([]string{strings.Repeat("a=b; ", cookie.MaxCookies-3+extra) + "c=d", valid})
		var want error
		if !opened {
			want = cookiesession.ErrChunks
		}
		checkExpressHostile(t, s.Get(r), opened, want, valid)
	}
}

// BenchmarkExpressHostileHeader measures Store.Get with the Express
// reader on each hostile header, beside Request.Cookies on the same
// header as the floor.
func BenchmarkExpressHostileHeader(b *testing.B) {
	s, valid := expressHostile(b)
	for name, lines := range hostileHeaders(valid) {
		r := cookieRequest(lines)
		b.Run("shape="+name+"/reader=netHTTPCookies", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Cookies()
			}
		})
		b.Run("shape="+name+"/reader=storeExpress", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.Get(r)
			}
		})
	}
}

// TestExpressBlankBeforeName: the npm cookies package reads a name after
// SP only; after any other byte, blanks net/http trims included, the pair
// is another cookie, which a sibling subdomain could have set. The store
// reads such a planted session only after SP.
func TestExpressBlankBeforeName(t *testing.T) {
	s, valid := expressHostile(t)
	for _, b := range testjar.NameBlanks() {
		if _, found := nodeCookie([]string{"a=1;" + b + "session=e30"}, "session"); found != (b == " ") {
			t.Errorf("%U: nodeCookie found: %v, want %v", []rune(b)[0], found, b == " ")
		}
		if got := s.Get(cookieRequest([]string{"a=1;" + b + valid})).Data["blob"] == "express"; got != (b == " ") {
			t.Errorf("%U: planted session read: %v, want %v", []rune(b)[0], got, b == " ")
		}
	}
}

// nodeCookieReference is nodeCookie as it was before the search-based
// scan, on the lines joined with "; " as Node.js joins them: every ';'
// visited. nodeCookie must agree with it.
func nodeCookieReference(header, name string) (string, bool) {
	for start := 0; start <= len(header); {
		i := start
		for i < len(header) && header[i] == ' ' {
			i++
		}
		if strings.HasPrefix(header[i:], name) && i+len(name) < len(header) && header[i+len(name)] == '=' {
			v := header[i+len(name)+1:]
			if end := strings.IndexByte(v, ';'); end >= 0 {
				v = v[:end]
			}
			if len(v) > 0 && v[0] == '"' {
				if len(v) >= 2 {
					v = v[1 : len(v)-1]
				} else {
					v = ""
				}
			}
			return v, true
		}
		next := strings.IndexByte(header[start:], ';')
		if next < 0 {
			break
		}
		start += next + 1
	}
	return "", false
}

// nodeCookieFragments are the pieces of the random headers of
// TestNodeCookieMatchesReference: the names, near misses, separators,
// blanks and quotes.
var nodeCookieFragments = []string{
	"session", "session.sig", "sessionx", "express:sess", "s", "=", "==", ";", "; ", " ", "  ", "\t",
	"\u00a0", `"`, `""`, "x", "AAAA", "a=b", ";session=", "; session.sig=",
}

// compareNodeCookie checks nodeCookie against its reference on lines.
func compareNodeCookie(t *testing.T, lines []string) {
	t.Helper()
	joined := strings.Join(lines, "; ")
	for _, name := range []string{"session", "s", "express:sess", "session.sig"} {
		v, ok := nodeCookie(lines, name)
		wv, wok := nodeCookieReference(joined, name)
		if v != wv || ok != wok {
			t.Fatalf("nodeCookie(%q, %q) = %q, %v; want %q, %v", lines, name, v, ok, wv, wok)
		}
	}
}

// TestNodeCookieMatchesReference holds nodeCookie to its reference on
// random headers of one to four lines.
func TestNodeCookieMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		compareNodeCookie(t, testjar.RandomLines(rng, nodeCookieFragments))
	}
}

// TestNodeCookieMatchesReferenceOnParts holds nodeCookie to its reference
// on every layout of the store's chunks 1..4 absent, filling a cookie, or
// short (the layouts of the root's TestReadersMatchReferenceOnParts).
func TestNodeCookieMatchesReferenceOnParts(t *testing.T) {
	for _, line := range testjar.ChunkLayouts("session", bounds.DefaultMaxCookieBytes) {
		compareNodeCookie(t, []string{line})
	}
}

// FuzzNodeCookieMatchesReference is TestNodeCookieMatchesReference for the
// fuzzer; '\n' separates Cookie header lines.
func FuzzNodeCookieMatchesReference(f *testing.F) {
	for _, seed := range []string{
		"express:sess=v; express:sess.sig=s", "session=a; session.sig=b", "x=session; session.sig=b\nsession=a",
		";; session\t=a", "\xc2\xa0session=a", "a=b\n  session=\"x\"\n", "session.sig=x;  session=\"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		compareNodeCookie(t, strings.Split(header, "\n"))
	})
}
