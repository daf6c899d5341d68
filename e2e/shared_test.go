package e2e

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/format"
)

// One encrypted session shared by a Go server and an Express server (the
// JavaScript package in ../js) behind one origin: a small reverse proxy
// sends /express/ to Node and /go/ to the Go store, and a real Chromium
// logs in on Express, changes data in Go, and logs out in Express, with
// chunked sessions and a key rotation on both sides.

// sharedKey returns a fixed master key that looks random.
func sharedKey(b byte) []byte { k := sha256.Sum256([]byte{'k', b}); return k[:] }

// requireJSPackage skips the test without node or the built package (and
// its dev dependencies), or fails it when CI=true.
func requireJSPackage(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "js"))
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join(dir, "dist", "esm", "express.js")); err != nil {
		missing = "the JavaScript package is not built"
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules", "express")); err != nil {
		missing = "js/node_modules is not installed"
	}
	if missing != "" {
		msg := missing + ": the shared-session test runs Express with ../js; run `cd js && npm ci && npm run build`"
		if inCI() {
			t.Fatal(msg + " (CI=true: this test must not be skipped)")
		}
		t.Skip(msg)
	}
	return dir
}

// startExpress starts js/test/fixtures/shared-express.mjs with keys and
// returns its base URL; it stops when the test ends.
func startExpress(t *testing.T, dir string, keys ...[]byte) *url.URL {
	t.Helper()
	var enc []string
	for _, k := range keys {
		enc = append(enc, base64.RawURLEncoding.EncodeToString(k))
	}
	cmd := exec.Command("node", filepath.Join("test", "fixtures", "shared-express.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COOKIESESSION_KEYS="+strings.Join(enc, ","), "COOKIESESSION_MAX_CHUNKS=4")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
	})
	first := make(chan string, 1) // the app's first line: "ready PORT"
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		first <- strings.TrimSpace(line)
		io.Copy(io.Discard, out)
	}()
	var line string
	select {
	case line = <-first:
	case <-time.After(20 * time.Second):
	}
	port, ok := strings.CutPrefix(line, "ready ")
	if !ok {
		t.Fatalf("shared-express.mjs did not start within 20s (first line %q)", line)
	}
	u, _ := url.Parse("http://127.0.0.1:" + port)
	return u
}

// sharedView is what both servers answer.
type sharedView struct {
	User    *string `json:"user"`
	Visits  int     `json:"visits"`
	Blob    int     `json:"blob"`
	Subject *string `json:"subject"`
}

// goSide is the Go half: its store can be swapped (key rotation).
type goSide struct {
	store atomic.Pointer[cookiesession.Store[cookiesession.Map]]
}

func (g *goSide) use(t *testing.T, keys ...[]byte) {
	t.Helper()
	s, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: keys, Name: "sid", MaxChunks: 4, MaxTotalBytes: 16384, MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	g.store.Store(s)
}

func (g *goSide) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	store := g.store.Load()
	store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		switch r.URL.Path {
		case "/go/visit":
			n, _ := s.Data.Int("visits") // a number Express or Go wrote
			s.Data["visits"] = n + 1
		case "/go/big":
			n, _ := strconv.Atoi(r.URL.Query().Get("n"))
			s.Data["blob"] = strings.Repeat("y", n)
		}
		v := sharedView{Subject: nil}
		if u, ok := s.Data["user"].(string); ok {
			v.User = &u
		}
		if sub := s.Subject(); sub != "" {
			v.Subject = &sub
		}
		visits, _ := s.Data.Int("visits") // the int64 stored above, or the cookie's
		v.Visits = int(visits)
		if b, ok := s.Data["blob"].(string); ok {
			v.Blob = len(b)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	})).ServeHTTP(w, r)
}

