package redisrevoke

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/redistest"
)

// server is a redis-server the test started on a loopback port.
type server struct {
	t    testing.TB
	bin  string
	port int
	dir  string
	cmd  *exec.Cmd
}

// startRedis starts a redis-server without persistence, stopped at the
// test's end, which the test may stop and start again on the same port.
// Without the binary the test skips, or fails when CI=true.
func startRedis(t testing.TB) *server {
	t.Helper()
	bin, port := redistest.Binary(t), redistest.FreePort(t)
	s := &server{t: t, bin: bin, port: port, dir: t.TempDir()}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *server) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// start runs the server and waits until it answers.
func (s *server) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatal("redis-server did not answer within 5s")
		}
	}
}

// stop kills the server, which loses everything (no persistence).
func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// client returns a client of the server, closed at the test's end.
func (s *server) client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.addr(), DialTimeout: time.Second})
	s.t.Cleanup(func() { c.Close() })
	return c
}

// commands returns the server's command counts (INFO commandstats).
func (s *server) commands() map[string]int64 {
	s.t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.addr()})
	defer c.Close()
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[string]int64{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		name, rest, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(rest, "calls="), ",")
		out[strings.TrimPrefix(name, "cmdstat_")], _ = strconv.ParseInt(calls, 10, 64)
	}
	// This function's own connection and commands.
	delete(out, "hello")
	delete(out, "info")
	return out
}

// newList returns a List on s with o (testOptions), closed at the test's end.
func newList(t testing.TB, s *server, o Options) *List {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, err := New(ctx, s.client(), testOptions(t, o))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// testOptions is o with, where it leaves them zero, a MaxAge of an hour
// and errors logged to t.
func testOptions(t testing.TB, o Options) Options {
	o.MaxAge = cmp.Or(o.MaxAge, time.Hour)
	if o.OnError == nil {
		o.OnError = func(err error) { t.Log(err) }
	}
	return o
}

// instance is one machine: a store revoking through its own List, behind
// the store's middleware.
type instance struct {
	store *cookiesession.Store[cookiesession.Map]
	list  *List
	h     http.Handler
}

// testKey is the instances' shared key.
func testKey() []byte { k := sha256.Sum256([]byte("redisrevoke test")); return k[:] }

func newInstance(t testing.TB, l *List) *instance {
	t.Helper()
	return newInstanceAt(t, l, nil)
}

// newInstanceAt is newInstance with a store reading the time from now
// (Options.Now; nil: time.Now).
func newInstanceAt(t testing.TB, l *List, now func() time.Time) *instance {
	t.Helper()
	st, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{testKey()}, MaxAge: time.Hour, Secure: cookiesession.SecureNever, Revocations: l, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{store: st, list: l}
	in.h = st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r)
		if sub := r.URL.Query().Get("login"); sub != "" {
			s.SetSubject(sub)
			s.Data["user"] = sub
		}
		w.Header().Set("X-Session-ID", s.ID())
		if err := s.Err(); err != nil {
			w.Header().Set("X-Session-Err", err.Error())
		}
		user, _ := s.Data["user"].(string)
		fmt.Fprint(w, user)
	}))
	return in
}

// login signs subject in and returns the session cookie and identifier.
func (in *instance) login(t testing.TB, subject string) ([]*http.Cookie, string) {
	t.Helper()
	w := httptest.NewRecorder()
	in.h.ServeHTTP(w, httptest.NewRequest("GET", "/?login="+subject, nil))
	res := w.Result()
	if len(res.Cookies()) == 0 {
		t.Fatal("login set no cookie")
	}
	return res.Cookies(), res.Header.Get("X-Session-ID")
}

// request sends the cookies and returns the user the session holds ("" for
// a new session) and why the cookie was refused, if it was.
func (in *instance) request(cookies []*http.Cookie) (user, refusal string) {
	r := httptest.NewRequest("GET", "/", nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	in.h.ServeHTTP(w, r)
	return w.Body.String(), w.Result().Header.Get("X-Session-Err")
}

// within polls cond every millisecond for up to d and returns how long it
// took to hold, or fails.
func within(t testing.TB, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}
