package e2e

// The browser harness. Every helper here takes the test's testing.TB and
// fails (or skips) the test itself, so a test reads as a plain script:
//
//	b := NewBrowser(t)
//	srv := NewServer(t, handler)
//	page := b.Navigate(srv.URL + "/")
//	c, ok := b.Cookie(srv.URL, "session")
//
// The helpers call t.Fatal, so call them from the test's own goroutine.
//
// Things to know when writing a test:
//   - Each NewBrowser starts its own Chromium with a fresh profile, so tests
//     never share cookies. They may run in parallel, but each browser is
//     several processes and up to a second of start-up: keep it modest.
//   - Cookies do not depend on the port: two servers on 127.0.0.1 in one test
//     share one cookie jar, as they would in any browser.
//   - The HTTP cache is disabled, so each Navigate reaches the server.
//   - Every browser action is bounded by a timeout (DefaultActionTimeout), so
//     a hung browser fails the test instead of hanging the run.
//   - Page.BlockedCookies tells why Chromium refused a Set-Cookie line; log
//     it when a cookie is unexpectedly missing from the jar.
//   - Browser.Context gives the raw chromedp context for anything else.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
)

const (
	// DefaultActionTimeout bounds one browser action (a navigation, a
	// cookie read, a screenshot). Override it per browser with
	// WithActionTimeout.
	DefaultActionTimeout = 20 * time.Second

	// startTimeout bounds the start of the browser process and its first
	// tab.
	startTimeout = 30 * time.Second

	// stopTimeout bounds how long the test's cleanup waits for the browser
	// to exit.
	stopTimeout = 15 * time.Second

	// outputTail is how much of the browser's own output is kept to be
	// logged when a test fails.
	outputTail = 16 << 10
)

// installHint is printed when no browser is found.
const installHint = "install Chromium (Debian/Ubuntu: apt-get install chromium) " +
	"or set CHROMIUM to the path of a Chromium or Chrome binary"

// Where ChromiumPath looks when CHROMIUM is not set (variables so the
// harness's own tests can hide an installed browser).
var (
	defaultChromium = "/usr/bin/chromium"
	chromiumNames   = []string{"chromium", "chromium-browser", "google-chrome"}
)

// inCI reports whether the environment says this run is CI (CI=true, or any
// other value strconv.ParseBool accepts as true). In CI a missing browser is
// a failure, never a skip.
func inCI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

