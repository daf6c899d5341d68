package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/sessiontest"
	"github.com/labstack/echo/v5"
)

func testStore(t *testing.T) *cookiesession.Store[session] {
	t.Helper()
	store, err := newStore([][]byte{cookiesession.GenerateKey()})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// TestGroupOverHTTPS drives the app over real HTTPS with a cookie-keeping
// client: the /account group counts visits and logs out; the home page,
// outside the group, never sets the cookie nor varies on it, even for a
// client that sends one.
func TestGroupOverHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(routes(testStore(t)))
	defer srv.Close()
	c := srv.Client()
	c.Jar, _ = cookiejar.New(nil)
	do := func(method, path string, want int) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %s", method, path, resp.Status)
		}
		return resp, string(b)
	}
	home := func() {
		t.Helper()
		resp, _ := do("GET", "/", http.StatusOK)
		if sc, vary := resp.Header["Set-Cookie"], resp.Header.Values("Vary"); sc != nil || vary != nil {
			t.Fatalf("outside the group: Set-Cookie %q, Vary %q", sc, vary)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=60" {
			t.Fatalf("outside the group: Cache-Control %q", cc)
		}
	}
	home()
	for _, want := range []string{"visits: 1\n", "visits: 2\n", "visits: 3\n"} {
		if _, got := do("GET", "/account", http.StatusOK); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	home()
	do("POST", "/account/logout", http.StatusNoContent)
	if _, got := do("GET", "/account", http.StatusOK); got != "visits: 1\n" {
		t.Fatalf("after logout: %q", got)
	}
}

// TestHandlersWithSessiontest runs the group's handlers on requests that
// already carry a session, and reads back what they wrote.
func TestHandlersWithSessiontest(t *testing.T) {
	store := testStore(t)
	e := routes(store)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, sessiontest.NewRequest(store, "GET", "/account", session{Visits: 41}))
	if rec.Body.String() != "visits: 42\n" {
		t.Fatalf("GET /account: %d %q", rec.Code, rec.Body)
	}
	if got, ok := sessiontest.Data(store, rec); !ok || got.Visits != 42 {
		t.Fatalf("Data = %+v, %v; want 42 visits", got, ok)
	}

	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, sessiontest.NewRequest(store, "POST", "/account/logout", session{Visits: 7}))
	if rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("logout: %d, Set-Cookie %q", rec.Code, rec.Header().Values("Set-Cookie"))
	}
	if got, ok := sessiontest.Data(store, rec); ok {
		t.Fatalf("after logout: Data = %+v, true", got)
	}
}

// TestErrorKeepsChange checks what the package comment says: a handler in
// the group that returns an error has its session change saved, and Echo's
// error response carries the cookie.
func TestErrorKeepsChange(t *testing.T) {
	store := testStore(t)
	e := routes(store)
	e.Group("/account", echo.WrapMiddleware(store.Middleware)).GET("/forbidden", func(c *echo.Context) error {
		store.Get(c.Request()).Data.Visits = 5
		return echo.NewHTTPError(http.StatusForbidden, "no")
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, sessiontest.NewRequest(store, "GET", "/account/forbidden", session{Visits: 1}))
	if got, ok := sessiontest.Data(store, rec); rec.Code != http.StatusForbidden || !ok || got.Visits != 5 {
		t.Fatalf("%d %q, Data = %+v, %v; want 403 and 5 visits", rec.Code, rec.Body, got, ok)
	}
}
