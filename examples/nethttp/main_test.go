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
	a, err := newApp([][]byte{key})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(a.routes())
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
	for _, path := range []string{"/logout", "/logout-all", "/login"} {
		req, _ := http.NewRequest("POST", srv.URL+path, nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site POST %s: %s", path, resp.Status)
		}
	}
}

// device returns another browser for srv: the same TLS transport, its own
// cookie jar.
func device(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: srv.Client().Transport, Jar: jar}
}

// login signs c in as user and checks the page it lands on.
func login(t *testing.T, srv *httptest.Server, c *http.Client, user string) {
	t.Helper()
	got := reader(t)(c.PostForm(srv.URL+"/login", url.Values{"user": {user}}))
	if !strings.HasPrefix(got, "flash: welcome, "+user+"\nuser: "+user+"\n") {
		t.Fatalf("login as %s: %q", user, got)
	}
}

const revokedNotice = "notice: this session was signed out; sign in again\n"

func TestLogOutAllDevices(t *testing.T) {
	srv, laptop := testServer(t)
	phone, other := device(t, srv), device(t, srv)
	login(t, srv, laptop, "ada")
	login(t, srv, phone, "ada")
	login(t, srv, other, "bob")
	if got := reader(t)(phone.Get(srv.URL + "/")); got != "user: ada\nvisits: 2\n" {
		t.Fatalf("phone before: %q", got)
	}

	// From the laptop: its own session ends with its cookie.
	if got := reader(t)(laptop.PostForm(srv.URL+"/logout-all", nil)); got != "user: \nvisits: 1\n" {
		t.Fatalf("laptop after log out all devices: %q", got)
	}
	// The phone still sends its cookie: it is refused (ErrRevoked), once.
	if got := reader(t)(phone.Get(srv.URL + "/")); got != revokedNotice+"user: \nvisits: 1\n" {
		t.Fatalf("phone after: %q", got)
	}
	if got := reader(t)(phone.Get(srv.URL + "/")); got != "user: \nvisits: 2\n" {
		t.Fatalf("phone's new session: %q", got)
	}
	// Another user's session is untouched.
	if got := reader(t)(other.Get(srv.URL + "/")); got != "user: bob\nvisits: 2\n" {
		t.Fatalf("bob: %q", got)
	}
}

func TestLogoutRefusesCopies(t *testing.T) {
	srv, c := testServer(t)
	login(t, srv, c, "ada")
	u, _ := url.Parse(srv.URL)
	stolen := c.Jar.Cookies(u) // a copy of the cookie, taken before logout
	if len(stolen) != 1 {
		t.Fatalf("cookies: %v", stolen)
	}
	thief := device(t, srv)
	thief.Jar.SetCookies(u, stolen)
	if got := reader(t)(thief.Get(srv.URL + "/")); got != "user: ada\nvisits: 2\n" {
		t.Fatalf("copy before logout: %q", got)
	}

	if got := reader(t)(c.PostForm(srv.URL+"/logout", nil)); got != "user: \nvisits: 1\n" {
		t.Fatalf("after logout: %q", got)
	}
	// Both the copy as taken and the one the thief's visit re-sealed are
	// refused.
	late := device(t, srv)
	late.Jar.SetCookies(u, stolen)
	for name, d := range map[string]*http.Client{"copy": late, "re-sealed copy": thief} {
		if got := reader(t)(d.Get(srv.URL + "/")); got != revokedNotice+"user: \nvisits: 1\n" {
			t.Fatalf("%s after logout: %q", name, got)
		}
	}
}

// TestAnonymousLogoutRevokesNothing: logging out a session that never
// signed in leaves the revocation list as it was, so GET + POST /logout
// loops cannot grow it; a signed-in logout adds one entry.
func TestAnonymousLogoutRevokesNothing(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	a, err := newApp([][]byte{key})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(a.routes())
	defer srv.Close()
	for range 50 {
		c := device(t, srv)
		reader(t)(c.Get(srv.URL + "/"))
		reader(t)(c.PostForm(srv.URL+"/logout", nil))
	}
	if n := a.revoked.Len(); n != 0 {
		t.Fatalf("50 anonymous logouts left %d revocations, want 0", n)
	}
	c := device(t, srv)
	login(t, srv, c, "ada")
	reader(t)(c.PostForm(srv.URL+"/logout", nil))
	if n := a.revoked.Len(); n != 1 {
		t.Fatalf("a signed-in logout left %d revocations, want 1", n)
	}
}
