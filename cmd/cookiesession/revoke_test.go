package main

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/redistest"
	"github.com/cookiesession/cookiesession/memrevoke"
	"github.com/cookiesession/cookiesession/redisrevoke"
)

// redisClient returns a go-redis client of addr, closed at the test's end.
func redisClient(t *testing.T, addr, user, password string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Username: user, Password: password, DialTimeout: time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

// newList returns a redisrevoke.List on c, as a server would run one,
// closed at the test's end. It re-reads Redis only after an hour (its
// ResyncEvery, whatever o says), so what it learns within the test came
// through pub/sub or its first load.
func newList(t *testing.T, c *redis.Client, o redisrevoke.Options) *redisrevoke.List {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	o.ResyncEvery = time.Hour
	l, err := redisrevoke.New(ctx, c, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// eventually polls cond for up to a second, or fails.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 1s", what)
		}
	}
}

// Each form reaches a running List at once, through the entry and the
// message that List's methods write, with the time asked for; an earlier
// until does not shorten an entry, and the command says so.
func TestRevokeReachesList(t *testing.T) {
	addr := redistest.Start(t)
	l := newList(t, redisClient(t, addr, "", ""), redisrevoke.Options{Prefix: "p:", MaxAge: 3 * time.Hour})
	now := time.Now().Truncate(time.Second)
	id, other := "AAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBB"
	revoke := func(args ...string) string {
		t.Helper()
		args = append([]string{"revoke", "-redis", addr, "-prefix", "p:", "-max-age", "3h"}, args...)
		out := cmdAt(t, now, "", args...).ok(t).stdout
		if !strings.HasPrefix(out, "revoked ") || !strings.Contains(out, `under prefix "p:"`) || strings.Count(out, "\n") != 1 {
			t.Errorf("%q printed %q", args, out)
		}
		return out
	}
	revoke("-session", id, "-until", now.Add(time.Hour).Format(time.RFC3339))
	eventually(t, "-session -until", func() bool { return l.Revoked(id, "", now) })
	if l.Revoked(other, "", now) {
		t.Error("another session is refused")
	}
	if out := revoke("-session", id, "-for", "2h"); strings.Contains(out, "in force already") {
		t.Errorf("a later until: %q", out)
	}
	if out := revoke("-session", id, "-until", now.Add(2*time.Hour).Format(time.RFC3339)); !strings.Contains(out, "in force already") {
		t.Errorf("-for 2h did not record now plus 2h: %q", out)
	}
	if out := revoke("-session", id, "-for", "1m"); !strings.Contains(out, "in force already") {
		t.Errorf("a shorter revocation: %q", out)
	}

	before := now.Add(-10 * time.Second)
	revoke("-subject", "alice smith", "-before", before.Format(time.RFC3339))
	eventually(t, "-subject -before", func() bool { return l.Revoked("", "alice smith", before.Add(-time.Second)) })
	if l.Revoked("", "alice smith", before.Add(time.Second)) || l.Revoked("", "bob", before.Add(-time.Second)) {
		t.Error("the subject cut-off reaches too far")
	}
	revoke("-subject", "bob")
	eventually(t, "-subject", func() bool { return l.Revoked("", "bob", now.Add(-time.Second)) })
	revoke("-all")
	eventually(t, "-all", func() bool { return l.Revoked(other, "", now.Add(-time.Second)) && l.Revoked("", "", time.Time{}) })
	if l.Revoked(other, "", now.Add(time.Second)) {
		t.Error("-all refuses sessions created after its cut-off")
	}
	// A List started afterwards loads what the command wrote.
	late := newList(t, redisClient(t, addr, "", ""), redisrevoke.Options{Prefix: "p:", MaxAge: 3 * time.Hour})
	if !late.Revoked(id, "", now) || !late.Revoked("", "bob", now.Add(-time.Second)) || !late.Revoked("", "", time.Time{}) {
		t.Error("a new List does not load the command's entries")
	}
}

