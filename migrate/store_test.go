package migrate

// Tests of a store that reads gorilla sessions through Options.Legacy:
// the gorilla cases of the store's own tests (options, prefixes, hostile
// headers, blanks before a name, secrecy of errors, transitions).

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

// secretMark is in the session data of TestGorillaGobErrorsHideData and
// must be in no error message.
const secretMark = "8675309"

// gobLeaky stands for a type whose own gob methods fail with a message
// quoting its data, as url.URL's UnmarshalBinary does: it encodes, but
// fails to decode when the data holds "bad", and a value that was decoded
// fails to encode again.
type gobLeaky struct{ s string }

func (g gobLeaky) GobEncode() ([]byte, error) {
	if strings.HasPrefix(g.s, "decoded ") {
		return nil, errors.New("cannot encode " + g.s)
	}
	return []byte(g.s), nil
}

func (g *gobLeaky) GobDecode(b []byte) error {
	if bytes.Contains(b, []byte("bad")) {
		return errors.New("cannot decode " + string(b))
	}
	g.s = "decoded " + string(b)
	return nil
}

func init() {
	gob.Register(&url.URL{})
	gob.Register(gobLeaky{})
}

// TestGorillaGobErrorsHideData drives the gob error paths of a gorilla session
// with the secret in the data: decoding (a value's GobDecode or
// UnmarshalBinary fails, quoting it; Session.Err and EventRejected) and the
// transition write-back (GobEncode fails, quoting it). encoding/gob does
// not use TextMarshaler (type.go), so no gob stream reaches UnmarshalText.
func TestGorillaGobErrorsHideData(t *testing.T) {
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
		} else if strings.Contains(err.Error(), secretMark) {
			t.Errorf("%s: error reveals session data: %v", what, err)
		}
	}
	registerGobBasics()
	var rejected []error
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}, Transition: true}
	var handled error
	st := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g},
		OnEvent: onRejected(func(err error) { rejected = append(rejected, err) }),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			handled = err
			w.WriteHeader(http.StatusInternalServerError)
		}})
	for name, v := range map[string]any{
		"url.URL":  &url.URL{Scheme: "https", Host: "example.com:tok", RawQuery: "token=SECRET-" + secretMark}, // no longer parses
		"gobLeaky": gobLeaky{s: "bad " + secretMark},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", "gsess="+gorillaCookie(t, "gsess", map[interface{}]interface{}{"v": v, "k": secretMark}, false, gHash1, gBlock1))
		err := st.Get(r).Err()
		if !errors.Is(err, cookiesession.ErrLegacyPayload) || !strings.Contains(fmt.Sprint(err), name) {
			t.Errorf("gorilla %s: Err() = %v, want cookiesession.ErrLegacyPayload naming the type", name, err)
		}
		check("gorilla decode "+name, err)
	}
	for _, err := range rejected {
		check("gorilla EventRejected", err)
	}
	// The write-back of a value that decoded but does not encode again.
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", "gsess="+gorillaCookie(t, "gsess", map[interface{}]interface{}{"v": gobLeaky{s: secretMark}, "n": 1}, false, gHash1, gBlock1))
	st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.Get(r).Data["n"] = 2
	})).ServeHTTP(httptest.NewRecorder(), r)
	if !errors.Is(handled, cookiesession.ErrEncode) || !strings.Contains(fmt.Sprint(handled), "gobLeaky") {
		t.Errorf("gorilla write-back: %v, want cookiesession.ErrEncode naming the type", handled)
	}
	check("gorilla write-back", handled)
}

// TestGorillaTransitionResignsOldKey: in a transition, a cookie under an
// old key pair is re-encoded under the first pair, once.
func TestGorillaTransitionResignsOldKey(t *testing.T) {
	registerGobBasics()
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash2, nil, gHash1, nil}, Transition: true}
	cj := jar{"gsess": gorillaCookie(t, "gsess", map[interface{}]interface{}{"user": "ada"}, false, gHash1)}
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}})
	read := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = s.Get(r).Data["user"] }))
	if lines := cj.serve(read); !testjar.HasLine(lines, "gsess=") {
		t.Fatalf("old-pair cookie not re-encoded: %q", lines)
	}
	if got := gorillaRead(t, "gsess", cj["gsess"], gHash2); got["user"] != "ada" {
		t.Fatalf("re-encoded cookie under the first pair: %v", got)
	}
	if lines := cj.serve(read); len(lines) != 0 {
		t.Fatalf("current-pair cookie re-written: %q", lines)
	}
}

// TestGorillaStoreOptions: New refuses a gorilla cookie that clashes with
// the store's, another format's, or the rules of its prefix, and takes
// the weak keys an old application had.
func TestGorillaStoreOptions(t *testing.T) {
	k := [][]byte{testKey(7)}
	bad := map[string]cookiesession.Options{
		"the store's name":         {Name: "x", Legacy: []cookiesession.Legacy{&Gorilla{Name: "x", KeyPairs: [][]byte{gHash1}}}},
		"the Express cookie":       {Name: "x", Legacy: []cookiesession.Legacy{&Express{Name: "g", Keys: []string{"a"}}, &Gorilla{Name: "g", KeyPairs: [][]byte{gHash1}}}},
		"Path with ';'":            {Name: "x", Legacy: []cookiesession.Legacy{&Gorilla{Name: "g", KeyPairs: [][]byte{gHash1}, Path: "/a;b"}}},
		"__HOST- with Path":        {Name: "x", Legacy: []cookiesession.Legacy{&Gorilla{Name: "__HOST-g", KeyPairs: [][]byte{gHash1}, Path: "/app"}}},
		"__host- with SecureNever": {Name: "x", Secure: cookiesession.SecureNever, Legacy: []cookiesession.Legacy{&Gorilla{Name: "__host-g", KeyPairs: [][]byte{gHash1}}}},
	}
	for name, o := range bad {
		o.Keys = k
		if _, err := cookiesession.New[cookiesession.Map](o); !errors.Is(err, cookiesession.ErrInvalidOptions) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: k, Name: "x",
		Legacy: []cookiesession.Legacy{&Gorilla{Name: "g", KeyPairs: [][]byte{make([]byte, 32), bytes.Repeat([]byte("a"), 32)}}}}); err != nil {
		t.Fatalf("weak legacy keys refused: %v", err)
	}
}

