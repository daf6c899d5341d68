package e2e

// Browser tests of the store: sessions, chunking and the size limits, checked
// against what Chromium really keeps in its cookie jar and sends back.

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
)

// testKey is a fixed master key: these tests check cookies, not keys.
var testKey = func() []byte { k := sha256.Sum256([]byte("cookiesession e2e test key")); return k[:] }()

// appData is the session data of the test application.
type appData struct {
	Count int    `json:"count"`
	Blob  string `json:"blob,omitempty"`
}

// blob returns n bytes of letters and digits that look random (so that no
// test depends on the data being compressible), the same on every call.
func blob(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	r := rand.New(rand.NewPCG(uint64(n), 42))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// summary is what /read answers: enough to compare a session without
// printing kilobytes of blob in a failure message.
func summary(isNew bool, d appData, err error) string {
	return fmt.Sprintf("new=%v count=%d bloblen=%d blobsha=%x err=%v",
		isNew, d.Count, len(d.Blob), sha256.Sum256([]byte(d.Blob)), err)
}

// errorBody is what the test error handler answers for ErrTooLarge.
const errorBody = "session not saved: too large\n"

// app is a small application on one store, and the errors its error handler
// saw.
type app struct {
	store *cookiesession.Store[appData]
	mu    sync.Mutex
	errs  []error
}

// newApp returns the application for a store made with o (Keys and Secure
// are filled in when empty). Its routes, all through the store's
// middleware:
//
//	/count      increments Count and answers "count=N"
//	/set?n=N    sets Blob to blob(N) and answers "ok"
//	/read       answers summary() of the session, and the cookie names sent
//	/destroy    destroys the session and answers "destroyed"
//
// The error handler answers 413 errorBody for ErrTooLarge, 500 otherwise.
func newApp(t *testing.T, o cookiesession.Options) *app {
	t.Helper()
	if o.Keys == nil {
		o.Keys = [][]byte{testKey}
	}
	if o.Secure == cookiesession.SecureAuto {
		o.Secure = cookiesession.SecureNever
	}
	a := &app{}
	o.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		a.mu.Lock()
		a.errs = append(a.errs, err)
		a.mu.Unlock()
		if errors.Is(err, cookiesession.ErrTooLarge) {
			http.Error(w, strings.TrimSuffix(errorBody, "\n"), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "session not saved", http.StatusInternalServerError)
	}
	store, err := cookiesession.New[appData](o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.store = store
	return a
}

// seenErrors returns the errors the error handler saw so far.
func (a *app) seenErrors() []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.errs)
}

func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		s := a.store.Get(r)
		s.Data.Count++
		fmt.Fprintf(w, "count=%d", s.Data.Count)
	})
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil {
			http.Error(w, "bad n", http.StatusBadRequest)
			return
		}
		s := a.store.Get(r)
		s.Data.Blob = blob(n)
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/read", func(w http.ResponseWriter, r *http.Request) {
		s := a.store.Get(r)
		var names []string
		for _, c := range r.Cookies() {
			names = append(names, c.Name)
		}
		fmt.Fprintf(w, "%s cookies=%s", summary(s.IsNew(), s.Data, s.Err()), strings.Join(names, ","))
	})
	mux.HandleFunc("/destroy", func(w http.ResponseWriter, r *http.Request) {
		a.store.Get(r).Destroy()
		fmt.Fprint(w, "destroyed")
	})
	return a.store.Middleware(mux)
}

// values maps cookie names to values.
func values(cs []Cookie) map[string]string {
	m := make(map[string]string, len(cs))
	for _, c := range cs {
		m[c.Name] = c.Value
	}
	return m
}

// expectPage fails the test unless the page has the status and body.
func expectPage(t *testing.T, p *Page, status int, body string) {
	t.Helper()
	if p.Status != status || p.Body != body {
		t.Fatalf("%s: status %d body %q, want %d %q", p.URL, p.Status, p.Body, status, body)
	}
	if len(p.BlockedCookies) != 0 {
		t.Errorf("%s: Chromium blocked cookies: %+v", p.URL, p.BlockedCookies)
	}
}

