package sessiontest_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/sessiontest"
)

type cart struct {
	Items []string `json:"items,omitempty"`
}

// newStore returns a store of carts under a fresh key, with o's other
// options.
func newStore(t *testing.T, o cookiesession.Options) *cookiesession.Store[cart] {
	t.Helper()
	o.Keys = [][]byte{cookiesession.GenerateKey()}
	s, err := cookiesession.New[cart](o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// addItem is a handler under s's middleware that appends the query's item
// to the cart, or with ?destroy ends the session, and answers with the
// cart's size.
func addItem(s *cookiesession.Store[cart]) http.Handler {
	return s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if err := sess.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.URL.Query().Has("destroy") {
			sess.Destroy()
			return
		}
		if item := r.URL.Query().Get("item"); item != "" {
			sess.Data.Items = append(sess.Data.Items, item)
		}
		w.Write([]byte(strings.Repeat("x", len(sess.Data.Items))))
	}))
}

// serve runs h on req and returns the recorder.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// randomText returns n bytes of hex text that no encoder shrinks.
func randomText(n int) string {
	b := make([]byte, n/2)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func TestRoundTrip(t *testing.T) {
	s := newStore(t, cookiesession.Options{})
	req := sessiontest.NewRequest(s, "POST", "/cart?item=tea", cart{Items: []string{"milk"}})
	if req.TLS != nil {
		t.Error("a store that accepts plain HTTP got a TLS request")
	}
	rec := serve(addItem(s), req)
	if rec.Code != http.StatusOK || rec.Body.String() != "xx" {
		t.Fatalf("handler answered %d %q, want 200 \"xx\"", rec.Code, rec.Body)
	}
	got, ok := sessiontest.Data(s, rec)
	if !ok || !slices.Equal(got.Items, []string{"milk", "tea"}) {
		t.Fatalf("Data = %v, %v; want [milk tea], true", got, ok)
	}
}

// TestZeroData checks that the zero T is sealed too: the handler sees a
// session that is not new.
func TestZeroData(t *testing.T) {
	s := newStore(t, cookiesession.Options{})
	req := sessiontest.NewRequest(s, "GET", "/", cart{})
	if sess := s.Get(req); sess.IsNew() || sess.Err() != nil {
		t.Fatalf("IsNew = %v, Err = %v; want an opened session", sess.IsNew(), sess.Err())
	}
}

// TestSecureRules checks that the request passes every option that needs
// a Secure cookie, and that a handler changing the session is answered
// 200, not with the store's ErrInsecureRequest 500.
func TestSecureRules(t *testing.T) {
	for name, o := range map[string]cookiesession.Options{
		"__Host- name":   {Name: "__Host-session"},
		"__Secure- name": {Name: "__Secure-session"},
		"SecureAlways":   {Secure: cookiesession.SecureAlways},
		"SameSite=None":  {SameSite: http.SameSiteNoneMode},
	} {
		t.Run(name+" on localhost", func(t *testing.T) {
			s := newStore(t, o)
			req := sessiontest.NewRequest(s, "POST", "http://localhost:8080/cart?item=tea", cart{Items: []string{"milk"}})
			if rec := serve(addItem(s), req); req.TLS != nil || rec.Code != http.StatusOK {
				t.Fatalf("TLS %v, handler answered %d: %s", req.TLS != nil, rec.Code, rec.Body)
			}
		})
		t.Run(name, func(t *testing.T) {
			s := newStore(t, o)
			plain := httptest.NewRequest("GET", "/", nil)
			if err := s.Get(plain).Save(httptest.NewRecorder()); err != nil {
				t.Fatal(err) // nothing changed: nothing to refuse
			}
			req := sessiontest.NewRequest(s, "POST", "/cart?item=tea", cart{Items: []string{"milk"}})
			if req.TLS == nil {
				t.Fatal("the request is not HTTPS")
			}
			rec := serve(addItem(s), req)
			if rec.Code != http.StatusOK {
				t.Fatalf("handler answered %d: %s", rec.Code, rec.Body)
			}
			if got, ok := sessiontest.Data(s, rec); !ok || len(got.Items) != 2 {
				t.Fatalf("Data = %v, %v", got, ok)
			}
			if sc := rec.Header().Get("Set-Cookie"); !strings.Contains(sc, "; Secure") {
				t.Fatalf("Set-Cookie without Secure: %q", sc)
			}
		})
	}
}

// TestChunked checks a session split across several cookies, both ways.
func TestChunked(t *testing.T) {
	s := newStore(t, cookiesession.Options{Name: "__Host-s", MaxChunks: 4, MaxTotalBytes: 12000})
	big := randomText(5000)
	req := sessiontest.NewRequest(s, "GET", "/?item=tea", cart{Items: []string{big}})
	if n := len(req.Cookies()); n < 2 {
		t.Fatalf("the request carries %d cookie(s); want the session in chunks", n)
	}
	rec := serve(addItem(s), req)
	if rec.Code != http.StatusOK {
		t.Fatalf("handler answered %d: %s", rec.Code, rec.Body)
	}
	got, ok := sessiontest.Data(s, rec)
	if !ok || !slices.Equal(got.Items, []string{big, "tea"}) {
		t.Fatalf("Data = %d items, %v; want the big item and tea", len(got.Items), ok)
	}
	// Grown back under one cookie's budget, the response deletes the
	// other chunks beside the live one: Data reads the live one.
	rec = serve(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Get(r).Data = cart{Items: []string{"small"}}
	})), sessiontest.NewRequest(s, "GET", "/", cart{Items: []string{big}}))
	if got, ok := sessiontest.Data(s, rec); !ok || !slices.Equal(got.Items, []string{"small"}) {
		t.Fatalf("after shrinking: Data = %v, %v", got.Items, ok)
	}
}

