package cookiesession

// The store's legacy machinery (legacy.go) on a format of the tests' own,
// testLegacy: upgrade, transition, re-signing under the first key,
// expiry, precedence and the checks of names, paths and domains, without
// any foreign format. Package migrate tests the real formats (Express,
// gorilla) through the same machinery.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/legacy"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

// testLegacy is a Legacy for the store's tests, shaped like the formats
// users migrate from: NAME holds base64(JSON), standard alphabet, padded;
// NAME.sig its HMAC-SHA256 under Keys[0] (base64url, unpadded), accepted
// under any of Keys, the later ones marking the session stale.
type testLegacy struct {
	Name         string   // "session" when empty
	Keys         []string // at least one
	Transition   bool
	Path, Domain string
}

// testLegacyFormat is a compiled testLegacy.
type testLegacyFormat struct{ testLegacy }

// Compile implements Legacy. Its error for no keys does not wrap
// ErrInvalidOptions: New must wrap it.
func (l *testLegacy) Compile() (LegacyFormat, error) {
	if len(l.Keys) == 0 {
		return nil, errors.New("testLegacy: no keys")
	}
	f := &testLegacyFormat{*l}
	if f.Name == "" {
		f.Name = "session"
	}
	return f, nil
}

func (f *testLegacyFormat) Format() string   { return "test" }
func (f *testLegacyFormat) Transition() bool { return f.testLegacy.Transition }
func (f *testLegacyFormat) Cookies() ([]string, string, string) {
	return []string{f.Name, f.Name + ".sig"}, f.Path, f.Domain
}

// sign returns the signature of value under key.
func (f *testLegacyFormat) sign(key, value string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(f.Name + "=" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// cookie returns the first value of the cookie name in the Cookie lines.
func testCookie(lines []string, name string) (string, bool) {
	for _, line := range lines {
		for _, p := range cookie.Pairs(line) {
			if p.Name == name {
				return p.Value, true
			}
		}
	}
	return "", false
}

func (f *testLegacyFormat) Load(cookie []string, _ time.Time) (LegacyLoad, error) {
	value, ok := testCookie(cookie, f.Name)
	if !ok || value == "" {
		return LegacyLoad{}, nil
	}
	sig, _ := testCookie(cookie, f.Name+".sig")
	for i, k := range f.Keys {
		if hmac.Equal([]byte(sig), []byte(f.sign(k, value))) {
			raw, err := base64.StdEncoding.DecodeString(value)
			if err != nil {
				return LegacyLoad{Found: true}, fmt.Errorf("%w: not base64", ErrLegacyPayload)
			}
			data, err := legacy.JSONObject(raw, "test cookie")
			return LegacyLoad{Data: data, Found: true, Stale: i > 0}, err
		}
	}
	return LegacyLoad{Found: true}, fmt.Errorf("%w: test cookie %q", ErrLegacySignature, f.Name)
}

// encode returns the cookies NAME and NAME.sig for data, whatever its
// size.
func (f *testLegacyFormat) encode(data []byte) jar {
	value := base64.StdEncoding.EncodeToString(data)
	return jar{f.Name: value, f.Name + ".sig": f.sign(f.Keys[0], value)}
}

func (f *testLegacyFormat) Write(data []byte, _ any, a CookieAttrs) ([]string, error) {
	c := f.encode(data)
	if n := len(f.Name) + len(c[f.Name]); n > bounds.DefaultMaxCookieBytes {
		return nil, &TooLargeError{Name: f.Name, Size: n, Limit: bounds.DefaultMaxCookieBytes, Chunks: 1}
	}
	return []string{a.Line(f.Name, c[f.Name]), a.Line(f.Name+".sig", c[f.Name+".sig"])}, nil
}

func (f *testLegacyFormat) Expire(a CookieAttrs, cookie []string) []string {
	_, hasData := testCookie(cookie, f.Name)
	_, hasSig := testCookie(cookie, f.Name+".sig")
	if !hasData && !hasSig {
		return nil
	}
	return []string{a.ExpireLine(f.Name), a.ExpireLine(f.Name + ".sig")}
}

// legacyJar returns a jar holding the cookies l writes for the session
// JSON js, even one too large for Write.
func legacyJar(t testing.TB, l testLegacy, js string) jar {
	t.Helper()
	f, err := l.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return f.(*testLegacyFormat).encode([]byte(js))
}

// TestStoreUpgradesLegacy: a legacy session is read, handed to the
// handler, and replaced by the sealed cookie on the same response, its
// cookies deleted; the next request reads the sealed cookie alone. One
// signed with a later key is read too.
func TestStoreUpgradesLegacy(t *testing.T) {
	l := testLegacy{Name: "old:sess", Keys: []string{"new", "old"}}
	old := l
	old.Keys = []string{"old"}
	js := `{"user":"zoë","cart":[1,2,{"sku":"a"}],"big":123456789012345678}`
	cj := legacyJar(t, old, js)
	var events []Event
	s := newStore[Map](t, Options{Name: "sid", Legacy: []Legacy{&l}, OnEvent: func(_ context.Context, e Event) { events = append(events, e) }})
	var seen Map
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = s.Get(r).Data }))
	lines := cj.serve(h)
	if fmt.Sprint(seen) != "map[big:123456789012345678 cart:[1 2 map[sku:a]] user:zoë]" {
		t.Fatalf("read %v", seen)
	}
	if !testjar.HasLine(lines, "sid=") || !testjar.HasLine(lines, "old:sess=; Max-Age=0") || !testjar.HasLine(lines, "old:sess.sig=; Max-Age=0") {
		t.Fatalf("upgrade response: %q", lines)
	}
	if len(events) != 1 || events[0].Kind != EventUpgraded || events[0].From != "test" {
		t.Fatalf("events %+v, want one EventUpgraded from \"test\"", events)
	}
	if len(cj) != 1 {
		t.Fatalf("jar after upgrade: %v", cj)
	}
	seen = nil
	if lines := cj.serve(h); len(lines) != 0 || seen["user"] != "zoë" {
		t.Fatalf("second response: %q, read %v", lines, seen)
	}
}

