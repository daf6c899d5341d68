package demo

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
)

// testKey returns a fixed master key that looks random: SHA-256 of 7.
func testKey() []byte { k := sha256.Sum256([]byte{7}); return k[:] }

// client is a browser stand-in: a cookie jar and the demo's server.
type client struct {
	t   *testing.T
	srv *httptest.Server
	c   *http.Client
}

func newClient(t *testing.T, opts cookiesession.Options) *client {
	t.Helper()
	if opts.Keys == nil {
		opts.Keys = [][]byte{testKey()}
	}
	h, err := Handler(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, srv: srv, c: &http.Client{Jar: jar}}
}

// do sends a request as a browser's same-origin form post or navigation
// would, and returns the response with its body read.
func (c *client) do(method, path string, form url.Values, noRedirect bool) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		req.Header.Set("Origin", c.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	hc := c.c
	if noRedirect {
		cp := *c.c
		cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &cp
	}
	resp, err := hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, string(b)
}

// post sends a form post, follows the redirect to the page and returns it.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return c.do(http.MethodPost, path, form, false)
}

// state returns /state.
func (c *client) state() view {
	c.t.Helper()
	resp, body := c.do(http.MethodGet, "/state", nil, false)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("/state: %d", resp.StatusCode)
	}
	var v view
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		c.t.Fatal(err)
	}
	return v
}

// data decodes the session data of a view.
func (v view) session(t *testing.T) data {
	t.Helper()
	var d data
	if err := json.Unmarshal(v.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// jarCookies returns the session cookies the jar holds, by name.
func (c *client) jarCookies() map[string]string {
	u, _ := url.Parse(c.srv.URL)
	m := map[string]string{}
	for _, ck := range c.c.Jar.Cookies(u) {
		m[ck.Name] = ck.Value
	}
	return m
}

func TestPage(t *testing.T) {
	c := newClient(t, cookiesession.Options{})
	resp, body := c.do(http.MethodGet, "/", nil, false)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, id := range []string{"inc", "add", "login", "logout", "destroy", "username", "session-json", "chunks", "sizes", "counter", "user", "total"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("page lacks id=%q", id)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Error("a page view without a session set a cookie")
	}
	if v := c.state(); !v.New || v.Chunks != 0 || v.MaxChunks != DefaultMaxChunks || v.CookieLimit != DefaultMaxCookieBytes || v.TotalLimit != bounds.DefaultMaxTotalBytes {
		t.Errorf("state %+v", v)
	}
	if resp, _ := c.do(http.MethodGet, "/nope", nil, false); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nope: %d", resp.StatusCode)
	}
	if resp, _ := c.do(http.MethodGet, "/inc", nil, false); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /inc: %d", resp.StatusCode)
	}
}

func TestCounterPersists(t *testing.T) {
	c := newClient(t, cookiesession.Options{})
	for i := 1; i <= 3; i++ {
		resp, body := c.post("/inc", nil)
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
			t.Fatalf("POST /inc ended at %s with %d", resp.Request.URL, resp.StatusCode)
		}
		if !strings.Contains(body, `<dd id="counter">`+string(rune('0'+i))+`</dd>`) {
			t.Fatalf("page after %d increments lacks the counter", i)
		}
		if !strings.Contains(body, `id="message"><p>Counter incremented.</p>`) {
			t.Error("no message after the increment")
		}
	}
	v := c.state()
	if v.New || v.session(t).Counter != 3 || v.Chunks != 1 || len(v.Cookies) != 1 || v.Cookies[0].Name != "session" {
		t.Fatalf("state %+v", v)
	}
	if _, ok := c.jarCookies()["session"]; !ok {
		t.Fatal("no session cookie in the jar")
	}
}

