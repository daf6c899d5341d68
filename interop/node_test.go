package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// profiles configures the cookie-session middlewares of express/app.js,
// one per path prefix.
var profiles = map[string]map[string]any{
	"v2":     {"keys": []string{"k-current"}},
	"v2old":  {"keys": []string{"k-old"}},
	"v2rot":  {"keys": []string{"k-current", "k-old"}},
	"secret": {"secret": "a secret given as `secret`", "name": "sec"},
	"sha256": {"keys": []string{"k-256"}, "sha256": true, "name": "s256"},
	"custom": {"keys": []string{"k-custom"}, "name": "my.app-sess_1"},
	"v1":     {"version": 1, "keys": []string{"k-v1"}},
	"sealed": {"sealed": true, "name": "sealed", "keys": b64(roundTripKeys...)}, // the JavaScript package's middleware
}

// expressServer is the running Node.js process, shared by the tests.
var expressServer struct {
	once sync.Once
	base string
	cmd  *exec.Cmd
	in   io.Closer
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if s := &expressServer; s.cmd != nil {
		s.in.Close() // the app exits when its stdin closes
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			s.cmd.Process.Kill()
		}
	}
	os.Exit(code)
}

// requireNode skips the test when Node.js or the npm packages are missing,
// or fails it when CI=true.
func requireNode(t *testing.T) {
	t.Helper()
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join("node_modules", "cookie-session", "package.json")); err != nil {
		missing = "interop/node_modules is not installed"
	}
	if missing == "" {
		return
	}
	msg := missing + ": the Express interop tests need Node.js and the locked npm packages; run `cd interop && npm ci`"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: these tests must not be skipped)")
	}
	t.Skip(msg)
}

// express returns the base URL of the Express test server, starting it on
// first use.
func express(t *testing.T) string {
	t.Helper()
	requireNode(t)
	s := &expressServer
	s.once.Do(func() {
		cfg, _ := json.Marshal(profiles)
		cmd := exec.Command("node", filepath.Join("express", "app.js"), "0")
		cmd.Env = append(os.Environ(), "INTEROP_PROFILES="+string(cfg))
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			s.err = err
			return
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			s.err = err
			return
		}
		if err := cmd.Start(); err != nil {
			s.err = err
			return
		}
		s.cmd, s.in = cmd, in
		ready := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if port, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
					ready <- port
				}
			}
		}()
		select {
		case port := <-ready:
			s.base = "http://127.0.0.1:" + port
		case <-time.After(20 * time.Second):
			s.err = fmt.Errorf("express/app.js printed no ready line within 20s")
		}
	})
	if s.err != nil {
		t.Fatalf("starting the Express test server: %v", s.err)
	}
	return s.base
}

// jar holds cookies by name, in the order they were first set, the way a
// browser replays them for one path. Set-Cookie lines are parsed by hand:
// net/http refuses names such as "express:sess".
type jar struct {
	names  []string
	values map[string]string
}

func newJar() *jar { return &jar{values: map[string]string{}} }

func (j *jar) set(name, value string) {
	if _, ok := j.values[name]; !ok {
		j.names = append(j.names, name)
	}
	j.values[name] = value
}

func (j *jar) del(name string) {
	if _, ok := j.values[name]; !ok {
		return
	}
	delete(j.values, name)
	for i, n := range j.names {
		if n == name {
			j.names = append(j.names[:i], j.names[i+1:]...)
			break
		}
	}
}

// update applies Set-Cookie lines: a past expiry or Max-Age<=0 deletes.
func (j *jar) update(lines []string) {
	for _, l := range lines {
		pair, attrs, _ := strings.Cut(l, ";")
		name, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
		if expiresLine(attrs) {
			j.del(name)
		} else {
			j.set(name, value)
		}
	}
}

// expiresLine reports whether a Set-Cookie line's attributes delete it.
func expiresLine(attrs string) bool {
	for _, a := range strings.Split(attrs, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(a), "=")
		switch strings.ToLower(k) {
		case "max-age":
			if strings.HasPrefix(v, "-") || v == "0" {
				return true
			}
		case "expires":
			if t, err := http.ParseTime(v); err == nil && t.Before(time.Now()) {
				return true
			}
		}
	}
	return false
}