// TestStoreRejectsBadLegacyCookie: an unusable legacy cookie gives a new
// session, and its error (ErrLegacySignature, ErrLegacyPayload) through
// Session.Err and EventRejected.
func TestStoreRejectsBadLegacyCookie(t *testing.T) {
	l := testLegacy{Keys: []string{"k1"}}
	var rejected error
	s := newStore[Map](t, Options{Name: "sid", Legacy: []Legacy{&l}, OnEvent: onRejected(func(err error) { rejected = err })})
	for name, c := range map[string]struct {
		j    jar
		want error
	}{
		"wrong key":     {legacyJar(t, testLegacy{Keys: []string{"k2"}}, `{"a":1}`), ErrLegacySignature},
		"no signature":  {jar{"session": "eyJhIjoxfQ=="}, ErrLegacySignature},
		"not an object": {legacyJar(t, l, `[1]`), ErrLegacyPayload},
	} {
		rejected = nil
		sess := s.Get(c.j.request("GET", "/"))
		if !sess.IsNew() || len(sess.Data) != 0 || !errors.Is(sess.Err(), c.want) || !errors.Is(rejected, c.want) {
			t.Errorf("%s: new %v, data %v, Session.Err %v, EventRejected %v", name, sess.IsNew(), sess.Data, sess.Err(), rejected)
		}
	}
}