// TestSessionSurvivesRequests: a session set through the middleware is
// stored by Chromium with the library's attributes, sent back, opened and
// updated on every request.
func TestSessionSurvivesRequests(t *testing.T) {
	b := NewBrowser(t)
	srv := NewServer(t, newApp(t, cookiesession.Options{}).handler())

	var last string
	for i := 1; i <= 5; i++ {
		expectPage(t, b.Navigate(srv.URL+"/count"), http.StatusOK, fmt.Sprintf("count=%d", i))
		jar := b.Cookies(srv.URL)
		if names := CookieNames(jar); !slices.Equal(names, []string{bounds.DefaultName}) {
			t.Fatalf("request %d: jar holds %v, want only %q", i, names, bounds.DefaultName)
		}
		c := jar[0]
		if c.Value == last {
			t.Errorf("request %d: cookie value unchanged although the count changed", i)
		}
		last = c.Value
		if !c.HTTPOnly || c.Secure || c.SameSite != "Lax" || c.Path != "/" || c.Domain != "127.0.0.1" || c.Session {
			t.Errorf("request %d: cookie attributes %+v, want HttpOnly, not Secure, Lax, Path /, host-only, persistent", i, c)
		}
		if d := time.Until(c.Expires); d < bounds.DefaultMaxAge-time.Minute || d > bounds.DefaultMaxAge+time.Minute {
			t.Errorf("request %d: cookie expires in %v, want the default lifetime %v", i, d, bounds.DefaultMaxAge)
		}
	}
	want := summary(false, appData{Count: 5}, nil) + " cookies=session"
	expectPage(t, b.Navigate(srv.URL+"/read"), http.StatusOK, want)
}

// threeChunks is a blob length whose session needs three cookies of the
// default budget: the sealed value is about 10,000 bytes.
const threeChunks = 7400

// chunkedOptions allow three full-size chunks: the default total budget
// (the default MaxTotalBytes) only leaves room for one and a half.
var chunkedOptions = cookiesession.Options{MaxChunks: 3, MaxTotalBytes: 3*bounds.DefaultMaxCookieBytes + 32}

// TestThreeChunksRoundTrip: a session split across three cookies is stored
// whole by Chromium (each chunk filled to the per-cookie budget, none
// dropped), sent back in full, and reassembles to the same data.
func TestThreeChunksRoundTrip(t *testing.T) {
	b := NewBrowser(t)
	srv := NewServer(t, newApp(t, chunkedOptions).handler())

	p := b.Navigate(srv.URL + "/set?n=" + strconv.Itoa(threeChunks))
	expectPage(t, p, http.StatusOK, "ok")
	jar := b.Cookies(srv.URL)
	want := []string{"session", "session~2", "session~3"}
	if names := CookieNames(jar); !slices.Equal(names, want) {
		t.Fatalf("jar holds %v, want %v", names, want)
	}
	total := 0
	for i, c := range jar {
		total += c.Size
		if c.Size > bounds.DefaultMaxCookieBytes {
			t.Errorf("%s: %d bytes, over the %d budget", c.Name, c.Size, bounds.DefaultMaxCookieBytes)
		}
		if i < 2 && c.Size != bounds.DefaultMaxCookieBytes {
			t.Errorf("%s: %d bytes, want the first chunks filled to %d", c.Name, c.Size, bounds.DefaultMaxCookieBytes)
		}
	}
	if total < 2*bounds.DefaultMaxCookieBytes+1000 {
		t.Errorf("the three chunks hold only %d bytes", total)
	}

	want2 := summary(false, appData{Blob: blob(threeChunks)}, nil) + " cookies=session,session~2,session~3"
	expectPage(t, b.Navigate(srv.URL+"/read"), http.StatusOK, want2)
	// Reading changed nothing: the jar is as it was.
	if got := values(b.Cookies(srv.URL)); !maps.Equal(got, values(jar)) {
		t.Errorf("a read-only request changed the cookies")
	}
}