func TestSharedSessionGoExpress(t *testing.T) {
	dir := requireJSPackage(t)
	b := NewBrowser(t)
	k1, k2 := sharedKey(1), sharedKey(2)

	var node atomic.Pointer[url.URL]
	node.Store(startExpress(t, dir, k1))
	var gs goSide
	gs.use(t, k1)
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(node.Load())
		r.Out.Host = r.In.Host
	}}
	mux := http.NewServeMux()
	mux.Handle("/express/", proxy)
	mux.Handle("/go/", &gs)
	srv := NewServer(t, mux)

	step := func(path string, want sharedView) *Page {
		t.Helper()
		p := b.Navigate(srv.URL + path)
		if p.Status != 200 || len(p.BlockedCookies) != 0 {
			t.Fatalf("%s: status %d, blocked %+v: %s", path, p.Status, p.BlockedCookies, p.Body)
		}
		var got sharedView
		if err := json.Unmarshal([]byte(p.Body), &got); err != nil {
			t.Fatalf("%s: %v: %s", path, err, p.Body)
		}
		if g, w := show(got), show(want); g != w {
			t.Fatalf("%s: got %s, want %s", path, g, w)
		}
		return p
	}
	names := func() string { return strings.Join(CookieNames(b.Cookies(srv.URL)), " ") }
	keyOf := func() format.KeyID {
		var value string // the chunks joined
		for i := 1; ; i++ {
			name := "sid"
			if i > 1 {
				name += "~" + strconv.Itoa(i)
			}
			c, ok := b.Cookie(srv.URL, name)
			if !ok {
				break
			}
			value += c.Value
		}
		h, err := format.ParseHeader(value)
		if err != nil {
			t.Fatal(err)
		}
		return h.KeyID
	}
	ada := "ada"

	// Log in on Express; Go sees the user; Go counts a visit; Express sees it.
	step("/express/login?user=ada", sharedView{User: &ada, Subject: &ada})
	if c, _ := b.Cookie(srv.URL, "sid"); !c.HTTPOnly || c.SameSite != "Lax" || c.Session {
		t.Fatalf("Express's cookie in Chromium: %+v", c)
	}
	step("/go/whoami", sharedView{User: &ada, Subject: &ada})
	step("/go/visit", sharedView{User: &ada, Visits: 1, Subject: &ada})
	step("/express/whoami", sharedView{User: &ada, Visits: 1, Subject: &ada})

	// Chunked both ways: Go writes 3 cookies, Express reads them; Express
	// shrinks the session to one cookie and deletes the other two; Express
	// writes 3, Go reads them.
	step("/go/big?n=9000", sharedView{User: &ada, Visits: 1, Blob: 9000, Subject: &ada})
	if n := names(); n != "sid sid~2 sid~3" {
		t.Fatalf("after Go's chunked save the jar holds %q", n)
	}
	step("/express/whoami", sharedView{User: &ada, Visits: 1, Blob: 9000, Subject: &ada})
	step("/express/big?n=10", sharedView{User: &ada, Visits: 1, Blob: 10, Subject: &ada})
	if n := names(); n != "sid" {
		t.Fatalf("after Express shrank the session the jar holds %q", n)
	}
	step("/express/big?n=9000", sharedView{User: &ada, Visits: 1, Blob: 9000, Subject: &ada})
	if n := names(); n != "sid sid~2 sid~3" {
		t.Fatalf("after Express's chunked save the jar holds %q", n)
	}
	step("/go/visit", sharedView{User: &ada, Visits: 2, Blob: 9000, Subject: &ada})

	// Key rotation: both sides get k2 first, k1 still opens. Express
	// re-seals the session under k2 when it reads it; then k1 goes, and the
	// session lives on, on both sides.
	c1, _ := format.NewCodec(0, false, k1)
	c2, _ := format.NewCodec(0, false, k2)
	if keyOf() != c1.KeyID(0) {
		t.Fatal("the session is not sealed under k1 before the rotation")
	}
	node.Store(startExpress(t, dir, k2, k1))
	gs.use(t, k2, k1)
	step("/express/whoami", sharedView{User: &ada, Visits: 2, Blob: 9000, Subject: &ada})
	if keyOf() != c2.KeyID(0) {
		t.Fatal("Express did not re-seal the session under the new key")
	}
	node.Store(startExpress(t, dir, k2))
	gs.use(t, k2)
	step("/go/visit", sharedView{User: &ada, Visits: 3, Blob: 9000, Subject: &ada})
	step("/express/whoami", sharedView{User: &ada, Visits: 3, Blob: 9000, Subject: &ada})

	// Log out on Express: every chunk goes, and Go sees no session.
	p := b.Navigate(srv.URL + "/express/logout")
	if p.Status != 200 {
		t.Fatalf("logout: %d %s", p.Status, p.Body)
	}
	if n := names(); n != "" {
		t.Fatalf("after logout the jar holds %q", n)
	}
	step("/go/whoami", sharedView{})
}

// show formats a view for comparison.
func show(v sharedView) string {
	s := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	return fmt.Sprintf("user=%s visits=%d blob=%d subject=%s", s(v.User), v.Visits, v.Blob, s(v.Subject))
}