func TestAddChunksThenLimit(t *testing.T) {
	c := newClient(t, cookiesession.Options{})
	c.post("/inc", nil)
	wantChunks := []int{1, 2, 3, 3}
	for i, want := range wantChunks {
		resp, body := c.post("/add", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("add %d: status %d", i+1, resp.StatusCode)
		}
		v := c.state()
		if v.Chunks != want || len(v.session(t).Notes) != i+1 {
			t.Fatalf("after add %d: %d chunks, %d notes; want %d chunks", i+1, v.Chunks, len(v.session(t).Notes), want)
		}
		total := 0
		for k, ck := range v.Cookies {
			if ck.Bytes > DefaultMaxCookieBytes {
				t.Errorf("cookie %s has %d bytes, over the budget", ck.Name, ck.Bytes)
			}
			total += ck.Bytes + 1
			if k > 0 {
				total += 2
			}
		}
		if total != v.Total || v.Total > v.TotalLimit {
			t.Errorf("total %d, reported %d, limit %d", total, v.Total, v.TotalLimit)
		}
		if !strings.Contains(body, `<span id="chunks">`+string(rune('0'+want))+`</span>`) {
			t.Errorf("page after add %d does not show %d chunks", i+1, want)
		}
		if want > 1 && !strings.Contains(body, `data-name="session~`+string(rune('0'+want))+`"`) {
			t.Errorf("page after add %d does not list session~%d", i+1, want)
		}
	}
	before := c.jarCookies()

	// The next add exceeds the limits: the error page answers with 500 (the
	// request was small: not 413), no cookie changes, and the previous
	// session is intact.
	resp, body := c.do(http.MethodPost, "/add", url.Values{}, true)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("add over the limit: status %d, want 500", resp.StatusCode)
	}
	if n := len(resp.Header.Values("Set-Cookie")); n != 0 {
		t.Errorf("the error response sets %d cookies", n)
	}
	for _, want := range []string{"<title>500 Internal Server Error", `id="error"`, "too large", "previous session is intact", `id="back"`,
		`<p id="too-large">Too large: the session would need 4 cookies (this demo allows up to 3)`} {
		if !strings.Contains(body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	after := c.jarCookies()
	if len(after) != len(before) {
		t.Fatalf("jar changed: %d cookies, was %d", len(after), len(before))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("cookie %s changed", k)
		}
	}
	v := c.state()
	if d := v.session(t); v.New || d.Counter != 1 || len(d.Notes) != 4 || v.Chunks != 3 {
		t.Errorf("after the error: new %v, counter %d, %d notes, %d chunks", v.New, d.Counter, len(d.Notes), v.Chunks)
	}
}

func TestLoginLogout(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c := newClient(t, cookiesession.Options{Now: clock})

	c.post("/inc", nil)
	for range 3 {
		c.post("/add", nil) // three chunks, so that logout has three to clear
	}
	v := c.state()
	if v.Chunks != 3 || v.Created != "2026-11-26T12:00:00Z" {
		t.Fatalf("before login: %d chunks, created %s", v.Chunks, v.Created)
	}
	oldValue := c.jarCookies()["session"]

	advance(time.Hour)
	_, body := c.post("/login", url.Values{"username": {"ada"}})
	if !strings.Contains(body, `<dd id="user">ada</dd>`) || !strings.Contains(body, "Logged in") {
		t.Fatal("page after login does not show the user")
	}
	v = c.state()
	if d := v.session(t); d.User != "ada" || d.Counter != 1 || len(d.Notes) != 3 {
		t.Errorf("after login: %+v", d)
	}
	if v.Created != "2026-11-26T13:00:00Z" {
		t.Errorf("login did not renew the session: created %s", v.Created)
	}
	if c.jarCookies()["session"] == oldValue {
		t.Error("login kept the cookie value")
	}

	// A bad user name changes nothing.
	_, body = c.post("/login", url.Values{"username": {"<script>"}})
	if !strings.Contains(body, "Not logged in") || strings.Contains(body, "<script>") {
		t.Error("bad user name not refused, or echoed")
	}
	if d := c.state().session(t); d.User != "ada" {
		t.Errorf("user %q after a bad login", d.User)
	}

	// Logout revokes the session's ID and destroys it: the response
	// expires the chunks and replaces the session with a new one that
	// holds only the flash message, which the page then reads and ends.
	loggedIn := c.jarCookies()
	resp, _ := c.do(http.MethodPost, "/logout", url.Values{}, true)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: status %d", resp.StatusCode)
	}
	c.checkDestroyed(resp, loggedIn)
	_, body = c.do(http.MethodGet, "/", nil, false)
	if !strings.Contains(body, "Logged out: the session&#39;s ID is revoked") || !strings.Contains(body, `<dd id="user">(not logged in)</dd>`) {
		t.Error("page after logout does not say so, or still shows the user")
	}
	if jc := c.jarCookies(); len(jc) != 0 {
		t.Errorf("cookies left after the page read the message: %v", jc)
	}
	if v := c.state(); !v.New || v.session(t).Counter != 0 {
		t.Errorf("after logout: %+v", v)
	}
	// A copy of the logged-in cookies, replayed, is refused as revoked.
	if v := c.stateWith(loggedIn); !v.New || !strings.Contains(v.Reject, "revoked") {
		t.Errorf("a copy of the logged-out session: new %v, reject %q; want refused as revoked", v.New, v.Reject)
	}
}

