package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/sessiontest"
)

func testStore(t *testing.T) *cookiesession.Store[session] {
	t.Helper()
	store, err := newStore([][]byte{cookiesession.GenerateKey()})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// client is a browser stand-in over real HTTPS: it keeps cookies and sends
// the headers htmx and a browser would.
type client struct {
	t   *testing.T
	c   *http.Client
	url string
}

func newClient(t *testing.T, h http.Handler) *client {
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	c := srv.Client()
	c.Jar, _ = cookiejar.New(nil)
	return &client{t, c, srv.URL}
}

// do sends method path with the form (nil for none) and the headers,
// checks the status, and returns the response and its body.
func (c *client) do(method, path string, form url.Values, header map[string]string, want int) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.url+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
	}
	return resp, string(b)
}

// htmxPost is a post as htmx sends it from the page, in a browser that
// sends Sec-Fetch-Site.
var htmxPost = map[string]string{"HX-Request": "true", "Sec-Fetch-Site": "same-origin"}

// TestHTMXFlash follows htmx's round trip over real HTTPS: the post sets
// the flash and triggers the reload; the reload shows it once.
func TestHTMXFlash(t *testing.T) {
	c := newClient(t, routes(testStore(t)))
	if _, page := c.do("GET", "/", nil, nil, http.StatusOK); !strings.Contains(page, `hx-post="/todos"`) || strings.Contains(page, `class="flash"`) {
		t.Fatalf("first page:\n%s", page)
	}
	resp, body := c.do("POST", "/todos", url.Values{"item": {"milk <b>"}}, htmxPost, http.StatusOK)
	if resp.Header.Get("HX-Trigger") != "todos-changed" || body != "" || resp.Header.Get("Set-Cookie") == "" {
		t.Fatalf("htmx post: HX-Trigger %q, body %q, Set-Cookie %q", resp.Header.Get("HX-Trigger"), body, resp.Header.Get("Set-Cookie"))
	}
	_, list := c.do("GET", "/todos", nil, map[string]string{"HX-Request": "true"}, http.StatusOK)
	if !strings.Contains(list, `<p class="flash" role="status">Added “milk &lt;b&gt;”.</p>`) || !strings.Contains(list, "<li>milk &lt;b&gt;</li>") {
		t.Fatalf("the reloaded list lacks the flash or the item:\n%s", list)
	}
	if _, list = c.do("GET", "/todos", nil, nil, http.StatusOK); strings.Contains(list, `class="flash"`) || !strings.Contains(list, "<li>milk &lt;b&gt;</li>") {
		t.Fatalf("the flash showed twice, or the item is gone:\n%s", list)
	}
}

// TestPlainFormFlash posts without htmx: post, redirect, get; the flash
// shows on the page the redirect leads to, once.
func TestPlainFormFlash(t *testing.T) {
	c := newClient(t, routes(testStore(t)))
	c.do("POST", "/todos", url.Values{"item": {"bread"}}, nil, http.StatusOK) // 303 followed
	_, page := c.do("POST", "/todos", url.Values{"item": {"   "}}, nil, http.StatusOK)
	if !strings.Contains(page, "Nothing added: an item takes 1 to 100 bytes of text.") || !strings.Contains(page, "<li>bread</li>") {
		t.Fatalf("page after the redirect:\n%s", page)
	}
	if _, page = c.do("GET", "/", nil, nil, http.StatusOK); strings.Contains(page, `class="flash"`) {
		t.Fatalf("the flash showed twice:\n%s", page)
	}
	_, page = c.do("POST", "/todos/clear", url.Values{}, nil, http.StatusOK)
	if !strings.Contains(page, "Cleared.") || !strings.Contains(page, "nothing to do") {
		t.Fatalf("after clearing:\n%s", page)
	}
}

// TestCrossOriginRefused checks that cross-site posts, told by
// Sec-Fetch-Site or by an Origin that is not the server's, are refused
// with 403 before the session is touched: no cookie, no change, no flash.
func TestCrossOriginRefused(t *testing.T) {
	c := newClient(t, routes(testStore(t)))
	c.do("POST", "/todos", url.Values{"item": {"milk"}}, htmxPost, http.StatusOK)
	c.do("GET", "/todos", nil, nil, http.StatusOK) // reads the flash
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://attacker.example"},
	} {
		resp, _ := c.do("POST", "/todos/clear", url.Values{}, h, http.StatusForbidden)
		if sc := resp.Header["Set-Cookie"]; sc != nil {
			t.Fatalf("%v: refused post set %q", h, sc)
		}
	}
	if _, list := c.do("GET", "/todos", nil, nil, http.StatusOK); !strings.Contains(list, "<li>milk</li>") || strings.Contains(list, `class="flash"`) {
		t.Fatalf("a refused post changed the session:\n%s", list)
	}
	c.do("POST", "/todos/clear", url.Values{}, map[string]string{"Origin": c.url}, http.StatusOK)
}

// TestHandlersWithSessiontest runs the post handlers on requests that
// already carry a list, and reads back the list they wrote.
func TestHandlersWithSessiontest(t *testing.T) {
	store := testStore(t)
	h := routes(store)
	post := func(path, form string, s session) *httptest.ResponseRecorder {
		req := sessiontest.NewRequest(store, "POST", path, s)
		req.Body = io.NopCloser(strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := post("/todos", "item=tea", session{Todos: []string{"milk"}})
	if got, ok := sessiontest.Data(store, rec); !ok || !slices.Equal(got.Todos, []string{"milk", "tea"}) {
		t.Fatalf("add: %d, Data = %+v, %v", rec.Code, got, ok)
	}
	// The largest session: the longest items, as many as fit, and the
	// flash naming the last one, in one cookie.
	longest := strings.Repeat("é", maxItem/2)
	rec = post("/todos", "item="+url.QueryEscape(longest), session{Todos: slices.Repeat([]string{longest}, maxTodos-1)})
	full, ok := sessiontest.Data(store, rec)
	if rec.Code != http.StatusOK || !ok || len(full.Todos) != maxTodos {
		t.Fatalf("add the last item: %d %s, Data = %d items, %v", rec.Code, rec.Body, len(full.Todos), ok)
	}
	rec = post("/todos", "item=tea", full)
	if got, ok := sessiontest.Data(store, rec); !ok || !slices.Equal(got.Todos, full.Todos) {
		t.Fatalf("add to a full list: %d, Data = %d items, %v", rec.Code, len(got.Todos), ok)
	}
	rec = post("/todos/clear", "", session{Todos: []string{"milk"}})
	if got, ok := sessiontest.Data(store, rec); !ok || len(got.Todos) != 0 {
		t.Fatalf("clear: %d, Data = %+v, %v", rec.Code, got, ok)
	}
}
