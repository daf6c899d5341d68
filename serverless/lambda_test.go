package serverless_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cookiesession/cookiesession/serverless"
)

const (
	sessionName   = "__Host-session"
	expressSecret = "express secret"
)

// jar is the browser's cookie store for one site: names in the order they
// were first set, as the browser sends them.
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

func (j *jar) remove(name string) {
	delete(j.values, name)
	j.names = slices.DeleteFunc(j.names, func(n string) bool { return n == name })
}

// apply stores the Set-Cookie lines as a browser does.
func (j *jar) apply(t testing.TB, lines []string) {
	t.Helper()
	for _, line := range lines {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", line, err)
		}
		if strings.HasPrefix(c.Name, "__Host-") && (!c.Secure || c.Path != "/" || c.Domain != "") {
			t.Fatalf("the browser refuses %q: a __Host- cookie needs Secure, Path=/ and no Domain", line)
		}
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			j.remove(c.Name)
			continue
		}
		j.set(c.Name, c.Value)
	}
}

// lines is the Cookie header the browser sends: one line.
func (j *jar) lines() []string {
	if len(j.names) == 0 {
		return nil
	}
	pairs := make([]string, len(j.names))
	for i, n := range j.names {
		pairs[i] = n + "=" + j.values[n]
	}
	return []string{strings.Join(pairs, "; ")}
}

// chunks counts the session's cookies in the jar.
func (j *jar) chunks() int {
	n := 0
	for _, name := range j.names {
		if name == sessionName || strings.HasPrefix(name, sessionName+"~") {
			n++
		}
	}
	return n
}

