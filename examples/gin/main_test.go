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
	"github.com/gin-gonic/gin"
)

func testStore(t *testing.T) *cookiesession.Store[session] {
	t.Helper()
	gin.SetMode(gin.TestMode)
	store, err := newStore([][]byte{cookiesession.GenerateKey()})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// TestGroupOverHTTPS drives the app over real HTTPS with a cookie-keeping
// client: the /account group counts visits, keeps them across a panicking
// handler (500, no cookie) and logs out with a bare c.Status(204); the home
// page, outside the group, never sets the cookie nor varies on it.
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
	}
	home()
	for _, want := range []string{"visits: 1\n", "visits: 2\n"} {
		if _, got := do("GET", "/account", http.StatusOK); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	if resp, _ := do("GET", "/account/panic", http.StatusInternalServerError); resp.Header["Set-Cookie"] != nil {
		t.Fatalf("the panicking handler's change was sent: %q", resp.Header["Set-Cookie"])
	}
	if _, got := do("GET", "/account", http.StatusOK); got != "visits: 3\n" {
		t.Fatalf("after the panic: %q", got)
	}
	home()
	if resp, _ := do("POST", "/account/logout", http.StatusNoContent); !strings.Contains(resp.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("logout sent Set-Cookie %q", resp.Header.Values("Set-Cookie"))
	}
	if _, got := do("GET", "/account", http.StatusOK); got != "visits: 1\n" {
		t.Fatalf("after logout: %q", got)
	}
}

// TestHandlersWithSessiontest runs the group's handlers on requests that
// already carry a session, and reads back what they wrote.
func TestHandlersWithSessiontest(t *testing.T) {
	store := testStore(t)
	h := routes(store)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, sessiontest.NewRequest(store, "GET", "/account", session{Visits: 41}))
	if rec.Body.String() != "visits: 42\n" {
		t.Fatalf("GET /account: %d %q", rec.Code, rec.Body)
	}
	if got, ok := sessiontest.Data(store, rec); !ok || got.Visits != 42 {
		t.Fatalf("Data = %+v, %v; want 42 visits", got, ok)
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, sessiontest.NewRequest(store, "POST", "/account/logout", session{Visits: 7}))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("logout: %d", rec.Code)
	}
	if got, ok := sessiontest.Data(store, rec); ok {
		t.Fatalf("after logout: Data = %+v, true", got)
	}
}
