package e2e

// Browser tests of the Secure attribute behind proxies (docs/PROXIES.md):
// what Chromium stores when the app is reached over HTTPS directly, through
// a TLS-terminating reverse proxy, and when the browser itself sends a
// forged X-Forwarded-Proto.

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
)

// proxyKey is a fixed master key for the proxy tests.
var proxyKey = func() []byte { k := sha256.Sum256([]byte("cookiesession e2e proxy key")); return k[:] }()

// hostPrefixName is the recommended production cookie name.
const hostPrefixName = "__Host-session"

// proxyData is the session data of the proxy test application.
type proxyData struct {
	User string `json:"user"`
}

// proxyApp is a small application on one store, and the errors its error
// handler saw.
type proxyApp struct {
	store *cookiesession.Store[proxyData]
	mu    sync.Mutex
	errs  []error
}

// newProxyApp returns the application for a store made with o (Keys filled
// in when empty; Secure left as given). Its routes, through the store's
// middleware:
//
//	/login   sets User to "alice" and answers "logged in"
//	/whoami  answers "user=U new=B tls=B xfp=V", V being the
//	         X-Forwarded-Proto header the app received
//
// The error handler answers 500 with "not saved: " and the error.
func newProxyApp(t *testing.T, o cookiesession.Options) *proxyApp {
	t.Helper()
	if o.Keys == nil {
		o.Keys = [][]byte{proxyKey}
	}
	a := &proxyApp{}
	o.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		a.mu.Lock()
		a.errs = append(a.errs, err)
		a.mu.Unlock()
		http.Error(w, "not saved: "+err.Error(), http.StatusInternalServerError)
	}
	store, err := cookiesession.New[proxyData](o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.store = store
	return a
}

func (a *proxyApp) seenErrors() []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.errs)
}

func (a *proxyApp) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		a.store.Get(r).Data.User = "alice"
		fmt.Fprint(w, "logged in")
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		s := a.store.Get(r)
		fmt.Fprintf(w, "user=%s new=%v tls=%v xfp=%s", s.Data.User, s.IsNew(), r.TLS != nil, r.Header.Get("X-Forwarded-Proto"))
	})
	return a.store.Middleware(mux)
}

// tlsTerminator is an HTTPS front for the plain-HTTP server at target, the
// way a load balancer terminates TLS: it forwards the browser's Host and
// sets X-Forwarded-For and X-Forwarded-Proto from its own connection
// (discarding whatever the browser sent).
func tlsTerminator(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	front := NewTLSServer(t, &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
	})
	return front.URL
}