// TestStoreLegacyTransition: in transition a changed session, and a new
// one, are written in the legacy format; an unchanged one is not written;
// a sealed one stays sealed; Destroy deletes the legacy cookies.
func TestStoreLegacyTransition(t *testing.T) {
	l := testLegacy{Keys: []string{"k1"}, Transition: true}
	s := newStore[Map](t, Options{Name: "sid", Legacy: []Legacy{&l}})
	var mutate, destroy bool
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch sess := s.Get(r); {
		case destroy:
			sess.Destroy()
		case mutate:
			sess.Data["n"] = 1 + len(sess.Data)
		}
	}))
	cj := legacyJar(t, l, `{"z":1,"a":"x"}`)
	if lines := cj.serve(h); len(lines) != 0 {
		t.Fatalf("unchanged transition session rewritten: %q", lines)
	}
	mutate = true
	if lines := cj.serve(h); len(lines) != 2 || !testjar.HasLine(lines, "session=") || !testjar.HasLine(lines, "session.sig=") {
		t.Fatalf("transition write: %q", lines)
	}
	if raw, _ := base64.StdEncoding.DecodeString(cj["session"]); string(raw) != `{"a":"x","n":3,"z":1}` {
		t.Fatalf("legacy cookie holds %s", raw)
	}
	if lines := (jar{}).serve(h); len(lines) != 2 || !testjar.HasLine(lines, "session=") {
		t.Fatalf("new session in transition: %q", lines)
	}
	sealedStore := newStore[Map](t, Options{Name: "sid"})
	cj = jar{}
	cj.serve(sealedStore.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sealedStore.Get(r).Data["x"] = 1 })))
	if lines := cj.serve(h); !testjar.HasLine(lines, "sid=") || testjar.HasLine(lines, "session=") {
		t.Fatalf("sealed session in transition: %q", lines)
	}
	cj, destroy = legacyJar(t, l, `{"user":"a"}`), true
	if lines := cj.serve(h); !testjar.HasLine(lines, "session=; Max-Age=0") || !testjar.HasLine(lines, "session.sig=; Max-Age=0") || len(cj) != 0 {
		t.Fatalf("destroy: %q, jar %v", lines, cj)
	}
}

// TestStoreLegacyTransitionResigns: in transition a cookie signed with a
// later key (LegacyLoad.Stale) is written again under the first on the
// same response, and then left alone.
func TestStoreLegacyTransitionResigns(t *testing.T) {
	cj := legacyJar(t, testLegacy{Keys: []string{"old"}}, `{"user":"ada"}`)
	s := newStore[Map](t, Options{Name: "sid", Legacy: []Legacy{&testLegacy{Keys: []string{"new", "old"}, Transition: true}}})
	read := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sess := s.Get(r); sess.Data["user"] != "ada" {
			t.Errorf("session %v, %v", sess.Data, sess.Err())
		}
	}))
	if lines := cj.serve(read); !testjar.HasLine(lines, "session.sig=") || testjar.HasLine(lines, "sid=") {
		t.Fatalf("old-key cookie not re-signed: %q", lines)
	}
	if cj["session.sig"] != legacyJar(t, testLegacy{Keys: []string{"new"}}, `{"user":"ada"}`)["session.sig"] {
		t.Fatal("not re-signed under the first key")
	}
	if lines := cj.serve(read); len(lines) != 0 {
		t.Fatalf("current-key cookie re-written: %q", lines)
	}
}

