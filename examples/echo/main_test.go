package main

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
)

func TestSessionRoundTrip(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	store, err := newStore([][]byte{key})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(routes(store))
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