func TestRevokePassword(t *testing.T) {
	const pw = "correct-horse-battery"
	addr := redistest.Start(t, "--requirepass", pw)
	args := []string{"revoke", "-redis", addr, "-all"}

	r := cmd(t, "", args...)
	r.fails(t, exitFailure, "cookiesession revoke: redis "+addr, "NOAUTH", "-redis-password-env")

	t.Setenv("TEST_REDIS_PW", "wrong-"+pw)
	r = cmd(t, "", append(args, "-redis-password-env", "TEST_REDIS_PW")...)
	r.fails(t, exitFailure, "authentication failed")
	if strings.Contains(r.stderr, pw) {
		t.Errorf("stderr reveals the password: %q", r.stderr)
	}

	t.Setenv("TEST_REDIS_PW", pw)
	cmd(t, "", append(args, "-redis-password-env", "TEST_REDIS_PW")...).ok(t)
	if !newList(t, redisClient(t, addr, "", pw), redisrevoke.Options{}).Revoked("", "", time.Time{}) {
		t.Error("nothing written")
	}

	t.Setenv("TEST_REDIS_PW", "")
	cmd(t, "", append(args, "-redis-password-env", "TEST_REDIS_PW")...).fails(t, exitUsage, "TEST_REDIS_PW is empty")
}

func TestRevokeUnreachable(t *testing.T) {
	r := cmd(t, "", "revoke", "-redis", "127.0.0.1:1", "-timeout", "1s", "-all")
	r.fails(t, exitFailure, "cookiesession revoke: redis 127.0.0.1:1: connecting")
}

func TestRevokeUsage(t *testing.T) {
	id := "AAAAAAAAAAAAAAAAAAAAAA"
	r := []string{"revoke", "-redis", "127.0.0.1:1"}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no redis", []string{"revoke", "-all"}, "give -redis HOST:PORT"},
		{"url", []string{"revoke", "-redis", "redis://h:6379", "-all"}, "not a URL"},
		{"no port", []string{"revoke", "-redis", "localhost", "-all"}, "HOST:PORT"},
		{"nothing", r, "exactly one of"},
		{"two", append(r, "-all", "-subject", "a"), "exactly one of"},
		{"session without time", append(r, "-session", id), "-until TIME or -for DURATION"},
		{"session with both", append(r, "-session", id, "-for", "1h", "-until", "now"), "one of -until"},
		{"session in the past", append(r, "-session", id, "-until", "2001-01-01T00:00:00Z"), "not in the future"},
		{"session -before", append(r, "-session", id, "-before", "now"), "-before goes with"},
		{"not an id", append(r, "-session", "a-cookie-value", "-for", "1h"), "22 base64url"},
		{"negative for", append(r, "-session", id, "-for", "-1h"), "positive"},
		{"bad time", append(r, "-all", "-before", "yesterday"), "RFC 3339"},
		{"cut-off too old", append(r, "-all", "-max-age", "1h", "-before", "2001-01-01T00:00:00Z"), "more than -max-age"},
		{"subject -until", append(r, "-subject", "a", "-until", "now"), "go with -session"},
		{"empty subject", append(r, "-subject", ""), "-subject"},
		{"long subject", append(r, "-subject", strings.Repeat("x", 256)), "1 to 255 bytes"},
		{"bad prefix", append(r, "-all", "-prefix", "a b"), "-prefix"},
		{"empty prefix", append(r, "-all", "-prefix", ""), "-prefix"},
		{"max-age", append(r, "-all", "-max-age", "10000h"), "-max-age"},
		{"argument", append(r, "-all", "extra"), "unexpected argument"},
		{"bad duration", append(r, "-all", "-max-age", "30d"), "units"},
		{"cut-off in the future", append(r, "-all", "-before", "2099-01-01T00:00:00Z"), "in the future"},
		{"subject cut-off in the future", append(r, "-subject", "a", "-before", "2099-01-01T00:00:00Z"), "in the future"},
		{"until beyond max-age", append(r, "-session", id, "-until", "2099-01-01T00:00:00Z"), "beyond -max-age"},
		{"for beyond max-age", append(r, "-session", id, "-max-age", "1h", "-for", "2h"), "beyond -max-age"},
		{"user without password", append(r, "-all", "-redis-user", "ops"), "-redis-password-env"},
		{"credentials in the address", []string{"revoke", "-redis", "ops:s3cret@h:6379", "-all"}, "***@h:6379"},
		{"credentials in a URL", []string{"revoke", "-redis", "redis://ops:s3cret@h:6379", "-all"}, "redis://***@h:6379"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cmd(t, "", tc.args...)
			r.fails(t, exitUsage, tc.want)
			if strings.Contains(r.stderr, "s3cret") {
				t.Errorf("stderr echoes the password: %q", r.stderr)
			}
		})
	}
}

