package e2e

// A browser test of the __Host- prefix against a cookie planted by a
// sibling subdomain: "\u2000__Host-session" is, to Chromium, a cookie of
// another name, with none of the prefix's rules, so a page on any
// subdomain, over plain HTTP, can set it for the parent domain. The store
// must never read it as its own __Host-session.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
)

// prefixApp is an app on a __Host- store: /login?user=U logs U in,
// /whoami answers "user=U new=B err=E".
func prefixApp(t *testing.T) http.Handler {
	t.Helper()
	store, err := cookiesession.New[proxyData](cookiesession.Options{Name: hostPrefixName, Keys: [][]byte{proxyKey}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		store.Get(r).Data.User = r.URL.Query().Get("user")
		fmt.Fprint(w, "logged in")
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		fmt.Fprintf(w, "user=%s new=%v err=%v", s.Data.User, s.IsNew(), s.Err())
	})
	return store.Middleware(mux)
}

// TestPlantedUnicodeSpacePrefixIgnored: the attacker logs in to the app
// as himself, and a page of his on evil.example.test (plain HTTP) plants
// his genuine value as "\u2000__Host-session" for example.test. On
// app.example.test (HTTPS) the app must not see the attacker's session,
// alone or beside the victim's own __Host-session.
func TestPlantedUnicodeSpacePrefixIgnored(t *testing.T) {
	app := prefixApp(t)
	// The attacker's own genuine session value, as the app gave it to him.
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest("GET", "https://app.example.test/login?user=mallory", nil))
	pair, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")
	attacker, ok := strings.CutPrefix(pair, hostPrefixName+"=")
	if !ok {
		t.Fatalf("no session for the attacker: %q", rec.Header()["Set-Cookie"])
	}
	planted := "\u2000" + hostPrefixName
	evil := NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<script>document.cookie = "%s=%s; Domain=example.test; Path=/";</script>planted`, planted, attacker)
	}))
	srv := NewTLSServer(t, app)
	b := NewBrowser(t, WithIgnoreCertErrors(), mapTestHosts())
	appURL := onHost(t, srv.URL, "app.example.test")

	b.Navigate(onHost(t, evil.URL, "evil.example.test") + "/plant")
	c, ok := FindCookie(b.AllCookies(), planted)
	if !ok || c.Domain != ".example.test" || c.Secure {
		t.Fatalf("Chromium did not store the planted cookie for .example.test: %+v; jar: %q", c, CookieNames(b.AllCookies()))
	}
	if _, ok := b.Cookie(appURL, planted); !ok {
		t.Fatalf("Chromium would not send the planted cookie to %s", appURL)
	}
	expectProxyPage(t, b.Navigate(appURL+"/whoami"), http.StatusOK, "user= new=true err=<nil>")

	expectProxyPage(t, b.Navigate(appURL+"/login?user=alice"), http.StatusOK, "logged in")
	if _, ok := b.Cookie(appURL, hostPrefixName); !ok {
		t.Fatalf("Chromium did not store the victim's %s; jar: %q", hostPrefixName, CookieNames(b.AllCookies()))
	}
	if _, ok := b.Cookie(appURL, planted); !ok {
		t.Fatalf("the planted cookie is gone after the login")
	}
	expectProxyPage(t, b.Navigate(appURL+"/whoami"), http.StatusOK, "user=alice new=false err=<nil>")
}