// TestDataDeletion checks that a response that ends the session reads as
// none, although it carries Set-Cookie lines.
func TestDataDeletion(t *testing.T) {
	s := newStore(t, cookiesession.Options{MaxChunks: 3})
	rec := serve(addItem(s), sessiontest.NewRequest(s, "POST", "/?destroy", cart{Items: []string{"milk"}}))
	if len(rec.Result().Cookies()) == 0 {
		t.Fatal("Destroy wrote no Set-Cookie")
	}
	if got, ok := sessiontest.Data(s, rec); ok {
		t.Fatalf("Data after Destroy = %v, true", got)
	}
}

// TestDataNoCookie checks the responses that write no session: a handler
// that did not change it, and one with no session use at all.
func TestDataNoCookie(t *testing.T) {
	s := newStore(t, cookiesession.Options{})
	rec := serve(addItem(s), sessiontest.NewRequest(s, "GET", "/", cart{Items: []string{"milk"}}))
	if rec.Code != http.StatusOK {
		t.Fatal(rec.Code)
	}
	if got, ok := sessiontest.Data(s, rec); ok {
		t.Fatalf("unchanged session: Data = %v, true", got)
	}
	rec = httptest.NewRecorder()
	http.SetCookie(rec, &http.Cookie{Name: "theme", Value: "dark"})
	if got, ok := sessiontest.Data(s, rec); ok {
		t.Fatalf("no session cookie: Data = %v, true", got)
	}
}

// TestDataFailedSave checks that a save the store refused reads as none:
// under the middleware (the error handler answers), and a late Save
// without it, whose lines never reach the client.
func TestDataFailedSave(t *testing.T) {
	s := newStore(t, cookiesession.Options{ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
		http.Error(w, "session too large", http.StatusInternalServerError)
	}})
	rec := serve(addItem(s), sessiontest.NewRequest(s, "GET", "/?item="+randomText(5000), cart{}))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("a session over 4 KB answered %d", rec.Code)
	}
	if got, ok := sessiontest.Data(s, rec); ok {
		t.Fatalf("refused save: Data = %v, true", got)
	}

	late := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.Items = append(sess.Data.Items, "tea")
		w.Write([]byte("ok"))
		if err := sess.Save(w); err != nil { // after the body: lost
			t.Error(err)
		}
	})
	rec = serve(late, sessiontest.NewRequest(s, "GET", "/", cart{}))
	if len(rec.Header()["Set-Cookie"]) == 0 {
		t.Fatal("the late Save added no line: the case is not tested")
	}
	if got, ok := sessiontest.Data(s, rec); ok {
		t.Fatalf("Save after the body: Data = %v, true", got)
	}
}

// TestDataOtherStore checks that a session another store sealed (another
// key, or another name) is not read as this store's.
func TestDataOtherStore(t *testing.T) {
	s := newStore(t, cookiesession.Options{})
	for name, other := range map[string]*cookiesession.Store[cart]{
		"other key":  newStore(t, cookiesession.Options{}),
		"other name": newStore(t, cookiesession.Options{Name: "other"}),
	} {
		rec := serve(addItem(other), sessiontest.NewRequest(other, "GET", "/?item=tea", cart{}))
		if _, ok := sessiontest.Data(other, rec); !ok {
			t.Fatalf("%s: its own store cannot read it", name)
		}
		if got, ok := sessiontest.Data(s, rec); ok {
			t.Fatalf("%s: Data = %v, true", name, got)
		}
	}
}

// TestNewRequestRefused checks that data the store cannot seal panics
// with the store's error, instead of giving a request without a session.
func TestNewRequestRefused(t *testing.T) {
	s := newStore(t, cookiesession.Options{})
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, cookiesession.ErrTooLarge) {
			t.Fatalf("recovered %v; want an error matching ErrTooLarge", err)
		}
	}()
	sessiontest.NewRequest(s, "GET", "/", cart{Items: []string{randomText(5000)}})
	t.Fatal("NewRequest returned a request for a session over 4 KB")
}

// TestMap checks untyped sessions, numbers included.
func TestMap(t *testing.T) {
	s, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{cookiesession.GenerateKey()}})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		n, _ := sess.Data["views"].(interface{ Int64() (int64, error) })
		v, _ := n.Int64()
		sess.Data["views"] = v + 1
	}))
	rec := serve(h, sessiontest.NewRequest(s, "GET", "/", cookiesession.Map{"views": 41, "user": "ada"}))
	got, ok := sessiontest.Data(s, rec)
	if !ok || fmt.Sprint(got["views"]) != "42" || got["user"] != "ada" {
		t.Fatalf("Data = %v, %v", got, ok)
	}
}

// TestPathAndDomain checks that the session goes only where a browser
// would send it: within the store's Path, to a host its Domain covers.
func TestPathAndDomain(t *testing.T) {
	s := newStore(t, cookiesession.Options{Path: "/account", Domain: "example.com", MaxChunks: 3})
	for _, target := range []string{"/account", "/account/cart", "http://shop.example.com/account"} {
		if sess := s.Get(sessiontest.NewRequest(s, "GET", target, cart{Items: []string{"tea"}})); sess.IsNew() {
			t.Fatalf("%s: no session", target)
		}
	}
	for _, target := range []string{"/", "/accounts", "http://example.org/account"} {
		func() {
			defer func() {
				if err, _ := recover().(error); err == nil || !strings.Contains(err.Error(), "Path and Domain") {
					t.Fatalf("%s: recovered %v; want the Path and Domain panic", target, err)
				}
			}()
			sessiontest.NewRequest(s, "GET", target, cart{Items: []string{"tea"}})
			t.Fatalf("%s: NewRequest returned a request no browser sends", target)
		}()
	}
}
