package gorillastore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/gorillastore"
	"github.com/gorilla/sessions"
)

// testKey is a fixed master key for tests.
var testKey = []byte("\x8b\x1f\x9c\x02\x7a\xe4\x55\xd0\x31\x6e\xc8\x97\x0b\xf2\x4a\x1d\x68\x83\x2c\xbe\x59\x17\xa0\xe6\x3d\x74\xcf\x05\x92\x48\xbb\x6a")

// newStore returns a Store over o, with testKey when o has no keys.
func newStore(t *testing.T, o cookiesession.Options) *gorillastore.Store {
	t.Helper()
	if o.Keys == nil {
		o.Keys = [][]byte{testKey}
	}
	s, err := gorillastore.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// server serves h over TLS and returns a client with a cookie jar.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return srv, client(t, srv)
}

// client returns a client of srv with a cookie jar of its own.
func client(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *srv.Client() // a copy: srv.Client returns the same one each time
	c.Jar = jar
	return &c
}

// get requests url and returns the response body and its Set-Cookie
// lines; the status must be 200.
func get(t *testing.T, c *http.Client, url string) (string, []string) {
	t.Helper()
	return getStatus(t, c, url, http.StatusOK)
}

// getStatus is get for a response of status want.
func getStatus(t *testing.T, c *http.Client, url string, want int) (string, []string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body), resp.Header.Values("Set-Cookie")
}

// counter is a handler written for gorilla/sessions: it counts visits in
// the session name, through gorilla's registry.
func counter(store sessions.Store, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		session, err := sessions.GetRegistry(r).Get(store, name)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		n, _ := cookiesession.Map{"n": session.Values["n"]}.Int("n")
		session.Values["n"] = n + 1
		if err := sessions.Save(r, w); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "%d %T", n+1, session.Values["n"])
	}
}

func TestCounterThroughRegistry(t *testing.T) {
	store := newStore(t, cookiesession.Options{Name: "__Host-s"})
	srv, c := server(t, counter(store, "__Host-s"))
	for i := 1; i <= 3; i++ {
		body, lines := get(t, c, srv.URL)
		if want := fmt.Sprintf("%d int64", i); body != want {
			t.Fatalf("request %d: %q, want %q", i, body, want)
		}
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "__Host-s=") || !strings.Contains(lines[0], "; Secure") {
			t.Fatalf("request %d: Set-Cookie %q", i, lines)
		}
	}
}

// TestGetCaches checks that Store.Get goes through the registry: one
// session per name and request, whichever way it is asked for.
func TestGetCaches(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	a, err := store.Get(r, "session")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sessions.GetRegistry(r).Get(store, "session")
	c, _ := store.Get(r, "other")
	if a != b || a == c || !a.IsNew || a.Name() != "session" || a.Store() != store {
		t.Fatalf("Get: %p %p %p IsNew=%v name=%q", a, b, c, a.IsNew, a.Name())
	}
}

// TestNumbers pins what comes back for numbers: the Go value in the
// request that stores it, a json.Number with its exact text after.
func TestNumbers(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	srv, c := server(t, func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, "session")
		if s.IsNew {
			s.Values["int"], s.Values["float"], s.Values["big"] = 7, 0.5, uint64(1<<64-1)
			s.Values["list"] = []any{1, "a", true, nil, map[string]any{"k": 2.25}}
			if err := s.Save(r, w); err != nil {
				t.Error(err)
			}
			return
		}
		m := cookiesession.Map{}
		for k, v := range s.Values {
			m[k.(string)] = v
		}
		b, _ := json.Marshal(m)
		fmt.Fprintf(w, "%T %T %v %s", s.Values["int"], s.Values["list"], s.Values["big"], b)
	})
	get(t, c, srv.URL)
	body, _ := get(t, c, srv.URL)
	want := `json.Number []interface {} 18446744073709551615 {"big":18446744073709551615,"float":0.5,"int":7,"list":[1,"a",true,null,{"k":2.25}]}`
	if body != want {
		t.Fatalf("got  %s\nwant %s", body, want)
	}
}