// checkDestroyed checks a response to Log out or Destroy session: every
// chunk of the old session expires and the session cookie gets a new value
// (a session holding the flash message).
func (c *client) checkDestroyed(resp *http.Response, old map[string]string) {
	c.t.Helper()
	set := map[string]*http.Cookie{}
	for _, ck := range resp.Cookies() {
		set[ck.Name] = ck
	}
	for name, value := range old {
		ck := set[name]
		switch {
		case ck == nil:
			c.t.Errorf("%s is neither expired nor replaced; Set-Cookie: %q", name, resp.Header.Values("Set-Cookie"))
		case strings.Contains(name, "~") && (ck.MaxAge >= 0 || ck.Value != ""):
			c.t.Errorf("chunk %s not expired: %v", name, ck)
		case ck.Value == value:
			c.t.Errorf("%s kept its value", name)
		}
	}
}

// stateWith returns /state for a request carrying exactly the cookies
// given, as a copy of them replayed by another client would.
func (c *client) stateWith(cookies map[string]string) view {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.srv.URL+"/state", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for name, value := range cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var v view
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		c.t.Fatal(err)
	}
	return v
}

// TestLogoutAnonymous: logging out a session that never logged in revokes
// nothing (the list would grow for nothing) and says so.
func TestLogoutAnonymous(t *testing.T) {
	c := newClient(t, cookiesession.Options{})
	c.post("/inc", nil)
	_, body := c.post("/logout", nil)
	if !strings.Contains(body, "you were not logged in, so nothing was revoked") {
		t.Error("page does not say that nothing was revoked")
	}
}

func TestDestroy(t *testing.T) {
	c := newClient(t, cookiesession.Options{Name: "demo"})
	c.post("/inc", nil)
	c.post("/add", nil)
	c.post("/add", nil)
	if v := c.state(); v.Chunks != 2 || v.Cookies[1].Name != "demo~2" {
		t.Fatalf("state %+v", v)
	}
	c.post("/login", url.Values{"username": {"ada"}})
	before := c.jarCookies()
	resp, _ := c.do(http.MethodPost, "/destroy", url.Values{}, true)
	c.checkDestroyed(resp, before)
	_, body := c.do(http.MethodGet, "/", nil, false)
	if !strings.Contains(body, "Session destroyed") || !strings.Contains(body, "nothing was revoked") {
		t.Error("no message after destroy, or it does not say that nothing was revoked")
	}
	if jc := c.jarCookies(); len(jc) != 0 {
		t.Errorf("cookies left after destroy: %v", jc)
	}
	if v := c.state(); !v.New {
		t.Error("session survived destroy")
	}
	// Unlike Log out, a copy taken before still opens.
	if v := c.stateWith(before); v.New || v.Reject != "" || v.session(t).User != "ada" {
		t.Errorf("a copy of the destroyed session: new %v, reject %q; want it still open", v.New, v.Reject)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	c := newClient(t, cookiesession.Options{})
	c.post("/inc", nil)
	for _, h := range []http.Header{
		{"Sec-Fetch-Site": {"cross-site"}},
		{"Origin": {"https://evil.example"}},
	} {
		req, _ := http.NewRequest(http.MethodPost, c.srv.URL+"/inc", strings.NewReader(""))
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%v: status %d, want 403", h, resp.StatusCode)
		}
	}
	if n := c.state().session(t).Counter; n != 1 {
		t.Errorf("counter %d after refused posts, want 1", n)
	}
}

func TestRejectedCookie(t *testing.T) {
	c := newClient(t, cookiesession.Options{})
	c.post("/inc", nil)
	u, _ := url.Parse(c.srv.URL)
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "AAAA", Path: "/"}})
	_, body := c.do(http.MethodGet, "/", nil, false)
	if !strings.Contains(body, `id="reject"`) || !strings.Contains(body, "malformed") {
		t.Error("page does not say the cookie was rejected")
	}
}

func TestHandlerOptions(t *testing.T) {
	if _, err := Handler(cookiesession.Options{}); !errors.Is(err, cookiesession.ErrInvalidOptions) {
		t.Errorf("no keys: %v", err)
	}
	if _, err := Handler(cookiesession.Options{Keys: [][]byte{testKey()}, MaxChunks: 300}); !errors.Is(err, cookiesession.ErrInvalidOptions) {
		t.Errorf("MaxChunks 300: %v", err)
	}
	// A caller's own limits and error handler are kept.
	var called atomic.Bool
	c := newClient(t, cookiesession.Options{
		MaxChunks: 1, MaxCookieBytes: 4092,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			called.Store(true)
			http.Error(w, "custom", http.StatusTeapot)
		},
	})
	if v := c.state(); v.MaxChunks != 1 || v.CookieLimit != 4092 || v.TotalLimit != 4092 {
		t.Errorf("limits %+v", v)
	}
	for range 3 {
		c.post("/add", nil)
	}
	resp, _ := c.post("/add", nil)
	if resp.StatusCode != http.StatusTeapot || !called.Load() {
		t.Errorf("status %d, handler called %v", resp.StatusCode, called.Load())
	}
}

