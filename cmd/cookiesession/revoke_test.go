package main

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/resp"
	"github.com/cookiesession/cookiesession/internal/resp/resptest"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// redisClient returns a client of addr, closed at the test's end.
func redisClient(t *testing.T, addr, password string) *resp.Client {
	t.Helper()
	c, err := resp.Dial(context.Background(), addr, resp.Options{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// score returns member's score in key, or -1 when absent.
func score(t *testing.T, c *resp.Client, key, member string) int64 {
	t.Helper()
	v, err := c.Do(context.Background(), "ZSCORE", key, member)
	if err != nil {
		t.Fatal(err)
	}
	if v.Null {
		return -1
	}
	f, err := strconv.ParseFloat(v.Str, 64)
	if err != nil {
		t.Fatal(err)
	}
	return int64(f)
}

// Each form writes its entry where redisrevoke reads it, with the score
// and expiry that List's methods give it, and publishes it.
func TestRevokeWritesTheSchema(t *testing.T) {
	s := resptest.Start(t)
	c := redisClient(t, s.Addr, "")
	sub := redisClient(t, s.Addr, "")
	if _, err := sub.Do(context.Background(), "SUBSCRIBE", revokewire.Channel("p:")); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	id := "AAAAAAAAAAAAAAAAAAAAAA"
	until := now.Add(time.Hour)
	for _, tc := range []struct {
		args   []string
		key    string
		member string
		ms     int64
	}{
		{[]string{"-session", id, "-until", until.Format(time.RFC3339)}, "p:sessions", id, until.UnixMilli()},
		{[]string{"-session", id, "-for", "2h"}, "p:sessions", id, now.Add(2 * time.Hour).UnixMilli()},
		{[]string{"-subject", "alice smith", "-before", now.Format(time.RFC3339)}, "p:subjects", "alice smith", now.UnixMilli()},
		{[]string{"-subject", "bob"}, "p:subjects", "bob", now.UnixMilli()},
		{[]string{"-all", "-max-age", "1h"}, "p:all", revokewire.AllMember, now.UnixMilli()},
	} {
		args := append([]string{"revoke", "-redis", s.Addr, "-prefix", "p:"}, tc.args...)
		r := cmdAt(t, now, "", args...).ok(t)
		if !strings.HasPrefix(r.stdout, "revoked ") || !strings.Contains(r.stdout, tc.key) || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("%q printed %q", tc.args, r.stdout)
		}
		if got := score(t, c, tc.key, tc.member); got != tc.ms {
			t.Errorf("%q: score %d, want %d", tc.args, got, tc.ms)
		}
		if v := score(t, c, tc.key, revokewire.VersionMember); v >= 0 {
			t.Errorf("%q: version %d, want negative", tc.args, v)
		}
		msg, err := sub.Receive(context.Background())
		if err != nil || len(msg.Array) != 3 || msg.Array[2].Str != revokewire.Message(mustKind(t, tc.key), tc.ms, tc.member) {
			t.Errorf("%q: published %+v, %v", tc.args, msg, err)
		}
	}
	// The key expires with its last entry: a session entry at its until, a
	// cut-off -max-age after it.
	ttl, err := c.Do(context.Background(), "PTTL", "p:all")
	if err != nil || ttl.Num <= 0 || ttl.Num > time.Hour.Milliseconds() {
		t.Errorf("PTTL p:all = %d, %v; want at most 1h", ttl.Num, err)
	}
	// An earlier until does not shorten an entry; the command says so.
	r := cmdAt(t, now, "", "revoke", "-redis", s.Addr, "-prefix", "p:", "-session", id, "-for", "1m").ok(t)
	if !strings.Contains(r.stdout, "in force already") || score(t, c, "p:sessions", id) != now.Add(2*time.Hour).UnixMilli() {
		t.Errorf("a shorter revocation: %q", r.stdout)
	}
}

func mustKind(t *testing.T, key string) revokewire.Kind {
	t.Helper()
	for k := range revokewire.Kinds {
		if strings.HasSuffix(key, ":"+k.Key()) {
			return k
		}
	}
	t.Fatalf("no kind for %q", key)
	return 0
}

func TestRevokePassword(t *testing.T) {
	const pw = "correct-horse-battery"
	s := resptest.Start(t, "--requirepass", pw)
	args := []string{"revoke", "-redis", s.Addr, "-all"}

	r := cmd(t, "", args...)
	r.fails(t, exitFailure, "cookiesession revoke: redis "+s.Addr, "NOAUTH", "-redis-password-env")

	t.Setenv("TEST_REDIS_PW", "wrong-"+pw)
	r = cmd(t, "", append(args, "-redis-password-env", "TEST_REDIS_PW")...)
	r.fails(t, exitFailure, "authentication failed")
	if strings.Contains(r.stderr, pw) {
		t.Errorf("stderr reveals the password: %q", r.stderr)
	}

	t.Setenv("TEST_REDIS_PW", pw)
	cmd(t, "", append(args, "-redis-password-env", "TEST_REDIS_PW")...).ok(t)
	if score(t, redisClient(t, s.Addr, pw), revokewire.DefaultPrefix+"all", revokewire.AllMember) <= 0 {
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
	list, err := cookiesession.NewRevocationList(cookiesession.RevocationListOptions{MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	st, err := cookiesession.NewMap(cookiesession.Options{Keys: keys, Name: name, Revocations: list})
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
	s := resptest.Start(t)
	c := redisClient(t, s.Addr, "")
	now := time.Now().Truncate(time.Second)
	soon, later := now.Add(30*time.Second), now.Add(time.Hour)
	args := []string{"revoke", "-redis", s.Addr, "-prefix", "p:", "-all", "-max-age", "2h", "-before"}
	cmdAt(t, now, "", append(args, soon.Format(time.RFC3339))...).ok(t)
	if got := score(t, c, "p:all", revokewire.AllMember); got != soon.UnixMilli() {
		t.Errorf("a cut-off 30s ahead: score %d, want %d", got, soon.UnixMilli())
	}
	cmdAt(t, now, "", append(args, later.Format(time.RFC3339))...).fails(t, exitUsage, "in the future")
	cmdAt(t, now, "", append(args, later.Format(time.RFC3339), "-force")...).fails(t, exitUsage, "-force")
	if got := score(t, c, "p:all", revokewire.AllMember); got != soon.UnixMilli() {
		t.Errorf("a refused cut-off was written: score %d", got)
	}
}

// -redis-user authenticates as an ACL user.
func TestRevokeACLUser(t *testing.T) {
	s := resptest.Start(t)
	admin := redisClient(t, s.Addr, "")
	if _, err := admin.Do(context.Background(), "ACL", "SETUSER", "ops", "on", ">ops-secret", "~*", "&*", "+@all"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Do(context.Background(), "ACL", "SETUSER", "default", "off"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_REDIS_PW", "ops-secret")
	args := []string{"revoke", "-redis", s.Addr, "-all", "-redis-password-env", "TEST_REDIS_PW"}
	r := cmd(t, "", args...)
	r.fails(t, exitFailure, "authentication failed")
	if strings.Contains(r.stderr, "ops-secret") {
		t.Errorf("stderr reveals the password: %q", r.stderr)
	}
	cmd(t, "", append(args, "-redis-user", "ops")...).ok(t)
	if score(t, admin, revokewire.DefaultPrefix+"all", revokewire.AllMember) <= 0 {
		t.Error("nothing written")
	}
}

// With Redis's clock ahead of this machine's, an entry still live here but
// expired by Redis's clock is not recorded: the command says so and fails,
// rather than report it in force already.
func TestRevokeRedisClockAhead(t *testing.T) {
	s := resptest.Start(t)
	c := redisClient(t, s.Addr, "")
	real := time.Now().Truncate(time.Second)
	behind := real.Add(-time.Hour) // this machine's clock, an hour behind Redis's
	id := "BBBBBBBBBBBBBBBBBBBBBB"
	until := real.Add(-10 * time.Minute) // 50 minutes ahead here, past for Redis
	r := cmdAt(t, behind, "", "revoke", "-redis", s.Addr, "-prefix", "p:", "-session", id, "-until", until.Format(time.RFC3339))
	r.fails(t, exitFailure, "expired already", "clock")
	if strings.Contains(r.stdout, "in force already") {
		t.Errorf("stdout %q", r.stdout)
	}
	if got := score(t, c, "p:sessions", id); got != -1 {
		t.Errorf("score %d, want none", got)
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

// TestMergeScriptRefusesFuture: the merge script itself, whoever runs it,
// neither records nor publishes an entry further ahead of Redis's clock
// than Ahead allows (a year-3000 global cut-off), and says so in its reply;
// an entry within the bound is recorded.
func TestMergeScriptRefusesFuture(t *testing.T) {
	s := resptest.Start(t)
	c := redisClient(t, s.Addr, "")
	sub := redisClient(t, s.Addr, "")
	if _, err := sub.Do(context.Background(), "SUBSCRIBE", revokewire.Channel("p:")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, tc := range []struct {
		k      revokewire.Kind
		member string
		at     time.Time
	}{
		{revokewire.All, revokewire.AllMember, time.UnixMilli(32503680000000)},
		{revokewire.Subject, "ada", now.Add(2 * time.Minute)},
		{revokewire.Session, "AAAAAAAAAAAAAAAAAAAAAA", now.Add(time.Hour + 2*time.Minute)},
	} {
		m, err := revokewire.Revocation("p:", time.Hour, time.Minute, tc.k, tc.member, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.Run(context.Background(), c)
		if err != nil || res.Future != 1 || res.Changed != 0 {
			t.Errorf("%s: %+v, %v; want Future 1", tc.k.Key(), res, err)
		}
		if got := score(t, c, m.Key(), tc.member); got != -1 {
			t.Errorf("%s: recorded with score %d", tc.k.Key(), got)
		}
	}
	m, _ := revokewire.Revocation("p:", time.Hour, time.Minute, revokewire.All, revokewire.AllMember, now.Add(30*time.Second))
	if res, err := m.Run(context.Background(), c); err != nil || res.Changed != 1 || res.Future != 0 {
		t.Fatalf("a cut-off within the skew: %+v, %v", res, err)
	}
	// The only message published is the one recorded.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v, err := sub.Receive(ctx)
	if err != nil || len(v.Array) != 3 || !strings.HasPrefix(v.Array[2].Str, "a ") || v.Array[2].Str != revokewire.Message(revokewire.All, revokewire.Score(now.Add(30*time.Second)), "*") {
		t.Fatalf("first message: %+v, %v", v, err)
	}
}