// sealedWithID returns a cookie value sealed by a store with revocation on,
// for subject, and the session's identifier.
func sealedWithID(t *testing.T, key, name, subject string) (value, id string) {
	t.Helper()
	keys, err := cookiesession.ParseKeys(key)
	if err != nil {
		t.Fatal(err)
	}
	list, err := memrevoke.New(memrevoke.Options{MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	st, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: keys, Name: name, Revocations: list})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "https://localhost/", nil)
	s := st.Get(req)
	s.Data["user"] = subject
	s.SetSubject(subject)
	w := httptest.NewRecorder()
	if err := s.Save(w); err != nil {
		t.Fatal(err)
	}
	return w.Result().Cookies()[0].Value, s.ID()
}

// inspect shows the identifier and subject that revoke takes.
func TestInspectShowsIDAndSubject(t *testing.T) {
	key := newKey(t)
	value, id := sealedWithID(t, key, "session", "alice@example.com")
	if len(id) != 22 {
		t.Fatalf("id %q", id)
	}
	out := cmd(t, "", "inspect", "-keys", key, value).ok(t).stdout
	if !regexp.MustCompile(`(?m)^session id +` + id + `$`).MatchString(out) {
		t.Errorf("inspect does not show the id %s:\n%s", id, out)
	}
	if !regexp.MustCompile(`(?m)^subject +"alice@example.com"$`).MatchString(out) {
		t.Errorf("inspect does not show the subject:\n%s", out)
	}
	// A value sealed without revocation (seal's) carries no identifier.
	plain := strings.TrimSpace(cmd(t, `{"a":1}`, "seal", "-keys", key).ok(t).stdout)
	out = cmd(t, "", "inspect", "-keys", key, plain).ok(t).stdout
	if !regexp.MustCompile(`(?m)^session id +none`).MatchString(out) || !regexp.MustCompile(`(?m)^subject +none`).MatchString(out) {
		t.Errorf("inspect of a value without id:\n%s", out)
	}
	// Without keys nothing is opened, so nothing is claimed.
	if out := cmd(t, "", "inspect", value).ok(t).stdout; strings.Contains(out, "session id") {
		t.Errorf("inspect without keys shows an id:\n%s", out)
	}
	// What inspect prints is what revoke takes.
	cmd(t, "", "revoke", "-redis", "127.0.0.1:1", "-timeout", "1s", "-session", id, "-for", "1h").fails(t, exitFailure, "connecting")
}

// A cut-off up to a minute ahead is clock skew and accepted; further ahead
// it is refused, and -force no longer exists.
func TestRevokeFutureCutOff(t *testing.T) {
	addr := redistest.Start(t)
	l := newList(t, redisClient(t, addr, "", ""), redisrevoke.Options{Prefix: "p:", MaxAge: 2 * time.Hour})
	now := time.Now().Truncate(time.Second)
	soon, later := now.Add(30*time.Second), now.Add(time.Hour)
	args := []string{"revoke", "-redis", addr, "-prefix", "p:", "-all", "-max-age", "2h", "-before"}
	cmdAt(t, now, "", append(args, soon.Format(time.RFC3339))...).ok(t)
	eventually(t, "a cut-off 30s ahead", func() bool { return l.Revoked("", "", soon.Add(-time.Millisecond)) })
	cmdAt(t, now, "", append(args, later.Format(time.RFC3339))...).fails(t, exitUsage, "in the future")
	cmdAt(t, now, "", append(args, later.Format(time.RFC3339), "-force")...).fails(t, exitUsage, "-force")
	time.Sleep(100 * time.Millisecond) // what was published has arrived
	if late := newList(t, redisClient(t, addr, "", ""), redisrevoke.Options{Prefix: "p:", MaxAge: 2 * time.Hour}); l.Revoked("", "", soon) || late.Revoked("", "", soon) {
		t.Error("a refused cut-off was written")
	}
}