func newKey(t testing.TB) string {
	k := make([]byte, 32)
	rand.Read(k)
	return base64.RawURLEncoding.EncodeToString(k)
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func mustHandler(t testing.TB, p serverless.Platform, e map[string]string) http.Handler {
	t.Helper()
	h, err := serverless.NewHandler(p, env(e))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func state(t *testing.T, resp response) serverless.State {
	t.Helper()
	var st serverless.State
	if resp.status != http.StatusOK || json.Unmarshal([]byte(resp.body), &st) != nil {
		t.Fatalf("GET /: status %d, body %q", resp.status, resp.body)
	}
	return st
}

func note(n int) string {
	b := make([]byte, n/2)
	rand.Read(b)
	return hex.EncodeToString(b) // incompressible, like most real data
}

// TestLambdaPlatforms signs in, grows the session across three cookies,
// carries the cookies back in the next event as each platform does, and
// reads the session intact; then upgrades an Express cookie-session
// session, whose expiry lines must reach the browser.
func TestLambdaPlatforms(t *testing.T) {
	for _, pl := range platforms() {
		t.Run(pl.name, func(t *testing.T) {
			h := pl.adapter(mustHandler(t, pl.p, map[string]string{
				serverless.EnvKeys: newKey(t), serverless.EnvExpressKeys: expressSecret,
			}))
			t.Run("ThreeChunks", func(t *testing.T) { threeChunks(t, pl, h) })
			t.Run("ExpressUpgrade", func(t *testing.T) { expressUpgrade(t, pl, h) })
		})
	}
}

func threeChunks(t *testing.T, pl platform, h lambda.Handler) {
	j := newJar()
	resp, err := invoke(t, pl, h, request{"POST", "/login", "user=ada", ""}, j)
	if err != nil || resp.status != http.StatusOK || j.chunks() != 1 {
		t.Fatalf("login: %v, status %d, %d session cookies", err, resp.status, j.chunks())
	}
	var notes []string
	for i := 0; j.chunks() < 3; i++ {
		if i == 20 {
			t.Fatalf("20 notes and still %d chunks", j.chunks())
		}
		notes = append(notes, note(800))
		resp, err = invoke(t, pl, h, request{"POST", "/note", "", notes[len(notes)-1]}, j)
		if err != nil || resp.status != http.StatusOK {
			t.Fatalf("note %d: %v, status %d: %s", i, err, resp.status, resp.body)
		}
		// Every save writes each chunk it needs (the request carried no
		// more, so there is nothing to delete). All must reach the browser.
		if len(resp.setCookies) != j.chunks() {
			t.Fatalf("note %d: %d Set-Cookie lines reached the browser, want %d: %q", i, len(resp.setCookies), j.chunks(), resp.setCookies)
		}
	}
	st := state(t, must(invoke(t, pl, h, request{"GET", "/", "", ""}, j)))
	if st.New || st.Err != "" || st.User != "ada" || !slices.Equal(st.Notes, notes) {
		t.Fatalf("session read back: new %v, err %q, user %q, %d of %d notes", st.New, st.Err, st.User, len(st.Notes), len(notes))
	}
	t.Logf("%d notes in %d cookies, Cookie header %d bytes", len(notes), j.chunks(), len(j.lines()[0]))
}

// expressCookies are the two cookies Express cookie-session 2 sets for data.
func expressCookies(name, secret string, data any) (value, sig string) {
	js, _ := json.Marshal(data)
	value = base64.StdEncoding.EncodeToString(js)
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(name + "=" + value))
	return value, base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func expressUpgrade(t *testing.T, pl platform, h lambda.Handler) {
	j := newJar()
	v, sig := expressCookies("session", expressSecret, map[string]any{"user": "alice", "visits": 7})
	j.set("session", v)
	j.set("session.sig", sig)
	resp := must(invoke(t, pl, h, request{"GET", "/", "", ""}, j))
	if st := state(t, resp); st.User != "alice" || st.Visits != 7 {
		t.Fatalf("Express session read as %+v", st)
	}
	expired := 0
	for _, line := range resp.setCookies {
		if c, _ := http.ParseSetCookie(line); c != nil && (c.Name == "session" || c.Name == "session.sig") && c.MaxAge < 0 {
			expired++
		}
	}
	if expired != 2 || j.chunks() != 1 {
		t.Fatalf("upgrade: %d of 2 legacy cookies expired, %d session cookies; lines %q", expired, j.chunks(), resp.setCookies)
	}
	if _, left := j.values["session"]; left || len(j.names) != 1 {
		t.Fatalf("the browser still holds %v", j.names)
	}
	resp = must(invoke(t, pl, h, request{"GET", "/", "", ""}, j))
	if st := state(t, resp); st.New || st.User != "alice" || len(resp.setCookies) != 0 {
		t.Fatalf("after the upgrade: %+v, Set-Cookie %q", st, resp.setCookies)
	}
}

func must(resp response, err error) response {
	if err != nil {
		panic(err)
	}
	return resp
}

// TestRESTHeadersOnlyLosesCookieLines: a browser on HTTP/2 may send each
// cookie on its own header line (RFC 9113 §8.2.3). A REST API event's
// headers keep only the last line; the adapter reads multiValueHeaders when
// present. Fed headers only, the session is rejected with a reason (the
// chunk count is authenticated), not read truncated.
func TestRESTHeadersOnlyLosesCookieLines(t *testing.T) {
	all := platforms()
	multi, single := all[0], all[1]
	h := multi.adapter(mustHandler(t, serverless.RESTAPI, map[string]string{serverless.EnvKeys: newKey(t)}))
	j := newJar()
	must(invoke(t, multi, h, request{"POST", "/login", "user=ada", ""}, j))
	for j.chunks() < 3 {
		must(invoke(t, multi, h, request{"POST", "/note", "", note(800)}, j))
	}
	crumbs := strings.Split(j.lines()[0], "; ")
	for _, pl := range []platform{multi, single} {
		payload, _ := json.Marshal(pl.event(request{"GET", "/", "", ""}, crumbs))
		raw, err := h.Invoke(t.Context(), payload)
		if err != nil {
			t.Fatal(err)
		}
		st := state(t, pl.deliver(t, raw))
		switch {
		case pl.name == multi.name && (st.New || st.User != "ada"):
			t.Fatalf("%s: %+v", pl.name, st)
		case pl.name == single.name && (!st.New || !strings.Contains(st.Err, "inconsistent")):
			t.Fatalf("%s: want a rejected session with ErrChunks, got new %v err %q", pl.name, st.New, st.Err)
		}
	}
}
