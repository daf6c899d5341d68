package e2e

// Tests of the harness itself, with plain handlers and no cookiesession code:
// if these fail, the browser or the harness is broken, not the library.

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHarnessSmoke checks every harness helper against one Chromium: a cookie
// set by a plain handler shows in the jar with its attributes and is sent
// back, a cookie Chromium refuses is reported as blocked, extra headers reach
// the server, expired cookies leave the jar, and screenshots work.
func TestHarnessSmoke(t *testing.T) {
	b := NewBrowser(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "smoke", Value: "hello", Path: "/", MaxAge: 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.SetCookie(w, &http.Cookie{Name: "plain", Value: "v", Path: "/"})
		// __Host- requires Secure: Chromium must refuse this one.
		w.Header().Add("Set-Cookie", "__Host-bad=1; Path=/")
		fmt.Fprint(w, "set")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "cookie=%s\nx-test=%s\n", r.Header.Get("Cookie"), r.Header.Get("X-Test"))
	})
	mux.HandleFunc("/clear", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "smoke", Path: "/", MaxAge: -1})
		http.SetCookie(w, &http.Cookie{Name: "plain", Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, "<!doctype html><title>cleared</title><h1>cleared</h1>")
	})
	srv := NewServer(t, mux)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("server URL %s is not on 127.0.0.1", srv.URL)
	}

	p := b.Navigate(srv.URL + "/set")
	if p.Status != http.StatusOK || p.Body != "set" {
		t.Fatalf("/set: status %d body %q, want 200 %q", p.Status, p.Body, "set")
	}
	if got := len(p.SetCookies()); got != 3 {
		t.Errorf("/set: %d Set-Cookie lines seen by the browser, want 3: %q", got, p.SetCookies())
	}
	if len(p.BlockedCookies) != 1 || !strings.HasPrefix(p.BlockedCookies[0].Line, "__Host-bad=") {
		t.Errorf("blocked cookies = %+v, want only __Host-bad", p.BlockedCookies)
	} else if r := p.BlockedCookies[0].Reasons; len(r) == 0 || r[0] != "InvalidPrefix" {
		t.Errorf("__Host-bad blocked for %v, want InvalidPrefix", r)
	}

	jar := b.Cookies(srv.URL)
	if names := strings.Join(CookieNames(jar), ","); names != "plain,smoke" {
		t.Fatalf("jar holds %q, want plain,smoke", names)
	}
	c, _ := FindCookie(jar, "smoke")
	if c.Value != "hello" || c.Size != len("smoke")+len("hello") || c.Domain != "127.0.0.1" || c.Path != "/" ||
		!c.HTTPOnly || c.Secure || c.SameSite != "Lax" || c.Session {
		t.Errorf("smoke cookie in the jar = %+v", c)
	}
	if d := time.Until(c.Expires); d < 3500*time.Second || d > 3700*time.Second {
		t.Errorf("smoke cookie expires in %v, want about 1h", d)
	}
	if plain, _ := FindCookie(jar, "plain"); !plain.Session || !plain.Expires.IsZero() {
		t.Errorf("plain cookie = %+v, want a session cookie", plain)
	}
	if all := b.AllCookies(); len(all) != 2 {
		t.Errorf("AllCookies = %v, want the 2 cookies", CookieNames(all))
	}

	b.SetExtraHeaders(map[string]string{"X-Test": "extra"})
	p = b.Navigate(srv.URL + "/echo")
	want := "cookie=plain=v; smoke=hello\nx-test=extra\n"
	if p.Body != want && p.Body != "cookie=smoke=hello; plain=v\nx-test=extra\n" {
		t.Errorf("/echo body %q, want %q (cookies in either order)", p.Body, want)
	}
	b.SetExtraHeaders(nil)
	if p = b.Navigate(srv.URL + "/echo"); !strings.Contains(p.Body, "x-test=\n") {
		t.Errorf("extra header still sent after clearing: %q", p.Body)
	}

	p = b.Navigate(srv.URL + "/clear")
	if p.Status != http.StatusTeapot {
		t.Errorf("/clear status %d, want %d", p.Status, http.StatusTeapot)
	}
	if jar := b.Cookies(srv.URL); len(jar) != 0 {
		t.Errorf("jar after expiry holds %v", CookieNames(jar))
	}

	shot := filepath.Join(t.TempDir(), "page.png")
	b.Screenshot(shot)
	png, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 1000 {
		t.Errorf("screenshot: %d bytes, err %v, want a PNG", len(png), err)
	}
}