// onHost returns the URL srvURL (http(s)://127.0.0.1:port) with the host
// name replaced by host, which the browser maps to 127.0.0.1 (see
// mapTestHosts). A name that is not loopback makes the browser, and the
// library, treat the origin as a remote site.
func onHost(t *testing.T, srvURL, host string) string {
	t.Helper()
	u, err := url.Parse(srvURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = host + ":" + u.Port()
	return u.String()
}

// mapTestHosts resolves every *.test name to 127.0.0.1 in the browser.
func mapTestHosts() BrowserOption {
	return WithFlag("host-resolver-rules", "MAP *.test 127.0.0.1")
}

// hasAttr reports whether a Set-Cookie line carries the attribute attr.
func hasAttr(line, attr string) bool {
	for _, part := range strings.Split(line, ";") {
		if strings.EqualFold(strings.TrimSpace(part), attr) {
			return true
		}
	}
	return false
}

// TestProxyHostPrefixOverHTTPS: an app served over HTTPS itself sets a
// __Host- session with Secure, Path=/ and no Domain; Chromium stores it
// and sends it back.
func TestProxyHostPrefixOverHTTPS(t *testing.T) {
	b := NewBrowser(t, WithIgnoreCertErrors())
	srv := NewTLSServer(t, newProxyApp(t, cookiesession.Options{Name: hostPrefixName}).handler())

	p := b.Navigate(srv.URL + "/login")
	expectProxyPage(t, p, http.StatusOK, "logged in")
	lines := p.SetCookies()
	if len(lines) != 1 || !strings.HasPrefix(lines[0], hostPrefixName+"=") || !hasAttr(lines[0], "Secure") ||
		!hasAttr(lines[0], "Path=/") || strings.Contains(strings.ToLower(lines[0]), "domain=") {
		t.Fatalf("Set-Cookie = %q, want one %s line with Secure, Path=/ and no Domain", lines, hostPrefixName)
	}
	c, ok := b.Cookie(srv.URL, hostPrefixName)
	if !ok {
		t.Fatalf("Chromium did not store %s; jar: %v", hostPrefixName, CookieNames(b.AllCookies()))
	}
	if !c.Secure || c.Path != "/" || c.Domain != "127.0.0.1" || !c.HTTPOnly {
		t.Errorf("stored cookie %+v, want Secure, Path /, host-only 127.0.0.1, HttpOnly", c)
	}
	expectProxyPage(t, b.Navigate(srv.URL+"/whoami"), http.StatusOK, "user=alice new=false tls=true xfp=")
}

// TestProxyTLSTerminatingReverseProxy: the browser talks HTTPS to a reverse
// proxy that forwards plain HTTP to the app. Trusting the proxy gives a
// Secure cookie that Chromium stores and sends back through the proxy; not
// trusting it gives ErrInsecureRequest for a __Host- name, and a cookie
// without Secure under SecureAuto.
func TestProxyTLSTerminatingReverseProxy(t *testing.T) {
	tests := []struct {
		name       string
		opts       cookiesession.Options
		cookie     string
		wantStatus int
		wantSecure bool
	}{
		{"__Host- name, proxy trusted",
			cookiesession.Options{Name: hostPrefixName, TrustedProxies: []string{"loopback"}},
			hostPrefixName, http.StatusOK, true},
		{"SecureAlways, proxy trusted by address",
			cookiesession.Options{Secure: cookiesession.SecureAlways, TrustedProxies: []string{"127.0.0.1"}},
			bounds.DefaultName, http.StatusOK, true},
		{"SecureAuto, proxy trusted",
			cookiesession.Options{TrustedProxies: []string{"loopback"}},
			bounds.DefaultName, http.StatusOK, true},
		{"SecureAuto, proxy not trusted",
			cookiesession.Options{TrustedProxies: []string{"10.0.0.0/8"}},
			bounds.DefaultName, http.StatusOK, false},
		{"__Host- name, proxy not trusted",
			cookiesession.Options{Name: hostPrefixName, TrustedProxies: []string{"10.0.0.0/8"}},
			hostPrefixName, http.StatusInternalServerError, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBrowser(t, WithIgnoreCertErrors(), mapTestHosts())
			a := newProxyApp(t, tc.opts)
			appSrv := NewServer(t, a.handler())
			site := onHost(t, tlsTerminator(t, appSrv.URL), "app.test")

			p := b.Navigate(site + "/login")
			if p.Status != tc.wantStatus {
				t.Fatalf("/login: status %d body %q, want %d", p.Status, p.Body, tc.wantStatus)
			}
			if len(p.BlockedCookies) != 0 {
				t.Fatalf("Chromium blocked %+v", p.BlockedCookies)
			}
			if tc.wantStatus != http.StatusOK {
				errs := a.seenErrors()
				if len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrInsecureRequest) ||
					!strings.Contains(errs[0].Error(), "is not in Options.TrustedProxies") {
					t.Errorf("errors %v, want one ErrInsecureRequest naming TrustedProxies", errs)
				}
				if lines := p.SetCookies(); len(lines) != 0 {
					t.Errorf("Set-Cookie %q on the error response", lines)
				}
				if jar := b.AllCookies(); len(jar) != 0 {
					t.Errorf("jar holds %v after the refused save", CookieNames(jar))
				}
				return
			}
			if errs := a.seenErrors(); len(errs) != 0 {
				t.Fatalf("errors %v", errs)
			}
			lines := p.SetCookies()
			if len(lines) != 1 || hasAttr(lines[0], "Secure") != tc.wantSecure {
				t.Fatalf("Set-Cookie %q, want one line, Secure %v", lines, tc.wantSecure)
			}
			c, ok := b.Cookie(site, tc.cookie)
			if !ok {
				t.Fatalf("Chromium did not store %s; jar: %v", tc.cookie, CookieNames(b.AllCookies()))
			}
			if c.Secure != tc.wantSecure || c.Domain != "app.test" {
				t.Errorf("stored cookie %+v, want Secure %v on app.test", c, tc.wantSecure)
			}
			// The app saw plain HTTP and the proxy's header; the session
			// comes back through the proxy.
			expectProxyPage(t, b.Navigate(site+"/whoami"), http.StatusOK, "user=alice new=false tls=false xfp=https")
		})
	}
}

