package cookiesession

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

// TestPrefixCaseInsensitive checks that the __Host- and __Secure- rules
// apply to the prefixes in any case, as browsers match them (RFC 6265bis,
// storage model, since draft 13): a name they would treat as prefixed but
// whose options break the prefix's rules is refused, not dropped later by
// the browser.
func TestPrefixCaseInsensitive(t *testing.T) {
	k := [][]byte{testKey(1)}
	for _, tc := range []struct {
		name string
		o    Options
		ok   bool
	}{
		{"__Host- with Domain", Options{Name: "__Host-session", Domain: "example.com"}, false},
		{"__host- with Domain", Options{Name: "__host-session", Domain: "example.com"}, false},
		{"__HOST- with Path", Options{Name: "__HOST-s", Path: "/app"}, false},
		{"__hOsT- with Path", Options{Name: "__hOsT-s", Path: "/app"}, false},
		{"__host- with SecureNever", Options{Name: "__host-s", Secure: SecureNever}, false},
		{"__secure- with SecureNever", Options{Name: "__secure-s", Secure: SecureNever}, false},
		{"__SECURE- with SecureNever", Options{Name: "__SECURE-s", Secure: SecureNever}, false},
		{"__Secure- with SecureNever", Options{Name: "__Secure-s", Secure: SecureNever}, false},
		{"__host- defaults", Options{Name: "__host-s"}, true},
		{"__SECURE- with Domain and Path", Options{Name: "__SECURE-s", Domain: "example.com", Path: "/app"}, true},
		{"no dash is no prefix", Options{Name: "__hosts", Domain: "example.com", Secure: SecureNever}, true},
		{"prefix later in the name", Options{Name: "x__Host-s", Domain: "example.com", Secure: SecureNever}, true},
		{"legacy __host- with Domain", Options{Name: "x", Legacy: []Legacy{&testLegacy{Name: "__host-s", Keys: []string{"a"}, Domain: "example.com"}}}, false},
		{"legacy __HOST- with Path", Options{Name: "x", Legacy: []Legacy{&testLegacy{Name: "__HOST-g", Keys: []string{"a"}, Path: "/app"}}}, false},
		{"legacy __host- plain", Options{Name: "x", Legacy: []Legacy{&testLegacy{Name: "__host-s", Keys: []string{"a"}}}}, true},
		{"legacy __Secure- with SecureNever", Options{Name: "x", Secure: SecureNever, Legacy: []Legacy{&testLegacy{Name: "__Secure-s", Keys: []string{"a"}}}}, false},
		{"legacy __host- with SecureNever", Options{Name: "x", Secure: SecureNever, Legacy: []Legacy{&testLegacy{Name: "__host-g", Keys: []string{"a"}}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Keys = k
			s, err := New[Map](tc.o)
			if tc.ok {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("New = %v, %v; want ErrInvalidOptions", s != nil, err)
			}
		})
	}
}

// TestPrefixCaseInsensitiveMustBeSecure checks that a lower-case __host-
// or __secure- name is treated as needing Secure over plain HTTP too.
func TestPrefixCaseInsensitiveMustBeSecure(t *testing.T) {
	for _, name := range []string{"__host-s", "__SECURE-s", "__Host-s", "__Secure-s"} {
		s, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Name: name})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.c.secureWhy == "" {
			t.Errorf("%s: not treated as needing Secure", name)
		}
	}
}

// TestLongNameRefused checks that a name leaving no room for the value is
// refused by New (a save would otherwise have had no room to split into).
func TestLongNameRefused(t *testing.T) {
	name := strings.Repeat("n", 4000)
	for _, chunksN := range []int{1, 3} {
		if _, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Name: name, MaxChunks: chunksN, MaxTotalBytes: 20000}); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("MaxChunks %d: a 4,000-byte name accepted: %v", chunksN, err)
		}
	}
	if _, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Name: strings.Repeat("n", 200), MaxChunks: 3}); err != nil {
		t.Errorf("a 200-byte name refused: %v", err)
	}
}

