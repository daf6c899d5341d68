package e2e

// A browser test of the demo web app: a user's clicks through its real forms,
// checked against what the page shows and what Chromium keeps in its jar.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/demo"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
)

// demoView is what a demo page shows, read from its DOM. A field is empty
// when the page has no such element.
type demoView struct {
	Title   string       `json:"title"`
	Counter string       `json:"counter"`
	User    string       `json:"user"`
	Notes   string       `json:"notes"`
	Chunks  string       `json:"chunks"`
	JSON    string       `json:"json"`
	Message string       `json:"message"`
	Reject  string       `json:"reject"`
	Error   string       `json:"error"`
	Back    bool         `json:"back"`
	Rows    []demoCookie `json:"rows"`
	// Events is the #events table: each tr.event's data-kind and the
	// count its cell shows.
	Events map[string]int `json:"events"`
}

// demoCookie is one tr.cookie row of the page's #sizes table.
type demoCookie struct {
	Name  string `json:"name"`
	Bytes int    `json:"bytes"`
}

// demoReadJS reads a demoView from the page.
const demoReadJS = `(() => {
	const text = id => { const e = document.getElementById(id); return e ? e.textContent.trim() : ""; };
	return {
		title: document.title,
		counter: text("counter"), user: text("user"), notes: text("notes"),
		chunks: text("chunks"), json: text("session-json"),
		message: text("message"), reject: text("reject"), error: text("error"),
		back: document.getElementById("back") !== null,
		rows: [...document.querySelectorAll("#sizes tr.cookie")].map(r => ({name: r.dataset.name, bytes: Number(r.dataset.bytes)})),
		events: Object.fromEntries([...document.querySelectorAll("#events tr.event")].map(r => [r.dataset.kind, Number(r.querySelector("td.n").textContent)])),
	};
})()`

// demoData is the session data as the page's #session-json shows it.
type demoData struct {
	Counter int      `json:"counter"`
	User    string   `json:"user"`
	Notes   []string `json:"notes"`
}

// demoDriver clicks through the demo in one browser tab.
type demoDriver struct {
	t   *testing.T
	b   *Browser
	url string // the server's base URL, without the trailing slash
}

// click waits for the element with the id to be visible and clicks it like a
// user would, then waits for the page the click leads to. It returns the
// final response of that navigation (after redirects).
func (d *demoDriver) click(id string) *network.Response {
	d.t.Helper()
	v, err := d.b.call(func(ctx context.Context) (any, error) {
		resp, err := chromedp.RunResponse(ctx,
			chromedp.WaitVisible(chromedp.ID(id)),
			chromedp.Click(chromedp.ID(id)),
		)
		if err != nil {
			return nil, err
		}
		return resp, chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("body")))
	})
	if err != nil {
		d.t.Fatalf("clicking #%s: %v", id, err)
	}
	resp := v.(*network.Response)
	if resp == nil {
		d.t.Fatalf("clicking #%s: no response", id)
	}
	return resp
}

// clickOK clicks the element, expects to land on the page after the
// post/redirect/get, and returns what the page shows.
func (d *demoDriver) clickOK(id string) demoView {
	d.t.Helper()
	resp := d.click(id)
	if want := d.url + "/"; resp.Status != http.StatusOK || resp.URL != want {
		d.t.Fatalf("after clicking #%s: %d %s, want 200 %s", id, resp.Status, resp.URL, want)
	}
	return d.read()
}

// typeInto types text into the field with the id.
func (d *demoDriver) typeInto(id, text string) {
	d.t.Helper()
	if _, err := d.b.call(func(ctx context.Context) (any, error) {
		return nil, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.ID(id)),
			chromedp.SendKeys(chromedp.ID(id), text),
		)
	}); err != nil {
		d.t.Fatalf("typing into #%s: %v", id, err)
	}
}

// reload reloads the page and waits for it.
func (d *demoDriver) reload() {
	d.t.Helper()
	if _, err := d.b.call(func(ctx context.Context) (any, error) {
		return nil, chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("body")))
	}); err != nil {
		d.t.Fatalf("reloading: %v", err)
	}
}