func TestChunkedInThreeCookies(t *testing.T) {
	store := newStore(t, cookiesession.Options{MaxChunks: 4, MaxTotalBytes: 12000})
	big := strings.Repeat("0123456789abcdef", 500) // 8,000 bytes: three cookies
	srv, c := server(t, func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, "session")
		if s.IsNew {
			s.Values["big"] = big
			if err := s.Save(r, w); err != nil {
				http.Error(w, err.Error(), 500)
			}
			return
		}
		fmt.Fprint(w, s.Values["big"] == big)
	})
	_, lines := get(t, c, srv.URL)
	if len(lines) != 3 {
		t.Fatalf("%d Set-Cookie lines, want 3: %.60q", len(lines), lines)
	}
	if body, lines := get(t, c, srv.URL); body != "true" || len(lines) != 0 {
		t.Fatalf("read back: %s, Set-Cookie %d", body, len(lines))
	}
}

func TestDeleteWithNegativeMaxAge(t *testing.T) {
	store := newStore(t, cookiesession.Options{MaxChunks: 3})
	srv, c := server(t, func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, "session")
		switch r.URL.Path {
		case "/login":
			s.Values["user"] = "ada"
		case "/logout":
			s.Options.MaxAge = -1
		}
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, s.Values["user"] != nil && !s.IsNew)
	})
	get(t, c, srv.URL+"/login")
	if body, _ := get(t, c, srv.URL+"/"); body != "true" {
		t.Fatal("not logged in after /login")
	}
	_, lines := get(t, c, srv.URL+"/logout")
	if len(lines) == 0 || !strings.Contains(lines[0], "Max-Age=0") {
		t.Fatalf("logout: %q", lines)
	}
	if body, _ := get(t, c, srv.URL+"/"); body != "false" {
		t.Fatal("still logged in after /logout")
	}
	if left := c.Jar.Cookies(mustURL(t, srv.URL)); len(left) != 0 {
		t.Fatalf("cookies left: %v", left)
	}
}

func TestFlashes(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	srv, c := server(t, func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, "session")
		var f, warn []any
		if r.URL.Path == "/add" {
			s.AddFlash("saved")
			s.AddFlash("warned", "warnings")
		} else {
			f, warn = s.Flashes(), s.Flashes("warnings")
		}
		if err := sessions.Save(r, w); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, f, warn)
	})
	get(t, c, srv.URL+"/add")
	if body, _ := get(t, c, srv.URL+"/"); body != "[saved] [warned]" {
		t.Fatalf("first read: %q", body)
	}
	if body, _ := get(t, c, srv.URL+"/"); body != "[] []" {
		t.Fatalf("second read: %q, want none", body)
	}
}

// TestSeveralNames keeps two sessions, one under goth's name, side by
// side in one request.
func TestSeveralNames(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	srv, c := server(t, func(w http.ResponseWriter, r *http.Request) {
		a, _ := store.Get(r, "session")
		b, err := store.Get(r, "_gothic_session")
		if err != nil {
			t.Error(err)
		}
		a.Values["n"] = fmt.Sprint(a.Values["n"], "a")
		b.Values["n"] = fmt.Sprint(b.Values["n"], "b")
		if err := sessions.Save(r, w); err != nil {
			t.Error(err)
		}
		fmt.Fprint(w, a.Values["n"], " ", b.Values["n"])
	})
	get(t, c, srv.URL)
	body, lines := get(t, c, srv.URL)
	if body != "<nil>aa <nil>bb" || len(lines) != 2 {
		t.Fatalf("%q, %d Set-Cookie lines", body, len(lines))
	}
	if _, err := store.Get(httptest.NewRequest("GET", "/", nil), "bad name"); err == nil {
		t.Fatal("a name that is no cookie token: no error")
	}
}

func TestManyNamesBounded(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	var err error
	for i := 0; i < gorillastore.MaxNames && err == nil; i++ {
		_, err = store.New(r, fmt.Sprint("n", i))
	}
	if !errors.Is(err, gorillastore.ErrTooManyNames) {
		t.Fatalf("after MaxNames names: %v, want ErrTooManyNames", err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// jsonNumber is a json.Number, spelled so for the tables.
func jsonNumber(s string) json.Number { return json.Number(s) }