func (j *jar) header() string {
	parts := make([]string, 0, len(j.names))
	for _, n := range j.names {
		parts = append(parts, n+"="+j.values[n])
	}
	return strings.Join(parts, "; ")
}

func (j *jar) clone() *jar {
	c := newJar()
	for _, n := range j.names {
		c.set(n, j.values[n])
	}
	return c
}

// call sends one request to the Express server with j's cookies, updates
// j from the response and returns the body.
func call(t *testing.T, j *jar, method, path string, body any) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if raw, ok := body.(json.RawMessage); ok {
			b = raw
		}
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, express(t)+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if h := j.header(); h != "" {
		req.Header.Set("Cookie", h)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %s: %s", method, path, resp.Status, out)
	}
	j.update(resp.Header["Set-Cookie"])
	return out
}

// expressSet makes Express issue a session holding js, into a new jar.
func expressSet(t *testing.T, profile, js string) *jar {
	t.Helper()
	j := newJar()
	call(t, j, "POST", "/"+profile+"/set", json.RawMessage(js))
	if len(j.names) != 2 {
		t.Fatalf("Express set %d cookies: %v", len(j.names), j.names)
	}
	return j
}

// expressGet returns what Express sees as the session for j's cookies.
func expressGet(t *testing.T, profile string, j *jar) (isNew bool, session json.RawMessage) {
	t.Helper()
	var out struct {
		IsNew   bool            `json:"isNew"`
		Session json.RawMessage `json:"session"`
	}
	if err := json.Unmarshal(call(t, j, "GET", "/"+profile+"/get", nil), &out); err != nil {
		t.Fatal(err)
	}
	return out.IsNew, out.Session
}

// expressSign returns the keygrip signature the profile makes of data.
func expressSign(t *testing.T, profile, data string) string {
	t.Helper()
	return string(call(t, newJar(), "GET", "/"+profile+"/sign?data="+url.QueryEscape(data), nil))
}

// goServe sends one request with j's cookies through store's middleware,
// lets fn use the session, applies the response's Set-Cookie lines to j
// and returns them.
func goServe[T any](t *testing.T, store *cookiesession.Store[T], j *jar, fn func(*cookiesession.Session[T])) []string {
	t.Helper()
	h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fn(store.Get(r))
	}))
	r := httptest.NewRequest("GET", "http://127.0.0.1/", nil)
	r.RemoteAddr = "127.0.0.1:50000"
	if hd := j.header(); hd != "" {
		r.Header.Set("Cookie", hd)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != 200 {
		t.Fatalf("Go store answered %d: %s", rec.Code, rec.Body)
	}
	lines := rec.Result().Header["Set-Cookie"]
	j.update(lines)
	return lines
}

// sameJSON fails unless a and b hold the same JSON value, numbers compared
// by their text.
func sameJSON(t *testing.T, what string, a, b []byte) {
	t.Helper()
	va, err := decodeNumbers(a)
	if err != nil {
		t.Fatalf("%s: %s: %v", what, a, err)
	}
	vb, err := decodeNumbers(b)
	if err != nil {
		t.Fatalf("%s: %s: %v", what, b, err)
	}
	if !reflect.DeepEqual(va, vb) {
		t.Fatalf("%s differ:\n%s\n%s", what, a, b)
	}
}

func decodeNumbers(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// lineNames returns the cookie names Set-Cookie lines set and delete.
func lineNames(lines []string) (set, deleted []string) {
	for _, l := range lines {
		pair, attrs, _ := strings.Cut(l, ";")
		name, _, _ := strings.Cut(pair, "=")
		if expiresLine(attrs) {
			deleted = append(deleted, name)
		} else {
			set = append(set, name)
		}
	}
	sort.Strings(set)
	sort.Strings(deleted)
	return set, deleted
}