// read returns what the page loaded now shows.
func (d *demoDriver) read() demoView {
	d.t.Helper()
	v, err := d.b.call(func(ctx context.Context) (any, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[demoView](demoReadJS))
	})
	if err != nil {
		d.t.Fatalf("reading the page: %v", err)
	}
	return v.(demoView)
}

// data decodes the page's session JSON.
func (d *demoDriver) data(v demoView) demoData {
	d.t.Helper()
	var data demoData
	if err := json.Unmarshal([]byte(v.JSON), &data); err != nil {
		d.t.Fatalf("the page's session JSON %q: %v", v.JSON, err)
	}
	return data
}

// jar returns the browser's cookies for the demo, and checks that they are
// the session's chunks (session, session~2, ...) and exactly the cookies
// that the page says the request carried.
func (d *demoDriver) jar(v demoView) []Cookie {
	d.t.Helper()
	jar := d.b.Cookies(d.url)
	var want []string
	for i := range jar {
		name := bounds.DefaultName
		if i > 0 {
			name += "~" + strconv.Itoa(i+1)
		}
		want = append(want, name)
	}
	if names := CookieNames(jar); !slices.Equal(names, want) {
		d.t.Fatalf("the jar holds %v, want the session's chunks %v", names, want)
	}
	var rows []demoCookie
	for _, c := range jar {
		rows = append(rows, demoCookie{Name: c.Name, Bytes: c.Size})
	}
	if !slices.Equal(v.Rows, rows) {
		d.t.Errorf("the page lists the cookies %+v, the jar holds %+v", v.Rows, rows)
	}
	if v.Chunks != strconv.Itoa(len(jar)) {
		d.t.Errorf("the page shows %q chunks, the jar holds %d cookies", v.Chunks, len(jar))
	}
	return jar
}

// screenshot saves a PNG of the whole page (its full height, at the
// window's width) under dir and logs the path.
func (d *demoDriver) screenshot(dir, name string) {
	d.t.Helper()
	v, err := d.b.call(func(ctx context.Context) (any, error) {
		m, err := chromedp.Call(ctx, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		size := m.CSSContentSize
		if size == nil {
			return nil, fmt.Errorf("the browser gave no content size")
		}
		return chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			CaptureBeyondViewport: new(true),
			FromSurface:           new(true),
			Clip:                  &page.Viewport{Width: size.Width, Height: size.Height, Scale: 1},
		})
	})
	if err != nil {
		d.t.Fatalf("taking a screenshot: %v", err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, v.(page.CaptureScreenshotResult).Data, 0o644); err != nil {
		d.t.Fatalf("writing the screenshot: %v", err)
	}
	d.t.Logf("screenshot: %s", p)
}