// ChromiumPath returns the browser binary to drive: $CHROMIUM when set, else
// /usr/bin/chromium, else the first of chromium, chromium-browser and
// google-chrome found in PATH. When none exists the test is skipped with a
// message that says how to install one, except with CI=true where it fails:
// CI must never pass by skipping the browser tests. A CHROMIUM that does not
// name an executable file always fails the test: it is a configuration error,
// not a missing browser.
func ChromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		if !isExecutable(p) {
			t.Fatalf("CHROMIUM=%q is not an executable file", p)
		}
		return p
	}
	if isExecutable(defaultChromium) {
		return defaultChromium
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if inCI() {
		t.Fatalf("no Chromium found and CI=true, so the browser tests cannot be skipped: %s", installHint)
	}
	t.Skipf("skipping browser test: no Chromium found: %s", installHint)
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// BrowserOption configures NewBrowser.
type BrowserOption func(*browserConfig)

type browserConfig struct {
	flags         []chromedp.ExecAllocatorOption
	actionTimeout time.Duration
}

// WithIgnoreCertErrors starts the browser with --ignore-certificate-errors,
// so it accepts the self-signed certificates of httptest.NewTLSServer (see
// NewTLSServer).
func WithIgnoreCertErrors() BrowserOption {
	return WithFlag("ignore-certificate-errors", true)
}

// WithFlag adds a command-line flag: a bool flag is passed as --name when
// true (false removes a default flag), a string as --name=value. Use it for
// flags such as proxy-server or host-resolver-rules.
func WithFlag(name string, value any) BrowserOption {
	return func(c *browserConfig) {
		c.flags = append(c.flags, chromedp.Flag(name, value))
	}
}

// WithActionTimeout replaces DefaultActionTimeout for this browser.
func WithActionTimeout(d time.Duration) BrowserOption {
	return func(c *browserConfig) { c.actionTimeout = d }
}

// Browser is one headless Chromium process with one tab, owned by a test.
// It is stopped, and its profile removed, when the test ends.
type Browser struct {
	t       testing.TB
	ctx     context.Context // the tab's chromedp context
	timeout time.Duration
	output  *tailBuffer
}

// NewBrowser starts a headless Chromium for the test (see ChromiumPath for how
// it is found, and when the test is skipped instead). Its flags are
// --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
// --disable-background-networking --disable-component-update --disable-sync
// --disable-dev-shm-usage with a fresh --user-data-dir under t.TempDir(),
// plus what the options add. The browser is stopped in t.Cleanup; if the test
// failed, the browser's own output is logged then.
func NewBrowser(t testing.TB, opts ...BrowserOption) *Browser {
	t.Helper()
	bin := ChromiumPath(t)
	cfg := browserConfig{actionTimeout: DefaultActionTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	// TempDir first: cleanups run last-registered first, so the browser
	// below is stopped before its profile directory is removed.
	profile := t.TempDir()
	out := &tailBuffer{max: outputTail}

	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(out),
	}
	flags = append(flags, cfg.flags...)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &Browser{t: t, ctx: ctx, timeout: cfg.actionTimeout, output: out}

	t.Cleanup(func() {
		if t.Failed() {
			if s := out.String(); s != "" {
				t.Logf("browser output (last %d bytes at most):\n%s", outputTail, s)
			}
		}
		done := make(chan struct{})
		go func() {
			cancelTab()
			cancelAlloc()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(stopTimeout):
			t.Errorf("browser did not exit within %v of being stopped", stopTimeout)
		}
	})

	// The first action starts the process. chromedp ties the browser's life
	// to the context of that first call, so it cannot carry a timeout; a
	// watchdog cancels the browser instead if the start hangs.
	watchdog := time.AfterFunc(startTimeout, cancelAlloc)
	err := chromedp.Do(ctx)
	stopped := !watchdog.Stop()
	if err != nil {
		if stopped {
			t.Fatalf("starting %s: no tab within %v: %v\nbrowser output:\n%s", bin, startTimeout, err, out.String())
		}
		t.Fatalf("starting %s: %v\nbrowser output:\n%s", bin, err, out.String())
	}
	if _, err := b.call(func(ctx context.Context) (any, error) {
		return chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
	}); err != nil {
		t.Fatalf("disabling the browser cache: %v", err)
	}
	return b
}

// Context returns the tab's chromedp context, for actions the harness has no
// helper for. Bound each use with context.WithTimeout; do not cancel it.
func (b *Browser) Context() context.Context { return b.ctx }

// call runs f with a context bounded by the action timeout.
func (b *Browser) call(f func(ctx context.Context) (any, error)) (any, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	v, err := f(ctx)
	return v, b.explain(err)
}

// explain says so when err is the action timeout.
func (b *Browser) explain(err error) error {
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("browser did not answer within %v: %w", b.timeout, err)
	}
	return err
}

// Page is what one top-level navigation returned.
type Page struct {
	// URL is the final URL, after redirects.
	URL string
	// Status and StatusText are those of the final response.
	Status     int
	StatusText string
	// Header holds the final response's headers as the browser received
	// them, Set-Cookie included, one value per header line.
	Header http.Header
	// Body is the final response's body, exactly as received (not the
	// rendered text).
	Body string
	// BlockedCookies lists the Set-Cookie lines of the navigation (every
	// redirect hop included) that Chromium refused to store, with its
	// reasons, such as "NameValuePairExceedsMaxSize" or "SecureOnly".
	BlockedCookies []BlockedCookie
}

// SetCookies returns the final response's Set-Cookie lines, one per cookie.
func (p *Page) SetCookies() []string { return p.Header.Values("Set-Cookie") }

// BlockedCookie is a Set-Cookie line Chromium refused to store.
type BlockedCookie struct {
	// Name is the cookie's name when Chromium could parse the line.
	Name string
	// Line is the Set-Cookie line as received.
	Line string
	// Reasons are the protocol's SetCookieBlockedReason values.
	Reasons []string
}