// TestViewCookies checks the cookies /state lists for a Cookie header that
// holds no valid session: the session's chunks in index order up to the
// first one missing, each name once, and their size in the Cookie header.
func TestViewCookies(t *testing.T) {
	h, err := Handler(cookiesession.Options{Keys: [][]byte{testKey()}})
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string][]cookieSize{
		"a=1; session~2=BB; session=AAAA; session~0=x": {{Name: "session", Bytes: 11}, {Name: "session~2", Bytes: 11}},
		`session="AAAA"; session~3=C`:                  {{Name: "session", Bytes: 11}},
		"session~2=BB; sessionx=1":                     {},
	} {
		r := httptest.NewRequest(http.MethodGet, "/state", nil)
		r.Header.Set("Cookie", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var v view
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		var pairs []string
		for _, c := range want {
			pairs = append(pairs, c.Name+"="+strings.Repeat("x", c.Bytes-len(c.Name)))
		}
		if !reflect.DeepEqual(v.Cookies, want) || v.Chunks != len(want) || v.Total != len(strings.Join(pairs, "; ")) {
			t.Errorf("%s: cookies %+v, %d chunks, total %d; want %+v", header, v.Cookies, v.Chunks, v.Total, want)
		}
	}
}

// eventKinds are the names of every lifecycle event kind, in order.
var eventKinds = []string{"created", "renewed", "destroyed", "resealed", "upgraded", "expired", "size-warning"}

// checkEvents checks the event counts of /state and of the page's #events
// table against want; kinds missing from want must be zero.
func (c *client) checkEvents(step string, want map[string]int) {
	c.t.Helper()
	got := c.state().Events
	if len(got) != len(eventKinds) {
		c.t.Errorf("%s: /state events %v, want every kind", step, got)
	}
	_, body := c.do(http.MethodGet, "/", nil, false)
	for _, k := range eventKinds {
		if got[k] != want[k] {
			c.t.Errorf("%s: /state counts %d %s events, want %d", step, got[k], k, want[k])
		}
		row := fmt.Sprintf(`<tr class="event" data-kind="%s" data-count="%d"><td>%s</td><td class="n">%d</td></tr>`, k, want[k], k, want[k])
		if !strings.Contains(body, row) {
			c.t.Errorf("%s: the page lacks %s", step, row)
		}
	}
}

// TestEventCounts drives a session through its lifecycle and checks the
// counts /state and the page show, and that a caller's OnEvent sees the same
// events.
func TestEventCounts(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var seen []string
	c := newClient(t, cookiesession.Options{Now: clock, MaxAge: time.Hour,
		OnEvent: func(_ context.Context, e cookiesession.Event) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, e.Kind.String())
		}})
	c.checkEvents("first visit", nil)

	c.post("/inc", nil)
	c.post("/inc", nil)
	c.checkEvents("two increments", map[string]int{"created": 1})
	// The fourth press of "add" passes 80% of MaxTotalBytes, the fifth
	// exceeds the limits and saves nothing.
	for range 3 {
		c.post("/add", nil)
	}
	c.checkEvents("three adds", map[string]int{"created": 1})
	// Each action saves the session with its flash message, and the page
	// saves it again without: two saves past the warning.
	c.post("/add", nil)
	c.checkEvents("four adds", map[string]int{"created": 1, "size-warning": 2})
	c.post("/add", nil)
	c.checkEvents("a refused add", map[string]int{"created": 1, "size-warning": 2})

	// Log out replaces the session with a new one holding the message
	// (created), which the page destroys once it has read it.
	c.post("/login", url.Values{"username": {"ada"}}) // renewed, still large
	c.post("/logout", nil)
	c.checkEvents("login, logout", map[string]int{"created": 2, "size-warning": 4, "renewed": 1, "destroyed": 1})

	// An expired session is refused, and the same request saves a new one.
	c.post("/inc", nil)
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	c.post("/inc", nil)
	c.checkEvents("an expired session", map[string]int{"created": 4, "size-warning": 4, "renewed": 1, "destroyed": 1, "expired": 1})

	mu.Lock()
	defer mu.Unlock()
	want := []string{"created", "size-warning", "size-warning", "renewed", "size-warning", "size-warning", "created", "destroyed", "created", "expired", "created"}
	if !slices.Equal(seen, want) {
		t.Errorf("the caller's OnEvent saw %v, want %v", seen, want)
	}
}

// TestEventCountsConcurrent counts the sessions of many browsers at once
// (run with -race).
func TestEventCountsConcurrent(t *testing.T) {
	c := newClient(t, cookiesession.Options{})
	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, c.srv.URL+"/inc", nil)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	if got := c.state().Events["created"]; got != n {
		t.Errorf("%d sessions created, want %d", got, n)
	}
}