// TestSecureErrorNamesTheReason checks that a save refused over plain HTTP
// names the one reason the cookie must be Secure.
func TestSecureErrorNamesTheReason(t *testing.T) {
	for name, c := range map[string]struct {
		o    Options
		want string
	}{
		"host prefix":   {Options{Name: "__Host-s"}, "because of its __Host- prefix"},
		"secure prefix": {Options{Name: "__secure-s"}, "because of its __Secure- prefix"},
		"samesite none": {Options{SameSite: http.SameSiteNoneMode}, "because of SameSite=None"},
		"partitioned":   {Options{Partitioned: true}, "because of Partitioned"},
		"always":        {Options{Secure: SecureAlways}, "Options.Secure is SecureAlways"},
	} {
		c.o.Keys = [][]byte{testKey(1)}
		s, err := New[Map](c.o)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		sess := s.Get(r)
		sess.Data["x"] = 1
		err = sess.Save(httptest.NewRecorder())
		if !errors.Is(err, ErrInsecureRequest) || !strings.Contains(err.Error(), c.want) || strings.Count(err.Error(), " but ") > 1 {
			t.Errorf("%s: %v, want one reason %q", name, err, c.want)
		}
	}
	if _, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Name: "a~b"}); err == nil || strings.Contains(err.Error(), "|~") {
		t.Errorf("name with ~: %v", err)
	}
}

// sealFor returns the value of a genuine session of s holding user, and of
// its chunks when it takes several.
func sealFor(t *testing.T, s *Store[Map], user string, pad int) []string {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	sess := s.Get(r)
	sess.Data["user"], sess.Data["pad"] = user, strings.Repeat("p", pad)
	rec := httptest.NewRecorder()
	if err := sess.Save(rec); err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, line := range rec.Header()["Set-Cookie"] {
		pair, attrs, _ := strings.Cut(line, ";")
		if _, v, _ := strings.Cut(pair, "="); !testjar.Expires(attrs) {
			values = append(values, v)
		}
	}
	return values
}

// TestBlankBeforeName: to a browser, a name preceded by any byte but the
// blanks of RFC 6265 is another cookie, which a sibling subdomain or a
// plain-HTTP page can set for the parent domain, without the __Host- or
// __Secure- rules. Every reader must ignore such a pair: the store's (for
// the session and for a chunk), the Express and gorilla legacy readers (in
// package migrate's tests), and cookie.Pairs (the command's). Ignored means: not read, and not counted as
// the name "sent twice" beside the genuine cookie.
func TestBlankBeforeName(t *testing.T) {
	s := newStore[Map](t, chunked(Options{MaxCookieBytes: 300}))
	victim, attacker := sealFor(t, s, "victim", 0), sealFor(t, s, "attacker", 0)
	big := sealFor(t, s, "victim", 300)
	if len(victim) != 1 || len(big) != 2 {
		t.Fatalf("want 1 and 2 chunks, got %d and %d", len(victim), len(big))
	}
	get := func(st *Store[Map], header string) *Session[Map] {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", header)
		return st.Get(r)
	}
	for _, b := range testjar.NameBlanks() {
		ok := testjar.BlankOK(b)
		t.Run(fmt.Sprintf("%U", []rune(b)[0]), func(t *testing.T) {
			// Alone: read only after a blank.
			sess := get(s, "a=1;"+b+"session="+attacker[0])
			if got := sess.Data["user"] == "attacker"; got != ok || !ok && sess.Err() != nil {
				t.Errorf("planted session read: %v (err %v), want %v", got, sess.Err(), ok)
			}
			// Beside the genuine one: sent twice only after a blank.
			sess = get(s, "session="+victim[0]+";"+b+"session="+attacker[0])
			if twice := errors.Is(sess.Err(), ErrChunks); twice != ok || !ok && sess.Data["user"] != "victim" {
				t.Errorf("beside the victim's: user %v, err %v; want sent twice: %v", sess.Data["user"], sess.Err(), ok)
			}
			// A chunk: counted only after a blank.
			sess = get(s, "session="+big[0]+";"+b+"session~2="+big[1])
			if got := sess.Data["user"] == "victim"; got != ok {
				t.Errorf("chunk 2 after %q read: %v (err %v), want %v", b, got, sess.Err(), ok)
			}
			sess = get(s, "session="+big[0]+"; session~2="+big[1]+";"+b+"session~2="+attacker[0])
			if twice := errors.Is(sess.Err(), ErrChunks); twice != ok || !ok && sess.Data["user"] != "victim" {
				t.Errorf("planted chunk 2: user %v, err %v; want sent twice: %v", sess.Data["user"], sess.Err(), ok)
			}
			// The Express and gorilla readers: package migrate's
			// TestExpressBlankBeforeName and TestGorillaBlankBeforeName.
			// The command's reader.
			if ps := cookie.Pairs("a=1;" + b + "session=v"); (len(ps) == 2 && ps[1].Name == "session") != ok {
				t.Errorf("cookie.Pairs = %q", ps)
			}
		})
	}
}
