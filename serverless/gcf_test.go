package serverless_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/serverless"
)

// gcfCall sends one request to the functions framework's server with the
// jar's cookies, as a browser would, and stores what it sets.
func gcfCall(t *testing.T, base string, req request, j *jar) response {
	t.Helper()
	target := base + req.path
	if req.query != "" {
		target += "?" + req.query
	}
	r, err := http.NewRequest(req.method, target, strings.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range j.lines() {
		r.Header.Add("Cookie", line)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	out := response{resp.StatusCode, resp.Header.Values("Set-Cookie"), string(body)}
	j.apply(t, out.setCookies)
	return out
}

// TestCloudFunctionsFramework runs the function (package gcf) on the
// functions framework's local server over loopback HTTP: sign in, three
// chunks, read back, and an Express upgrade.
func TestCloudFunctionsFramework(t *testing.T) {
	bin := build(t, "./cmd/gcf", "gcf")
	addr := freePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "FUNCTION_TARGET=Session", "LOCAL_ONLY=true", "PORT="+addr[strings.LastIndex(addr, ":")+1:],
		serverless.EnvKeys+"="+newKey(t), serverless.EnvExpressKeys+"="+expressSecret)
	start(t, cmd)
	waitListening(t, addr)
	base := "http://" + addr

	j := newJar()
	if resp := gcfCall(t, base, request{"POST", "/login", "user=ada", ""}, j); resp.status != http.StatusOK || j.chunks() != 1 {
		t.Fatalf("login: %d %q", resp.status, resp.body)
	}
	var notes []string
	for i := 0; j.chunks() < 3; i++ {
		if i == 20 {
			t.Fatalf("still %d chunks", j.chunks())
		}
		notes = append(notes, note(800))
		if resp := gcfCall(t, base, request{"POST", "/note", "", notes[len(notes)-1]}, j); resp.status != http.StatusOK || len(resp.setCookies) != j.chunks() {
			t.Fatalf("note %d: %d, %d Set-Cookie lines", i, resp.status, len(resp.setCookies))
		}
	}
	st := state(t, gcfCall(t, base, request{"GET", "/", "", ""}, j))
	if st.New || st.User != "ada" || !slices.Equal(st.Notes, notes) {
		t.Fatalf("read back: new %v, err %q, user %q, %d notes", st.New, st.Err, st.User, len(st.Notes))
	}

	legacy := newJar()
	v, sig := expressCookies("session", expressSecret, map[string]any{"user": "alice"})
	legacy.set("session", v)
	legacy.set("session.sig", sig)
	if st := state(t, gcfCall(t, base, request{"GET", "/", "", ""}, legacy)); st.User != "alice" {
		t.Fatalf("Express session read as %+v", st)
	}
	if len(legacy.names) != 1 || legacy.chunks() != 1 {
		t.Fatalf("after the upgrade the browser holds %v", legacy.names)
	}
}