// TestShrinkAndDestroy: going from three chunks to one expires the two
// chunks Chromium holds, so no stale chunk is left to be sent; Destroy then
// leaves no cookie at all.
func TestShrinkAndDestroy(t *testing.T) {
	b := NewBrowser(t)
	srv := NewServer(t, newApp(t, chunkedOptions).handler())

	expectPage(t, b.Navigate(srv.URL+"/set?n="+strconv.Itoa(threeChunks)), http.StatusOK, "ok")
	if n := len(b.Cookies(srv.URL)); n != 3 {
		t.Fatalf("jar holds %d cookies, want 3 chunks", n)
	}

	expectPage(t, b.Navigate(srv.URL+"/set?n=10"), http.StatusOK, "ok")
	if names := CookieNames(b.AllCookies()); !slices.Equal(names, []string{"session"}) {
		t.Fatalf("after shrinking, the jar holds %v, want only session", names)
	}
	want := summary(false, appData{Blob: blob(10)}, nil) + " cookies=session"
	expectPage(t, b.Navigate(srv.URL+"/read"), http.StatusOK, want)

	// Grow again and destroy from three chunks.
	expectPage(t, b.Navigate(srv.URL+"/set?n="+strconv.Itoa(threeChunks)), http.StatusOK, "ok")
	expectPage(t, b.Navigate(srv.URL+"/destroy"), http.StatusOK, "destroyed")
	if all := b.AllCookies(); len(all) != 0 {
		t.Fatalf("after Destroy, the jar holds %v", CookieNames(all))
	}
	want = summary(true, appData{}, nil) + " cookies="
	expectPage(t, b.Navigate(srv.URL+"/read"), http.StatusOK, want)
}

// TestTwoTabsStaleChunks: two tabs race. One response writes three chunks;
// another, answering a request that carried one chunk, writes one chunk and
// deletes nothing (a save deletes only the chunks its request carried), and
// Chromium applies it last. Chromium then holds the new one-chunk session
// and two stale chunks: the session opens, and the next save deletes them.
func TestTwoTabsStaleChunks(t *testing.T) {
	h := newApp(t, chunkedOptions).handler()
	// The other tab's response, made outside the browser: a one-chunk save
	// answering a request that carried one chunk.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/set?n=10", nil))
	req := httptest.NewRequest("GET", "/set?n=20", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	late := rec.Header().Values("Set-Cookie")
	if len(late) != 1 || !strings.HasPrefix(late[0], "session=") {
		t.Fatalf("a one-chunk save answering a one-chunk request sends %d lines: %q", len(late), late)
	}
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("/late", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Set-Cookie"] = late
		fmt.Fprint(w, "late")
	})
	b := NewBrowser(t)
	srv := NewServer(t, mux)

	expectPage(t, b.Navigate(srv.URL+"/set?n="+strconv.Itoa(threeChunks)), http.StatusOK, "ok")
	expectPage(t, b.Navigate(srv.URL+"/late"), http.StatusOK, "late")
	if names := CookieNames(b.Cookies(srv.URL)); !slices.Equal(names, []string{"session", "session~2", "session~3"}) {
		t.Fatalf("after the racing responses the jar holds %v", names)
	}
	p := b.Navigate(srv.URL + "/read")
	got, sent, _ := strings.Cut(p.Body, " cookies=")
	names := strings.Split(sent, ",")
	slices.Sort(names)
	if want := summary(false, appData{Blob: blob(20)}, nil); got != want || !slices.Equal(names, []string{"session", "session~2", "session~3"}) {
		t.Fatalf("with stale chunks: read %q sent %v, want %q", got, names, want)
	}
	expectPage(t, b.Navigate(srv.URL+"/set?n=30"), http.StatusOK, "ok")
	if names := CookieNames(b.AllCookies()); !slices.Equal(names, []string{"session"}) {
		t.Fatalf("the next save left %v, want only session", names)
	}
	expectPage(t, b.Navigate(srv.URL+"/read"), http.StatusOK, summary(false, appData{Blob: blob(30)}, nil)+" cookies=session")
}