// TestDemoClickThrough clicks through the demo's forms in Chromium, with the
// demo's defaults (three chunks of at most 2048 bytes): the counter persists
// across clicks and a reload; adding data grows the session across more
// cookies, which the page lists exactly as the jar holds them; the press
// that exceeds the limits shows the error page and leaves the jar and the
// session as they were; login renews the cookies, and logout and destroy
// leave no cookie at all.
func TestDemoClickThrough(t *testing.T) {
	key := make([]byte, format.MinKeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	h, err := demo.Handler(cookiesession.Options{Keys: [][]byte{key}})
	if err != nil {
		t.Fatalf("demo.Handler: %v", err)
	}
	b := NewBrowser(t)
	srv := NewServer(t, h)
	d := &demoDriver{t: t, b: b, url: srv.URL}
	shots := demoShots(t)

	// A first visit: a new, empty session and no cookie.
	if p := b.Navigate(srv.URL + "/"); p.Status != http.StatusOK {
		t.Fatalf("GET /: status %d", p.Status)
	}
	v := d.read()
	if v.Counter != "0" || v.Chunks != "0" || len(v.Rows) != 0 {
		t.Fatalf("first visit shows counter %q, %q chunks, rows %+v; want an empty session", v.Counter, v.Chunks, v.Rows)
	}
	if all := b.AllCookies(); len(all) != 0 {
		t.Fatalf("a first visit set cookies: %v", CookieNames(all))
	}

	// The counter: each click saves the session, the browser sends it back.
	var last string
	for i := 1; i <= 3; i++ {
		v = d.clickOK("inc")
		if v.Counter != strconv.Itoa(i) || v.Message != "Counter incremented." {
			t.Fatalf("click %d on #inc: counter %q, message %q", i, v.Counter, v.Message)
		}
		jar := d.jar(v)
		if len(jar) != 1 {
			t.Fatalf("click %d on #inc: %d cookies, want one", i, len(jar))
		}
		if jar[0].Value == last {
			t.Errorf("click %d on #inc: the cookie value did not change", i)
		}
		last = jar[0].Value
	}
	d.reload()
	v = d.read()
	if v.Counter != "3" {
		t.Fatalf("after a reload the counter is %q, want 3", v.Counter)
	}
	if jar := d.jar(v); jar[0].Value != last {
		t.Errorf("a reload, which changes nothing, changed the cookie")
	}

	// Adding data: as documented on demo.Handler, the second press splits
	// the session into two cookies and the third into three.
	var notes []string
	for i, wantChunks := range []int{1, 2, 3, 3} {
		v = d.clickOK("add")
		if want := fmt.Sprintf("%d KB", i+1); v.Notes != want || v.Message != "Added 1 KB of data." {
			t.Fatalf("press %d of #add: notes %q, message %q", i+1, v.Notes, v.Message)
		}
		data := d.data(v)
		if data.Counter != 3 || len(data.Notes) != i+1 || !slices.Equal(data.Notes[:i], notes) {
			t.Fatalf("press %d of #add: the session JSON holds counter %d and %d notes, want 3 and the previous notes plus one", i+1, data.Counter, len(data.Notes))
		}
		notes = data.Notes
		if jar := d.jar(v); len(jar) != wantChunks {
			t.Fatalf("press %d of #add: %d cookies, want %d", i+1, len(jar), wantChunks)
		}
	}
	d.screenshot(shots, "demo-page.png")

	// The fifth press exceeds the limits: the error page answers and the
	// browser keeps the previous session, value for value.
	full := v
	before := values(d.jar(full))
	resp := d.click("add")
	if resp.Status != http.StatusInternalServerError || resp.URL != srv.URL+"/add" {
		t.Fatalf("press 5 of #add: %d %s, want 500 %s/add", resp.Status, resp.URL, srv.URL)
	}
	v = d.read()
	if !strings.HasPrefix(v.Title, "500 ") || v.Error == "" || !strings.Contains(v.Error, "previous session is intact") || !v.Back {
		t.Fatalf("press 5 of #add: error page with title %q, #error %q, #back %v", v.Title, v.Error, v.Back)
	}
	t.Logf("error page: %s", v.Error)
	d.screenshot(shots, "demo-error.png")
	if after := values(b.Cookies(srv.URL)); !maps.Equal(after, before) {
		t.Fatalf("the refused save changed the jar: before %v, after %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
	}
	resp = d.click("back")
	if resp.Status != http.StatusOK || resp.URL != srv.URL+"/" {
		t.Fatalf("#back: %d %s, want 200 %s/", resp.Status, resp.URL, srv.URL)
	}
	v = d.read()
	if v.Counter != full.Counter || v.Notes != full.Notes || v.JSON != full.JSON || v.Reject != "" {
		t.Fatalf("back on the page: counter %q, notes %q, reject %q; want the previous session (counter %q, notes %q)", v.Counter, v.Notes, v.Reject, full.Counter, full.Notes)
	}
	if after := values(d.jar(v)); !maps.Equal(after, before) {
		t.Errorf("going back changed the jar")
	}

	// Login renews: the same data under the user, every cookie value new.
	d.typeInto("username", "alice")
	v = d.clickOK("login")
	if v.User != "alice" || !strings.HasPrefix(v.Message, "Logged in.") {
		t.Fatalf("after #login: user %q, message %q", v.User, v.Message)
	}
	if data := d.data(v); data.User != "alice" || data.Counter != 3 || !slices.Equal(data.Notes, notes) {
		t.Errorf("after #login the session JSON holds user %q, counter %d, %d notes; want alice, 3 and the same notes", data.User, data.Counter, len(data.Notes))
	}
	renewed := d.jar(v)
	if len(renewed) != len(before) {
		t.Errorf("after #login: %d cookies, want %d", len(renewed), len(before))
	}
	for _, c := range renewed {
		if c.Value == before[c.Name] {
			t.Errorf("after #login the cookie %s kept its value", c.Name)
		}
	}

	// Logout revokes and destroys the session; the page reads the flash
	// message, which came in a new session, and ends that one too: no
	// cookie is left in the jar.
	v = d.clickOK("logout")
	if v.Counter != "0" || v.User != "(not logged in)" || !strings.HasPrefix(v.Message, "Logged out: the session's ID is revoked") {
		t.Fatalf("after #logout: counter %q, user %q, message %q", v.Counter, v.User, v.Message)
	}
	if all := b.AllCookies(); len(all) != 0 {
		t.Fatalf("after #logout the jar holds %v", CookieNames(all))
	}

	// Destroy, from a session of two cookies, leaves none either.
	d.clickOK("inc")
	d.clickOK("add")
	v = d.clickOK("add")
	if jar := d.jar(v); len(jar) != 2 {
		t.Fatalf("before #destroy: %d cookies, want 2", len(jar))
	}
	v = d.clickOK("destroy")
	if v.Counter != "0" || !strings.HasPrefix(v.Message, "Session destroyed") {
		t.Fatalf("after #destroy: counter %q, message %q", v.Counter, v.Message)
	}
	if all := b.AllCookies(); len(all) != 0 {
		t.Fatalf("after #destroy the jar holds %v", CookieNames(all))
	}
}

// demoEventKinds are the kinds of lifecycle event the page counts, in its
// order.
var demoEventKinds = []string{"created", "renewed", "destroyed", "resealed", "upgraded", "expired", "size-warning"}

// checkEvents checks that the page's #events table lists every kind, in
// order, with the counts of want (zero for a kind want leaves out).
func (d *demoDriver) checkEvents(step string, v demoView, want map[string]int) {
	d.t.Helper()
	if kinds := slices.Sorted(maps.Keys(v.Events)); !slices.Equal(kinds, slices.Sorted(slices.Values(demoEventKinds))) {
		d.t.Errorf("%s: #events lists %v, want %v", step, kinds, demoEventKinds)
	}
	for _, k := range demoEventKinds {
		if v.Events[k] != want[k] {
			d.t.Errorf("%s: #events shows %d %s, want %d", step, v.Events[k], k, want[k])
		}
	}
}

// newDemo starts the demo with a random key, a browser and a driver for
// them.
func newDemo(t *testing.T, opts ...BrowserOption) *demoDriver {
	t.Helper()
	key := make([]byte, format.MinKeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	h, err := demo.Handler(cookiesession.Options{Keys: [][]byte{key}})
	if err != nil {
		t.Fatalf("demo.Handler: %v", err)
	}
	b := NewBrowser(t, opts...)
	srv := NewServer(t, h)
	return &demoDriver{t: t, b: b, url: srv.URL}
}

// TestDemoEventCounts clicks through the demo and checks the counts of its
// "Session events" table after each step: the first save creates the
// session, the fourth press of "add" passes the size warning, the refused
// fifth counts nothing, login renews, logout destroys (after a new session
// carried its message).
func TestDemoEventCounts(t *testing.T) {
	d := newDemo(t)
	d.b.Navigate(d.url + "/")
	d.checkEvents("first visit", d.read(), nil)

	d.clickOK("inc")
	d.checkEvents("two increments", d.clickOK("inc"), map[string]int{"created": 1})
	for range 3 {
		d.clickOK("add")
	}
	d.checkEvents("three adds", d.read(), map[string]int{"created": 1})
	// Each action saves the session with its flash message and the page
	// saves it again without: two saves past the warning.
	d.checkEvents("four adds", d.clickOK("add"), map[string]int{"created": 1, "size-warning": 2})
	if resp := d.click("add"); resp.Status != http.StatusInternalServerError {
		t.Fatalf("press 5 of #add: status %d, want 500", resp.Status)
	}
	d.click("back")
	d.checkEvents("a refused add", d.read(), map[string]int{"created": 1, "size-warning": 2})

	d.typeInto("username", "alice")
	v := d.clickOK("login")
	d.checkEvents("login", v, map[string]int{"created": 1, "renewed": 1, "size-warning": 4})
	// Log out replaces the session with a new one holding the message
	// (created), which the page destroys once it has read it.
	v = d.clickOK("logout")
	d.checkEvents("logout", v, map[string]int{"created": 2, "renewed": 1, "destroyed": 1, "size-warning": 4})
	d.reload()
	d.checkEvents("a reload", d.read(), map[string]int{"created": 2, "renewed": 1, "destroyed": 1, "size-warning": 4})
}

// demoShots returns the directory for the demo's screenshots:
// $DEMO_SCREENSHOTS when set (to keep them), else a temporary one.
func demoShots(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("DEMO_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// narrowWidth is the viewport width, in CSS pixels, that the demo must fit
// without scrolling sideways.
const narrowWidth = 400

// fitsWidth fails the test when the loaded page is wider than narrowWidth.
func (d *demoDriver) fitsWidth(step string) {
	d.t.Helper()
	v, err := d.b.call(func(ctx context.Context) (any, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	})
	if err != nil {
		d.t.Fatalf("%s: reading the page's width: %v", step, err)
	}
	if w := v.(int); w > narrowWidth {
		d.t.Errorf("%s: the page is %d px wide, more than the %d px viewport", step, w, narrowWidth)
	}
}

// numbersRightAligned checks that the numeric columns of the #sizes and
// #events tables, their headers included, are right-aligned.
func (d *demoDriver) numbersRightAligned() {
	d.t.Helper()
	const js = `[...document.querySelectorAll("#sizes tr > :nth-child(2), #sizes tr > :nth-child(3), #events tr > :nth-child(2)")]
		.filter(c => getComputedStyle(c).textAlign !== "right").map(c => c.closest("table").id + ": " + c.textContent.trim())`
	v, err := d.b.call(func(ctx context.Context) (any, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	})
	if err != nil {
		d.t.Fatalf("reading the tables' alignment: %v", err)
	}
	if cells := v.([]string); len(cells) != 0 {
		d.t.Errorf("numeric cells not right-aligned: %q", cells)
	}
}

// TestDemoNarrowViewport loads the demo in a 400 px wide viewport, with the
// session at its largest (three cookies) and on the error page, and checks
// that neither scrolls sideways. Set DEMO_SCREENSHOTS to keep the
// screenshots.
func TestDemoNarrowViewport(t *testing.T) {
	d := newDemo(t)
	if _, err := d.b.call(func(ctx context.Context) (any, error) {
		return nil, chromedp.Do(ctx, chromedp.EmulateViewport(narrowWidth, 800))
	}); err != nil {
		t.Fatalf("setting the viewport: %v", err)
	}
	shots := demoShots(t)
	d.b.Navigate(d.url + "/")
	d.fitsWidth("first visit")
	d.clickOK("inc")
	d.typeInto("username", "a-rather-long-user-name_32-chars")
	d.clickOK("login")
	var v demoView
	for range 4 {
		v = d.clickOK("add")
	}
	if len(v.Rows) != demo.DefaultMaxChunks {
		t.Fatalf("after four adds the page lists %d cookies, want %d", len(v.Rows), demo.DefaultMaxChunks)
	}
	d.fitsWidth("three cookies")
	d.numbersRightAligned()
	d.screenshot(shots, "demo-page-400.png")
	d.click("add")
	d.fitsWidth("the error page")
	d.screenshot(shots, "demo-error-400.png")
}