// TestHarnessTLS checks that WithIgnoreCertErrors lets the browser load a
// self-signed httptest TLS server and store a Secure cookie from it.
func TestHarnessTLS(t *testing.T) {
	b := NewBrowser(t, WithIgnoreCertErrors())
	srv := NewTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "tls", Value: "yes", Path: "/", Secure: true, SameSite: http.SameSiteStrictMode})
		fmt.Fprintf(w, "tls=%v", r.TLS != nil)
	}))
	p := b.Navigate(srv.URL + "/")
	if p.Status != http.StatusOK || p.Body != "tls=true" {
		t.Fatalf("status %d body %q", p.Status, p.Body)
	}
	c, ok := b.Cookie(srv.URL, "tls")
	if !ok || !c.Secure || c.SameSite != "Strict" {
		t.Errorf("tls cookie = %+v (found %v), want Secure SameSite=Strict", c, ok)
	}
}

// fakeTB records the first Fatalf or Skipf of ChromiumPath and stops it.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	panic(f)
}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skip = fmt.Sprintf(format, args...)
	panic(f)
}

func chromiumPathWith(f *fakeTB) (path string) {
	defer func() {
		if r := recover(); r != nil && r != any(f) {
			panic(r)
		}
	}()
	return ChromiumPath(f)
}

// TestChromiumPathMissing checks that a missing browser skips the test with
// an install hint, but fails it with CI=true, and that a wrong CHROMIUM
// fails it.
func TestChromiumPathMissing(t *testing.T) {
	oldDefault := defaultChromium
	oldNames := chromiumNames
	t.Cleanup(func() { defaultChromium, chromiumNames = oldDefault, oldNames })
	defaultChromium = filepath.Join(t.TempDir(), "no-such-chromium")
	chromiumNames = []string{"no-such-chromium-in-path"}
	t.Setenv("CHROMIUM", "")

	t.Setenv("CI", "")
	f := &fakeTB{}
	chromiumPathWith(f)
	if f.fatal != "" || !strings.Contains(f.skip, "apt-get install chromium") {
		t.Errorf("without CI: fatal %q, skip %q; want a skip with the install hint", f.fatal, f.skip)
	}

	t.Setenv("CI", "true")
	f = &fakeTB{}
	chromiumPathWith(f)
	if f.skip != "" || !strings.Contains(f.fatal, "CI=true") {
		t.Errorf("with CI=true: fatal %q, skip %q; want a failure", f.fatal, f.skip)
	}

	t.Setenv("CI", "")
	t.Setenv("CHROMIUM", defaultChromium)
	f = &fakeTB{}
	chromiumPathWith(f)
	if f.fatal == "" {
		t.Errorf("CHROMIUM naming a missing file did not fail (skip %q)", f.skip)
	}
}

// TestHarnessActionTimeout checks that a page that never answers fails the
// navigation after the action timeout instead of hanging the test run.
func TestHarnessActionTimeout(t *testing.T) {
	b := NewBrowser(t, WithActionTimeout(time.Second))
	release := make(chan struct{})
	srv := NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	start := time.Now()
	_, err := b.navigate(srv.URL + "/hang")
	err = b.explain(err)
	if err == nil || !strings.Contains(err.Error(), "did not answer within 1s") {
		t.Errorf("navigating to a hung page: err = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the timeout took %v", d)
	}
}