// blobFor returns the blob length whose session seals to a cookie value of
// exactly valueLen bytes, or fails the test when base64 cannot produce that
// length.
func blobFor(t *testing.T, valueLen int) int {
	t.Helper()
	c := format.XChaCha20Poly1305 // the default cipher
	empty, err := json.Marshal(appData{})
	if err != nil {
		t.Fatal(err)
	}
	base := len(empty) + len(`,"blob":""`) // blob() needs no JSON escaping
	for n := 1; n <= valueLen; n++ {
		switch l := c.SealedLen(base + n); {
		case l == valueLen:
			if js, _ := json.Marshal(appData{Blob: blob(n)}); len(js) != base+n {
				t.Fatalf("JSON of a %d-byte blob has %d bytes, want %d", n, len(js), base+n)
			}
			return n
		case l > valueLen:
			t.Fatalf("no session seals to exactly %d bytes (choose a cookie name of another length)", valueLen)
		}
	}
	panic("unreachable")
}

// nameValueLen returns len(name)+len(value) of the first Set-Cookie line for
// name, or -1.
func nameValueLen(lines []string, name string) int {
	for _, l := range lines {
		nv, _, _ := strings.Cut(l, ";")
		if k, v, ok := strings.Cut(nv, "="); ok && k == name {
			return len(k) + len(v)
		}
	}
	return -1
}

// TestCookieSizeBoundary: a session cookie filling the library's
// per-cookie budget exactly (the default, and the largest budget New
// accepts) is stored by Chromium and sent back; one byte of data more is
// refused by the library with its error. A raw cookie of name+value 4096 is
// stored and one of 4097 is dropped by Chromium, so without that error the
// user would silently lose the session.
func TestCookieSizeBoundary(t *testing.T) {
	b := NewBrowser(t)
	// Both names have 4 bytes, so that budget - 4 is a length that
	// unpadded base64 can produce.
	def := newApp(t, cookiesession.Options{Name: "sess"})
	maxApp := newApp(t, cookiesession.Options{Name: "smax", MaxCookieBytes: bounds.MaxCookieBytesLimit})
	mux := http.NewServeMux()
	mux.Handle("/def/", http.StripPrefix("/def", def.handler()))
	mux.Handle("/max/", http.StripPrefix("/max", maxApp.handler()))
	mux.HandleFunc("/raw", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		size, _ := strconv.Atoi(r.URL.Query().Get("size")) // name + value
		w.Header().Add("Set-Cookie", name+"="+strings.Repeat("r", size-len(name))+"; Path=/")
		fmt.Fprint(w, "raw")
	})
	srv := NewServer(t, mux)

	for _, tc := range []struct {
		prefix string
		app    *app
		name   string
		budget int
	}{
		{"/def", def, "sess", bounds.DefaultMaxCookieBytes},
		{"/max", maxApp, "smax", bounds.MaxCookieBytesLimit},
	} {
		n := blobFor(t, tc.budget-len(tc.name))
		p := b.Navigate(srv.URL + tc.prefix + "/set?n=" + strconv.Itoa(n))
		expectPage(t, p, http.StatusOK, "ok")
		if got := nameValueLen(p.SetCookies(), tc.name); got != tc.budget {
			t.Errorf("%s: Set-Cookie name+value is %d bytes, want exactly the budget %d", tc.name, got, tc.budget)
		}
		c, ok := b.Cookie(srv.URL, tc.name)
		if !ok || c.Size != tc.budget {
			t.Fatalf("%s: Chromium's jar has %+v (found %v), want a %d-byte cookie", tc.name, c.Size, ok, tc.budget)
		}
		want := summary(false, appData{Blob: blob(n)}, nil)
		if p := b.Navigate(srv.URL + tc.prefix + "/read"); !strings.HasPrefix(p.Body, want+" ") {
			t.Errorf("%s: read back %q, want %q", tc.name, p.Body, want)
		}

		// One more byte of data: the library refuses, the cookie stays.
		p = b.Navigate(srv.URL + tc.prefix + "/set?n=" + strconv.Itoa(n+1))
		expectPage(t, p, http.StatusRequestEntityTooLarge, errorBody)
		errs := tc.app.seenErrors()
		var tl *cookiesession.TooLargeError
		if len(errs) != 1 || !errors.As(errs[0], &tl) || tl.Limit != tc.budget || tl.Size <= tc.budget {
			t.Errorf("%s: error handler saw %v, want one TooLargeError over the %d limit", tc.name, errs, tc.budget)
		}
		if after, _ := b.Cookie(srv.URL, tc.name); after.Value != c.Value {
			t.Errorf("%s: the refused save changed the cookie", tc.name)
		}
	}

	// Chromium's own limit, with cookies the library would never write.
	expectPage(t, b.Navigate(srv.URL+"/raw?name=raw&size=4096"), http.StatusOK, "raw")
	if c, ok := b.Cookie(srv.URL, "raw"); !ok || c.Size != 4096 {
		t.Errorf("a raw 4096-byte cookie was not stored: %+v (found %v)", c, ok)
	}
	p := b.Navigate(srv.URL + "/raw?name=over&size=4097")
	if p.Status != http.StatusOK {
		t.Fatalf("/raw: status %d", p.Status)
	}
	if c, ok := b.Cookie(srv.URL, "over"); ok {
		t.Errorf("Chromium stored a cookie of name+value %d bytes: its limit is not 4096", c.Size)
	}
	if len(p.BlockedCookies) != 1 || !slices.Contains(p.BlockedCookies[0].Reasons, "NameValuePairExceedsMaxSize") {
		t.Errorf("blocked cookies %+v, want the 4097-byte one for NameValuePairExceedsMaxSize", p.BlockedCookies)
	}
}