// Navigate loads url in the tab, waits for the page to load and returns the
// final response. It fails the test when the navigation fails (connection
// refused, TLS error, timeout); an HTTP error status is not a failure. A
// response that does not commit a page (204, a download) makes Navigate
// wait until the action timeout. A URL without a network response
// (about:blank, data:) gives a Page with only URL set.
func (b *Browser) Navigate(url string) *Page {
	b.t.Helper()
	p, err := b.navigate(url)
	if err = b.explain(err); err != nil {
		b.t.Fatalf("navigating to %s: %v", url, err)
	}
	return p
}

func (b *Browser) navigate(url string) (*Page, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()

	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return nil, fmt.Errorf("reading the frame tree: %w", err)
	}
	top := tree.FrameTree.Frame.ID

	// Watch the network events of the navigation: the document's request
	// id (to fetch its body) and the cookies Chromium blocked. The
	// listener runs on chromedp's reader goroutine, hence the lock.
	var (
		mu       sync.Mutex
		docID    network.RequestID
		docResp  *network.Response
		extra    bool
		blocked  = map[network.RequestID][]BlockedCookie{}
		extraFor = map[network.RequestID]network.Headers{}
	)
	lctx, stopListening := context.WithCancel(ctx)
	defer stopListening()
	err = chromedp.Listen(lctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument && ev.FrameID == top {
				docID, docResp, extra = ev.RequestID, ev.Response, ev.HasExtraInfo
			}
		case *network.EventResponseReceivedExtraInfo:
			extraFor[ev.RequestID] = ev.Headers // the last hop's come last
			for _, bc := range ev.BlockedCookies {
				c := BlockedCookie{Line: bc.CookieLine}
				if bc.Cookie != nil {
					c.Name = bc.Cookie.Name
				}
				for _, r := range bc.BlockedReasons {
					c.Reasons = append(c.Reasons, string(r))
				}
				blocked[ev.RequestID] = append(blocked[ev.RequestID], c)
			}
		}
	})
	if err != nil {
		return nil, err
	}

	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		return nil, err
	}

	// The extra-info event (which carries the blocked cookies) may trail
	// the response; wait briefly for it when the browser announced one.
	for deadline := time.Now().Add(2 * time.Second); ; {
		mu.Lock()
		_, seen := extraFor[docID]
		ready := docID == "" || !extra || seen
		mu.Unlock()
		if ready || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopListening()

	mu.Lock()
	id, final, blockedCookies, rawHeaders := docID, docResp, blocked[docID], extraFor[docID]
	mu.Unlock()
	if final == nil {
		final = resp
	}
	if final == nil { // about:blank, data: URLs
		loc, err := chromedp.Run(ctx, chromedp.Location())
		return &Page{URL: loc, Header: http.Header{}}, err
	}
	p := &Page{
		URL:            final.URL,
		Status:         int(final.Status),
		StatusText:     final.StatusText,
		Header:         http.Header{},
		BlockedCookies: blockedCookies,
	}
	// The raw headers of the extra-info event include Set-Cookie, which
	// the response event leaves out. Both join repeated headers with "\n".
	headers := rawHeaders
	if headers == nil {
		headers = final.Headers
	}
	for k, v := range headers {
		for _, line := range strings.Split(fmt.Sprint(v), "\n") {
			p.Header.Add(k, line)
		}
	}
	if id != "" {
		body, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
		if err != nil {
			return nil, fmt.Errorf("reading the response body: %w", err)
		}
		p.Body = string(body.Body)
	}
	return p, nil
}

// Cookie is one cookie of the browser's jar, as the DevTools protocol
// reports it.
type Cookie struct {
	Name  string
	Value string
	// Size is Chromium's size of the cookie: len(Name) + len(Value).
	Size     int
	Domain   string
	Path     string
	Secure   bool
	HTTPOnly bool
	// SameSite is "Strict", "Lax", "None" or "" when the attribute was
	// not set.
	SameSite string
	// Expires is the expiry time; zero for a session cookie.
	Expires time.Time
	// Session reports a cookie without Expires/Max-Age, dropped when the
	// browser closes.
	Session bool
}