// -redis-user authenticates as an ACL user.
func TestRevokeACLUser(t *testing.T) {
	addr := redistest.Start(t)
	admin := redisClient(t, addr, "", "")
	ctx := context.Background()
	if err := admin.Do(ctx, "ACL", "SETUSER", "ops", "on", ">ops-secret", "~*", "&*", "+@all").Err(); err != nil {
		t.Fatal(err)
	}
	if err := admin.Do(ctx, "ACL", "SETUSER", "default", "off").Err(); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_REDIS_PW", "ops-secret")
	args := []string{"revoke", "-redis", addr, "-all", "-redis-password-env", "TEST_REDIS_PW"}
	r := cmd(t, "", args...)
	r.fails(t, exitFailure, "authentication failed")
	if strings.Contains(r.stderr, "ops-secret") {
		t.Errorf("stderr reveals the password: %q", r.stderr)
	}
	cmd(t, "", append(args, "-redis-user", "ops")...).ok(t)
	if !newList(t, redisClient(t, addr, "ops", "ops-secret"), redisrevoke.Options{}).Revoked("", "", time.Time{}) {
		t.Error("nothing written")
	}
}

// With Redis's clock ahead of this machine's, an entry still live here but
// expired by Redis's clock is not recorded: the command says so and fails,
// rather than report it in force already.
func TestRevokeRedisClockAhead(t *testing.T) {
	addr := redistest.Start(t)
	real := time.Now().Truncate(time.Second)
	behind := real.Add(-time.Hour) // this machine's clock, an hour behind Redis's
	id := "BBBBBBBBBBBBBBBBBBBBBB"
	until := real.Add(-10 * time.Minute) // 50 minutes ahead here, past for Redis
	r := cmdAt(t, behind, "", "revoke", "-redis", addr, "-prefix", "p:", "-session", id, "-until", until.Format(time.RFC3339))
	r.fails(t, exitFailure, "not recorded", "expired already", "clock")
	if strings.Contains(r.stdout, "in force already") {
		t.Errorf("stdout %q", r.stdout)
	}
	if n, err := redisClient(t, addr, "", "").DBSize(context.Background()).Result(); err != nil || n != 0 {
		t.Errorf("%d keys, %v; want none", n, err)
	}
}

// TestRedactAddr checks that no part of a password in a -redis address is
// echoed, whatever it contains.
func TestRedactAddr(t *testing.T) {
	for in, want := range map[string]string{
		"redis://bob:hunter2@host:1": "redis://***@host:1",
		"bob:se://cret@host:1":       "***@host:1",
		"bob:p@ss@word@host:1":       "***@host:1",
		"rediss://:pw@h:6380":        "rediss://***@h:6380",
		"host:6379":                  "host:6379",
	} {
		if got := redactAddr(in); got != want {
			t.Errorf("redactAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// The command itself, built and run: one line on stderr when Redis is
// unreachable (go-redis's own log lines are off), and a revocation a List
// enforces when it is there.
func TestRevokeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build cookiesession with")
	}
	bin := filepath.Join(t.TempDir(), "cookiesession")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the command: %v\n%s", err, out)
	}
	var stderr strings.Builder
	c := exec.Command(bin, "revoke", "-redis", "127.0.0.1:1", "-timeout", "1s", "-all")
	c.Stderr = &stderr
	if err := c.Run(); c.ProcessState.ExitCode() != exitFailure || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("unreachable Redis: %v, stderr %q; want exit 1 and one line", err, stderr.String())
	}
	addr := redistest.Start(t)
	l := newList(t, redisClient(t, addr, "", ""), redisrevoke.Options{})
	id := "CCCCCCCCCCCCCCCCCCCCCC"
	if out, err := exec.Command(bin, "revoke", "-redis", addr, "-session", id, "-for", "1h").CombinedOutput(); err != nil {
		t.Fatalf("revoke: %v: %s", err, out)
	}
	eventually(t, "session revoked by the command", func() bool { return l.Revoked(id, "", time.Now()) })
}
