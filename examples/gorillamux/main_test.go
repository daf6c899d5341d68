package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/cookiesession/cookiesession"
)

func TestSessionRoundTrip(t *testing.T) {
	store, err := newStore(testKeys())
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, routes(store))
}

// testKeys returns one fresh random key, for a store under test.
func testKeys() [][]byte {
	return [][]byte{cookiesession.GenerateKey()}
}

// checkRoundTrip serves h over HTTPS with a cookie-keeping client: three
// GET / must answer "visits: 1" to "visits: 3", POST /logout 204, and the
// next GET / "visits: 1" again.
func checkRoundTrip(t *testing.T, h http.Handler) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	c := srv.Client()
	c.Jar, _ = cookiejar.New(nil)
	do := func(method, path string, want int) string {
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
		return string(b)
	}
	for _, want := range []string{"visits: 1\n", "visits: 2\n", "visits: 3\n"} {
		if got := do("GET", "/", http.StatusOK); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	do("POST", "/logout", http.StatusNoContent)
	if got := do("GET", "/", http.StatusOK); got != "visits: 1\n" {
		t.Fatalf("after logout: %q", got)
	}
}