func fromProtocol(cs []*network.Cookie) []Cookie {
	out := make([]Cookie, 0, len(cs))
	for _, c := range cs {
		k := Cookie{
			Name:     c.Name,
			Value:    c.Value,
			Size:     int(c.Size),
			Domain:   c.Domain,
			Path:     c.Path,
			Secure:   c.Secure,
			HTTPOnly: c.HTTPOnly,
			SameSite: string(c.SameSite),
			Session:  c.Session,
		}
		if !c.Session && c.Expires > 0 {
			sec := int64(c.Expires)
			k.Expires = time.Unix(sec, int64((c.Expires-float64(sec))*1e9))
		}
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Cookie) int {
		return strings.Compare(a.Name+"\x00"+a.Domain+"\x00"+a.Path, b.Name+"\x00"+b.Domain+"\x00"+b.Path)
	})
	return out
}

// Cookies returns the cookies the browser would send to url (matching
// domain, path and Secure), sorted by name. With no argument it returns those
// of the page that is loaded now.
func (b *Browser) Cookies(urls ...string) []Cookie {
	b.t.Helper()
	res, err := b.call(func(ctx context.Context) (any, error) {
		return chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: urls})
	})
	if err != nil {
		b.t.Fatalf("reading the cookies of %v: %v", urls, err)
	}
	return fromProtocol(res.(network.GetCookiesResult).Cookies)
}

// AllCookies returns every cookie of the browser's jar, whatever its
// domain or path, sorted by name.
func (b *Browser) AllCookies() []Cookie {
	b.t.Helper()
	res, err := b.call(func(ctx context.Context) (any, error) {
		return chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{})
	})
	if err != nil {
		b.t.Fatalf("reading the cookie jar: %v", err)
	}
	return fromProtocol(res.(storage.GetCookiesResult).Cookies)
}

// Cookie returns the cookie called name that the browser would send to url.
func (b *Browser) Cookie(url, name string) (Cookie, bool) {
	b.t.Helper()
	return FindCookie(b.Cookies(url), name)
}

// FindCookie returns the first cookie called name.
func FindCookie(cs []Cookie, name string) (Cookie, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c, true
		}
	}
	return Cookie{}, false
}

// CookieNames returns the names of cs, in order.
func CookieNames(cs []Cookie) []string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return names
}

// ClearCookies empties the browser's cookie jar.
func (b *Browser) ClearCookies() {
	b.t.Helper()
	if _, err := b.call(func(ctx context.Context) (any, error) {
		return chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
	}); err != nil {
		b.t.Fatalf("clearing the cookies: %v", err)
	}
}

// SetExtraHeaders makes the tab send these headers with every later request
// (Network.setExtraHTTPHeaders), for instance X-Forwarded-Proto. Each call
// replaces the previous set; an empty map removes them.
func (b *Browser) SetExtraHeaders(h map[string]string) {
	b.t.Helper()
	hdr := network.Headers{}
	for k, v := range h {
		hdr[k] = v
	}
	if _, err := b.call(func(ctx context.Context) (any, error) {
		return chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: hdr})
	}); err != nil {
		b.t.Fatalf("setting extra headers: %v", err)
	}
}

// Screenshot writes a PNG of the tab's viewport to path.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	png, err := b.call(func(ctx context.Context) (any, error) {
		return chromedp.Run(ctx, chromedp.CaptureScreenshot())
	})
	if err != nil {
		b.t.Fatalf("taking a screenshot: %v", err)
	}
	if err := os.WriteFile(path, png.([]byte), 0o644); err != nil {
		b.t.Fatalf("writing the screenshot: %v", err)
	}
}

// NewServer starts an httptest server for h on 127.0.0.1 and closes it when
// the test ends.
func NewServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// NewTLSServer starts an HTTPS httptest server for h on 127.0.0.1 and closes
// it when the test ends. Its certificate is self-signed: drive it with a
// browser made with WithIgnoreCertErrors.
func NewTLSServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// tailBuffer keeps the last max bytes written to it. The browser's output
// goroutine writes while a test may read, hence the lock.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if extra := w.buf.Len() - w.max; extra > 0 {
		w.buf.Next(extra)
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