// TestGorillaBlankBeforeName: net/http's parser, which the gorilla reader
// uses, reads a name after a blank of RFC 6265 only; after any other byte
// it is another cookie, which a sibling subdomain could have set.
func TestGorillaBlankBeforeName(t *testing.T) {
	registerGobBasics()
	g := newStore[cookiesession.Map](t, cookiesession.Options{Name: "x", Legacy: []cookiesession.Legacy{&Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}}}})
	value := gorillaCookie(t, "gsess", map[interface{}]interface{}{"user": "attacker"}, false, gHash1, gBlock1)
	for _, b := range testjar.NameBlanks() {
		ok := testjar.BlankOK(b)
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", "a=1;"+b+"gsess="+value)
		if got := g.Get(r).Data["user"] == "attacker"; got != ok {
			t.Errorf("%U: gorilla cookie read: %v, want %v", []rune(b)[0], got, ok)
		}
	}
}

// TestGorillaUpgradeHTMLFlash: a gorilla session whose flash holds HTML is
// upgraded on its first request, in one sealed cookie (no HTML escapes
// count against the budget), and the gorilla cookie is deleted.
func TestGorillaUpgradeHTMLFlash(t *testing.T) {
	registerGobBasics()
	var events []cookiesession.EventKind
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&Gorilla{Name: "gs", KeyPairs: [][]byte{gHash1, gBlock1}}},
		OnEvent: func(_ context.Context, e cookiesession.Event) { events = append(events, e.Kind) }})
	j := jar{"gs": gorillaCookie(t, "gs", map[interface{}]interface{}{"_flash": []interface{}{strings.Repeat("<b>&", 250)}}, false, gHash1, gBlock1)}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = s.Get(r).Data }))
	lines := j.serve(h)
	if !testjar.HasLine(lines, "sid=") || !testjar.HasLine(lines, "gs=; Max-Age=0") || j["gs"] != "" {
		t.Fatalf("upgrade lines %q, jar %v", lines, j)
	}
	if fmt.Sprint(events) != fmt.Sprint([]cookiesession.EventKind{cookiesession.EventUpgraded}) {
		t.Fatalf("events %v, want one EventUpgraded", events)
	}
	if lines := j.serve(h); len(lines) != 0 {
		t.Fatalf("second request writes %q", lines)
	}
}

// TestGorillaTransitionNewSession: in a transition, a new session saved by
// the middleware or by an explicit Save is written in the gorilla format,
// and no change is reported lost.
func TestGorillaTransitionNewSession(t *testing.T) {
	registerGobBasics()
	for _, save := range []bool{false, true} {
		var events []cookiesession.EventKind
		s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid",
			Legacy:  []cookiesession.Legacy{&Gorilla{Name: "gs", KeyPairs: [][]byte{testKey(9)}, Transition: true}},
			OnEvent: func(_ context.Context, e cookiesession.Event) { events = append(events, e.Kind) }})
		j := jar{}
		lines := j.serve(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sess := s.Get(r)
			sess.Data["user"] = "b"
			if save {
				if err := sess.Save(w); err != nil {
					t.Errorf("Save = %v", err)
				}
				return
			}
			w.Write([]byte("hi"))
		})))
		if len(lines) != 1 || !testjar.HasLine(lines, "gs=") {
			t.Fatalf("Save %v: lines %q", save, lines)
		}
		if got := gorillaRead(t, "gs", j["gs"], testKey(9)); got["user"] != "b" {
			t.Fatalf("Save %v: gorilla reads %v", save, got)
		}
		if fmt.Sprint(events) != fmt.Sprint([]cookiesession.EventKind{cookiesession.EventCreated}) {
			t.Fatalf("Save %v: events %v, want created only", save, events)
		}
	}
}

// TestGorillaHostileAllocations: Store.Get with a gorilla reader allocates
// a bounded amount on every hostile header (about 1 MB, the most a
// net/http server accepts), whatever its size or number of lines.
func TestGorillaHostileAllocations(t *testing.T) {
	registerGobBasics()
	g := Gorilla{Name: "session", KeyPairs: [][]byte{gHash1, gBlock1}}
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}})
	valid := "session=" + gorillaCookie(t, "session", map[interface{}]interface{}{"blob": "gorilla"}, false, gHash1, gBlock1)
	for name, lines := range hostileHeaders(valid) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Cookie"] = lines
		if name == "validOnly" {
			if sess := s.Get(r); sess.Err() != nil || sess.Data["blob"] != "gorilla" {
				t.Fatalf("valid session not read: %v %v", sess.Data, sess.Err())
			}
		}
		allocs, bytes := getCost(s, r)
		limit, most := uint64(8<<10), 40.0
		if strings.HasPrefix(name, "valid") {
			limit, most = 96<<10, 400 // gob decoding allocates per value
		}
		if allocs > most || bytes > limit {
			t.Errorf("%s: %.0f allocations, %d bytes per Get (limit %d)", name, allocs, bytes, limit)
		}
	}
}