// TestOversizeSaveKeepsPreviousSession: a save past the limits answers with
// the error handler's response (the handler's own output discarded), adds no
// Set-Cookie, and Chromium's jar still holds the previous chunked session,
// value for value, which the next request opens intact.
func TestOversizeSaveKeepsPreviousSession(t *testing.T) {
	b := NewBrowser(t)
	a := newApp(t, chunkedOptions)
	srv := NewServer(t, a.handler())

	expectPage(t, b.Navigate(srv.URL+"/count"), http.StatusOK, "count=1")
	expectPage(t, b.Navigate(srv.URL+"/set?n=4000"), http.StatusOK, "ok")
	before := values(b.Cookies(srv.URL))
	if len(before) != 2 {
		t.Fatalf("jar holds %v, want a two-chunk session", slices.Sorted(maps.Keys(before)))
	}

	p := b.Navigate(srv.URL + "/set?n=12000") // about 16 KB sealed: over 3 chunks
	expectPage(t, p, http.StatusRequestEntityTooLarge, errorBody)
	if lines := p.SetCookies(); len(lines) != 0 {
		t.Errorf("the refused save sent Set-Cookie lines: %q", lines)
	}
	var tl *cookiesession.TooLargeError
	if errs := a.seenErrors(); len(errs) != 1 || !errors.As(errs[0], &tl) {
		t.Errorf("error handler saw %v, want one TooLargeError", errs)
	}
	if after := values(b.Cookies(srv.URL)); !maps.Equal(after, before) {
		t.Errorf("the jar changed: before %v, after %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
	}

	want := summary(false, appData{Count: 1, Blob: blob(4000)}, nil) + " cookies=session,session~2"
	expectPage(t, b.Navigate(srv.URL+"/read"), http.StatusOK, want)
}