// TestStoreLegacyOptions: New refuses a legacy cookie named as the
// store's cookie, one of its chunks, or another format's cookie, a bad
// Path or Domain, a nil format, and wraps a Compile error that does not
// wrap ErrInvalidOptions.
func TestStoreLegacyOptions(t *testing.T) {
	k := [][]byte{testKey(7)}
	bad := map[string]Options{
		"both session":          {Legacy: []Legacy{&testLegacy{Keys: []string{"a"}}}},
		"same name":             {Name: "x", Legacy: []Legacy{&testLegacy{Name: "x", Keys: []string{"a"}}}},
		"the signature cookie":  {Name: "x.sig", Legacy: []Legacy{&testLegacy{Name: "x", Keys: []string{"a"}}}},
		"a chunk name":          {Name: "x", Legacy: []Legacy{&testLegacy{Name: "x~2", Keys: []string{"a"}}}},
		"two formats, one name": {Name: "x", Legacy: []Legacy{&testLegacy{Name: "g", Keys: []string{"a"}}, &testLegacy{Name: "g", Keys: []string{"b"}}}},
		"relative Path":         {Name: "x", Legacy: []Legacy{&testLegacy{Keys: []string{"a"}, Path: "nope"}}},
		"bad Domain":            {Name: "x", Legacy: []Legacy{&testLegacy{Keys: []string{"a"}, Domain: "bad domain"}}},
		"__Host- with Domain":   {Name: "x", Legacy: []Legacy{&testLegacy{Name: "__Host-s", Keys: []string{"a"}, Domain: "example.com"}}},
		"Path with ;":           {Name: "x", Legacy: []Legacy{&testLegacy{Name: "g", Keys: []string{"a"}, Path: "/a;b"}}},
		"bad name":              {Name: "x", Legacy: []Legacy{&testLegacy{Name: "a b", Keys: []string{"a"}}}},
		"Compile fails":         {Name: "x", Legacy: []Legacy{&testLegacy{}}},
		"nil":                   {Name: "x", Legacy: []Legacy{nil}},
	}
	for name, o := range bad {
		o.Keys = k
		if _, err := New[Map](o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := New[Map](Options{Keys: k, Name: "__Host-session", Legacy: []Legacy{&testLegacy{Keys: []string{"a"}}}}); err != nil {
		t.Fatal(err)
	}
}

// TestStoreLegacyPathDomain: a format's own Path and Domain replace the
// store's in its lines; the sealed cookie keeps the store's.
func TestStoreLegacyPathDomain(t *testing.T) {
	l := testLegacy{Keys: []string{"k1"}, Path: "/app", Domain: "example.test"}
	s := newStore[Map](t, Options{Name: "sid", Legacy: []Legacy{&l}, Domain: "www.example.test"})
	lines := legacyJar(t, l, `{"a":1}`).serve(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r) })))
	var old, sealed string
	for _, line := range lines {
		if strings.HasPrefix(line, "session=") {
			old = line
		}
		if strings.HasPrefix(line, "sid=") {
			sealed = line
		}
	}
	if !strings.Contains(old, "; Path=/app; Domain=example.test;") || strings.Contains(old, "www.") {
		t.Fatalf("legacy deletion line %q", old)
	}
	if !strings.Contains(sealed, "; Path=/; Domain=www.example.test;") {
		t.Fatalf("sealed line %q", sealed)
	}
	a := CookieAttrs{cookie.Line{Suffix: "; Path=/; HttpOnly; SameSite=Lax", MaxAge: 5}}
	if got := legacyAttrs(a, "", "d.test").l.Suffix; got != "; Path=/; Domain=d.test; HttpOnly; SameSite=Lax" {
		t.Fatal(got)
	}
	if legacyAttrs(a, "", "") != a {
		t.Fatal("no override should keep the attributes")
	}
}

// TestStoreLegacyPrecedence: of two formats, the first that finds its
// cookie is read, and the upgrade deletes both; the sealed cookie wins
// over a legacy one the request also carries.
func TestStoreLegacyPrecedence(t *testing.T) {
	a, b := testLegacy{Name: "a", Keys: []string{"k"}}, testLegacy{Name: "b", Keys: []string{"k"}}
	s := newStore[Map](t, Options{Name: "sid", Legacy: []Legacy{&a, &b}})
	var seen Map
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = s.Get(r).Data }))
	j := legacyJar(t, a, `{"from":"a"}`)
	for k, v := range legacyJar(t, b, `{"from":"b"}`) {
		j[k] = v
	}
	if lines := j.serve(h); seen["from"] != "a" || !testjar.HasLine(lines, "a=; Max-Age=0") || !testjar.HasLine(lines, "b=; Max-Age=0") || len(j) != 1 {
		t.Fatalf("two formats: read %v, lines %q; want the first's, both deleted", seen, lines)
	}
	for k, v := range legacyJar(t, b, `{"from":"b"}`) {
		j[k] = v
	}
	if j.serve(h); seen["from"] != "a" {
		t.Fatalf("sealed beside legacy: read %v", seen)
	}
}