// TestProxyForgedForwardedProto: the browser itself sends X-Forwarded-Proto:
// https (and a Forwarded element) over plain HTTP, straight to an app that
// trusts only 10.0.0.0/8. The headers reach the app but are not believed:
// SecureAuto sets no Secure, and a __Host- name is refused with
// ErrInsecureRequest. The control shows what believing them would do: with
// "loopback" trusted, the app sets a Secure cookie over plain HTTP and
// Chromium drops it.
func TestProxyForgedForwardedProto(t *testing.T) {
	forged := map[string]string{"X-Forwarded-Proto": "https", "Forwarded": "for=10.0.0.1;proto=https"}
	tests := []struct {
		name        string
		opts        cookiesession.Options
		cookie      string
		wantStatus  int
		wantBlocked bool // Chromium refuses the cookie as SecureOnly
	}{
		{"SecureAuto ignores the forged headers",
			cookiesession.Options{TrustedProxies: []string{"10.0.0.0/8"}},
			bounds.DefaultName, http.StatusOK, false},
		{"__Host- name is refused",
			cookiesession.Options{Name: hostPrefixName, TrustedProxies: []string{"10.0.0.0/8"}},
			hostPrefixName, http.StatusInternalServerError, false},
		{"control: trusting the browser's address believes them",
			cookiesession.Options{TrustedProxies: []string{"loopback"}},
			bounds.DefaultName, http.StatusOK, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBrowser(t, mapTestHosts())
			a := newProxyApp(t, tc.opts)
			site := onHost(t, NewServer(t, a.handler()).URL, "app.test")
			b.SetExtraHeaders(forged)

			p := b.Navigate(site + "/login")
			if p.Status != tc.wantStatus {
				t.Fatalf("/login: status %d body %q, want %d", p.Status, p.Body, tc.wantStatus)
			}
			switch {
			case tc.wantStatus != http.StatusOK:
				errs := a.seenErrors()
				if len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrInsecureRequest) ||
					!strings.Contains(errs[0].Error(), "127.0.0.1 came over plain HTTP (its forwarding headers are not believed: the peer is not in Options.TrustedProxies)") {
					t.Errorf("errors %v, want one ErrInsecureRequest naming the untrusted peer", errs)
				}
				if lines := p.SetCookies(); len(lines) != 0 {
					t.Errorf("Set-Cookie %q on the error response", lines)
				}
			case tc.wantBlocked:
				lines := p.SetCookies()
				if len(lines) != 1 || !hasAttr(lines[0], "Secure") {
					t.Fatalf("Set-Cookie %q, want one Secure line", lines)
				}
				if len(p.BlockedCookies) != 1 || !slices.Contains(p.BlockedCookies[0].Reasons, "SecureOnly") {
					t.Errorf("blocked cookies %+v, want the session blocked as SecureOnly", p.BlockedCookies)
				}
			default:
				lines := p.SetCookies()
				if len(lines) != 1 || hasAttr(lines[0], "Secure") {
					t.Fatalf("Set-Cookie %q, want one line without Secure", lines)
				}
				if len(p.BlockedCookies) != 0 {
					t.Errorf("Chromium blocked %+v", p.BlockedCookies)
				}
				c, ok := b.Cookie(site, tc.cookie)
				if !ok || c.Secure {
					t.Fatalf("stored cookie %+v (found %v), want one without Secure", c, ok)
				}
				// Proof that the forged header did reach the app.
				expectProxyPage(t, b.Navigate(site+"/whoami"), http.StatusOK, "user=alice new=false tls=false xfp=https")
				return
			}
			if jar := b.AllCookies(); len(jar) != 0 {
				t.Errorf("jar holds %v", CookieNames(jar))
			}
		})
	}
}

// TestProxyLoopbackOriginAcceptsSecure checks the premise of the loopback
// exception: over plain HTTP to 127.0.0.1 and to localhost, Chromium stores
// the Secure cookie that SecureAlways or a __Host- name produces, so the
// library sets it instead of returning ErrInsecureRequest.
func TestProxyLoopbackOriginAcceptsSecure(t *testing.T) {
	for _, tc := range []struct {
		name, host string
		opts       cookiesession.Options
		cookie     string
	}{
		{"SecureAlways on 127.0.0.1", "127.0.0.1", cookiesession.Options{Secure: cookiesession.SecureAlways}, bounds.DefaultName},
		{"__Host- on 127.0.0.1", "127.0.0.1", cookiesession.Options{Name: hostPrefixName}, hostPrefixName},
		{"__Host- on localhost", "localhost", cookiesession.Options{Name: hostPrefixName}, hostPrefixName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBrowser(t)
			a := newProxyApp(t, tc.opts)
			site := onHost(t, NewServer(t, a.handler()).URL, tc.host)
			p := b.Navigate(site + "/login")
			expectProxyPage(t, p, http.StatusOK, "logged in")
			if lines := p.SetCookies(); len(lines) != 1 || !hasAttr(lines[0], "Secure") {
				t.Fatalf("Set-Cookie %q, want one Secure line", lines)
			}
			if c, ok := b.Cookie(site, tc.cookie); !ok || !c.Secure {
				t.Fatalf("stored cookie %+v (found %v), want a Secure cookie; jar: %v", c, ok, CookieNames(b.AllCookies()))
			}
			expectProxyPage(t, b.Navigate(site+"/whoami"), http.StatusOK, "user=alice new=false tls=false xfp=")
		})
	}
}

// expectProxyPage fails the test unless the page has the status and body
// and Chromium blocked no cookie.
func expectProxyPage(t *testing.T, p *Page, status int, body string) {
	t.Helper()
	if p.Status != status || p.Body != body {
		t.Fatalf("%s: status %d body %q, want %d %q", p.URL, p.Status, p.Body, status, body)
	}
	if len(p.BlockedCookies) != 0 {
		t.Errorf("%s: Chromium blocked cookies: %+v", p.URL, p.BlockedCookies)
	}
}
