package main

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/gin-gonic/gin"
)

// app serves the program over HTTPS and returns a cookie-keeping client
// that does not follow redirects.
func app(t *testing.T) (*httptest.Server, *http.Client) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	store, err := newStore([][]byte{cookiesession.GenerateKey()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(routes(store))
	t.Cleanup(srv.Close)
	c := srv.Client()
	c.Jar, _ = cookiejar.New(nil)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return srv, c
}

// page is what GET / answers.
type page struct {
	Visits  int      `json:"visits"`
	Flashes []string `json:"flashes"`
}

func home(t *testing.T, srv *httptest.Server, c *http.Client) page {
	t.Helper()
	resp, err := c.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p page
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&p) != nil {
		t.Fatalf("GET /: %s", resp.Status)
	}
	return p
}

// TestGinContribSessions drives gin-contrib/sessions, a real consumer of
// gorilla's sessions.Store, on a gorillastore.Store over HTTPS: a counter
// that reads its number back as json.Number, a flash message read once,
// and a logout with Options{MaxAge: -1}.
func TestGinContribSessions(t *testing.T) {
	srv, c := app(t)
	for i := 1; i <= 3; i++ {
		if p := home(t, srv, c); p.Visits != i {
			t.Fatalf("visit %d: counted %d", i, p.Visits)
		}
	}
	resp, err := c.PostForm(srv.URL+"/note", url.Values{"text": {"saved"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /note: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	if p := home(t, srv, c); p.Visits != 4 || len(p.Flashes) != 1 || p.Flashes[0] != "saved" {
		t.Fatalf("after the note: %+v", p)
	}
	if p := home(t, srv, c); len(p.Flashes) != 0 {
		t.Fatalf("flash read twice: %+v", p)
	}
	u, _ := url.Parse(srv.URL)
	cookies := c.Jar.Cookies(u)
	if len(cookies) != 1 || cookies[0].Name != sessionName {
		t.Fatalf("cookies %v", cookies)
	}
	resp, err = c.Post(srv.URL+"/logout", "", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /logout: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	if left := c.Jar.Cookies(u); len(left) != 0 {
		t.Fatalf("cookies after logout: %v", left)
	}
	if p := home(t, srv, c); p.Visits != 1 {
		t.Fatalf("after logout: %+v", p)
	}
}

// TestGinContribTooLarge: a note too large for the cookie fails
// gin-contrib's Save with cookiesession.ErrTooLarge, which the handler
// answers 413, and the client keeps its session.
func TestGinContribTooLarge(t *testing.T) {
	srv, c := app(t)
	home(t, srv, c)
	resp, err := c.PostForm(srv.URL+"/note", url.Values{"text": {strings.Repeat("x", 5000)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("POST /note, too large: %s, Set-Cookie %q", resp.Status, resp.Header.Values("Set-Cookie"))
	}
	if p := home(t, srv, c); p.Visits != 2 || len(p.Flashes) != 0 {
		t.Fatalf("session after the error: %+v", p)
	}
}
