package main

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func testServer(t *testing.T) (*httptest.Server, *http.Client) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	store, err := newStore([][]byte{key})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(routes(store))
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Jar, _ = cookiejar.New(nil)
	return srv, client
}

// reader returns a function that reads a response's body and fails the
// test on any error or a status other than 200.
func reader(t *testing.T) func(*http.Response, error) string {
	return func(resp *http.Response, err error) string {
		t.Helper()
		return readBody(t, resp, err)
	}
}

func readBody(t *testing.T, resp *http.Response, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s: %s", resp.Request.Method, resp.Request.URL.Path, resp.Status, b)
	}
	return string(b)
}

func TestSessionRoundTrip(t *testing.T) {
	srv, c := testServer(t)
	body := reader(t)

	resp, err := c.Get(srv.URL + "/")
	if got := readBody(t, resp, err); !strings.Contains(got, "visits: 1\n") {
		t.Fatalf("first visit: %q", got)
	}
	sc := resp.Header.Get("Set-Cookie")
	// Max-Age is the idle timeout: the cookie lives as long as the server
	// would accept it.
	for _, want := range []string{"__Host-session=", "; Path=/", "; HttpOnly", "; Secure", "; SameSite=Lax", "; Max-Age=1800"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %q", sc, want)
		}
	}
	if got := body(c.Get(srv.URL + "/")); !strings.Contains(got, "visits: 2\n") {
		t.Fatalf("second visit: %q", got)
	}

	// Login redirects to / (303), which shows the flash once.
	got := body(c.PostForm(srv.URL+"/login", url.Values{"user": {"ada"}}))
	if want := "flash: welcome, ada\nuser: ada\nvisits: 3\n"; got != want {
		t.Fatalf("after login: %q, want %q", got, want)
	}
	if got := body(c.Get(srv.URL + "/")); got != "user: ada\nvisits: 4\n" {
		t.Fatalf("flash not consumed: %q", got)
	}

	// Logout expires the cookie: the next visit starts over.
	if got := body(c.PostForm(srv.URL+"/logout", nil)); got != "user: \nvisits: 1\n" {
		t.Fatalf("after logout: %q", got)
	}
}

func TestCrossSiteFormRefused(t *testing.T) {
	srv, c := testServer(t)
	req, _ := http.NewRequest("POST", srv.URL+"/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %s", resp.Status)
	}
}
