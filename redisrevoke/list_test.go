package redisrevoke

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

var bg = context.Background()

// Two instances on one Redis: a session revoked on one is refused on the
// other within a second, through real cookies and the middleware.
func TestRevokeSessionReachesOtherInstance(t *testing.T) {
	s := startRedis(t)
	a, b := newInstance(t, newList(t, s, Options{})), newInstance(t, newList(t, s, Options{}))
	cookies, id := a.login(t, "alice")
	other, _ := a.login(t, "alice")
	if user, refusal := b.request(cookies); user != "alice" {
		t.Fatalf("before revocation: user %q, refused: %s", user, refusal)
	}
	if err := a.list.RevokeSession(bg, id, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	took := within(t, time.Second, "revoked on the other instance", func() bool {
		_, refusal := b.request(cookies)
		return strings.Contains(refusal, cookiesession.ErrRevoked.Error())
	})
	t.Logf("refused on the other instance after %v", took)
	if _, refusal := a.request(cookies); refusal == "" {
		t.Error("the revoking instance still accepts the session")
	}
	if user, _ := b.request(other); user != "alice" {
		t.Error("another session of the same subject was refused")
	}
}

// Subject and global cut-offs reach the other instance; sessions created
// after them open.
func TestCutOffs(t *testing.T) {
	s := startRedis(t)
	a, b := newInstance(t, newList(t, s, Options{})), newInstance(t, newList(t, s, Options{}))
	alice, _ := a.login(t, "alice")
	bob, _ := a.login(t, "bob")
	if err := a.list.RevokeSubject(bg, "alice", time.Now()); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "subject cut-off on the other instance", func() bool {
		user, _ := b.request(alice)
		return user == ""
	})
	if user, _ := b.request(bob); user != "bob" {
		t.Fatal("the subject cut-off refused another subject")
	}
	nextSecond() // Created has one-second resolution
	later, _ := a.login(t, "alice")
	if user, refusal := b.request(later); user != "alice" {
		t.Fatalf("a session created after the cut-off was refused: %s", refusal)
	}

	if err := b.list.RevokeAll(bg, time.Now()); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "global cut-off on the other instance", func() bool {
		u1, _ := a.request(bob)
		u2, _ := a.request(later)
		return u1 == "" && u2 == ""
	})
	if !a.list.Revoked("", "", time.Time{}) {
		t.Error("a legacy session (zero creation time) passes the global cut-off")
	}
	nextSecond()
	fresh, _ := b.login(t, "carol")
	if user, _ := a.request(fresh); user != "carol" {
		t.Error("a session created after the global cut-off was refused")
	}
}

// nextSecond sleeps into the next whole second.
func nextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
}

// Entries expire with their time: Redis drops a session entry at until, a
// cut-off MaxAge past itself, and so does the replica's sweep; until then
// the replica refuses (a store has refused such a session as expired
// first: TestRevokedUntilDeadline). The global cut-off reads the clock: it
// stops refusing a legacy session (zero creation time) MaxAge past itself.
func TestExpiry(t *testing.T) {
	s := startRedis(t)
	c := s.client()
	l := newList(t, s, Options{MaxAge: time.Second})
	now := time.Now()
	must(t, l.RevokeSession(bg, "short", now.Add(300*time.Millisecond)))
	must(t, l.RevokeSubject(bg, "u", now))
	must(t, l.RevokeAll(bg, now))
	if !l.Revoked("short", "", now) || !l.Revoked("", "u", now.Add(-time.Second)) || !l.Revoked("", "", time.Time{}) {
		t.Fatal("not revoked at once")
	}
	within(t, 2*time.Second, "the global cut-off ended for a legacy session", func() bool { return !l.Revoked("", "", time.Time{}) })
	if ended := time.Since(now); ended < time.Second {
		t.Fatalf("the global cut-off ended %v after itself, before MaxAge", ended)
	}
	within(t, 2*time.Second, "Redis keys expired", func() bool {
		n, err := c.Exists(bg, DefaultPrefix+"sessions", DefaultPrefix+"subjects",
			revokewire.LogKey(DefaultPrefix, kindSession), revokewire.LogKey(DefaultPrefix, kindSubject)).Result()
		return err == nil && n == 0
	})
	l.rep.mu.Lock()
	l.rep.sweepAll(time.Now().UnixMilli())
	l.rep.mu.Unlock()
	if l.Len() != 0 || l.Revoked("short", "", now) || l.Revoked("", "u", now.Add(-time.Second)) {
		t.Fatalf("the sweep kept %d expired entries", l.Len())
	}
}

// A session revoked until its Deadline is refused with ErrRevoked up to
// it, and with ErrExpired from it while the replica still holds the entry:
// the store checks the lifetime before it asks the list.
func TestRevokedUntilDeadline(t *testing.T) {
	s := startRedis(t)
	var mu sync.Mutex
	at := time.Now().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	advance := func(d time.Duration) { mu.Lock(); at = at.Add(d); mu.Unlock() }
	in := newInstanceAt(t, newList(t, s, Options{}), clock)
	cookies, id := in.login(t, "alice")
	must(t, in.list.RevokeSession(bg, id, clock().Add(time.Hour))) // the store's MaxAge: the Deadline
	advance(time.Hour - time.Second)
	if _, refusal := in.request(cookies); !strings.Contains(refusal, cookiesession.ErrRevoked.Error()) {
		t.Fatalf("a second before its deadline: refused with %q, want ErrRevoked", refusal)
	}
	advance(time.Second)
	if _, refusal := in.request(cookies); !strings.Contains(refusal, cookiesession.ErrExpired.Error()) {
		t.Fatalf("at its deadline: refused with %q, want ErrExpired", refusal)
	}
	if !in.list.Revoked(id, "alice", at) {
		t.Fatal("the replica no longer holds the entry: the test shows nothing")
	}
}

// A later revocation of the same entry extends it; an earlier one does not
// shorten it, in Redis or in the replicas.
func TestEntriesOnlyGrow(t *testing.T) {
	s := startRedis(t)
	a, b := newList(t, s, Options{}), newList(t, s, Options{})
	now := time.Now()
	must(t, a.RevokeSession(bg, "id", now.Add(time.Hour)))
	must(t, a.RevokeSession(bg, "id", now.Add(time.Millisecond)))
	must(t, a.RevokeSubject(bg, "u", now))
	must(t, a.RevokeSubject(bg, "u", now.Add(-time.Minute)))
	c := newList(t, s, Options{}) // loads from Redis
	for _, l := range []*List{a, b, c} {
		within(t, time.Second, "entries", func() bool {
			return l.Revoked("id", "", now) && l.Revoked("", "u", now.Add(-time.Second))
		})
	}
}

// Redis restarts empty: the replicas keep enforcing what they knew while
// it is down, re-subscribe and refresh when it is back, write back what it
// lost so that an instance started afterwards enforces it too, and receive
// new revocations again.
func TestRedisRestart(t *testing.T) {
	s := startRedis(t)
	a := newInstance(t, newList(t, s, Options{PingEvery: 50 * time.Millisecond}))
	b := newInstance(t, newList(t, s, Options{PingEvery: 50 * time.Millisecond}))
	first, id1 := a.login(t, "alice")
	second, id2 := a.login(t, "bob")
	must(t, a.list.RevokeSession(bg, id1, time.Now().Add(time.Hour)))
	within(t, time.Second, "revoked on b", func() bool { u, _ := b.request(first); return u == "" })

	s.stop()
	if err := a.list.RevokeSession(bg, id2, time.Now().Add(time.Hour)); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("revoking while Redis is down: %v, want ErrUnavailable", err)
	}
	within(t, 2*time.Second, "stale while down", func() bool { return b.list.Stale() > 500*time.Millisecond })
	if u, _ := b.request(first); u != "" {
		t.Fatal("forgot a revocation while Redis was down")
	}
	if u, _ := a.request(second); u != "" {
		t.Fatal("a revocation that Redis did not record is not enforced where it was made")
	}
	s.start() // empty: no persistence
	took := within(t, 3*time.Second, "current again", func() bool { return b.list.Stale() < 200*time.Millisecond && a.list.Stale() < 200*time.Millisecond })
	t.Logf("both replicas re-synced %v after Redis came back", took)

	c := newInstance(t, newList(t, s, Options{}))
	if u, _ := c.request(first); u != "" {
		t.Fatal("an instance started after the restart does not know the revocation made before it")
	}
	// The revocation made during the outage was written back; b learns it
	// at its next refresh (ResyncEvery), c loaded it.
	must(t, b.list.Refresh(bg))
	for _, in := range []*instance{b, c} {
		if u, _ := in.request(second); u != "" {
			t.Fatal("the revocation made while Redis was down was not written back")
		}
	}
	third, id3 := a.login(t, "carol")
	must(t, a.list.RevokeSession(bg, id3, time.Now().Add(time.Hour)))
	for _, in := range []*instance{b, c} {
		within(t, time.Second, "revocation after the restart", func() bool { u, _ := in.request(third); return u == "" })
	}
}

// FailClosedAfter refuses every session once the replica is stale for that
// long, and opens them again when Redis is back.
func TestFailClosed(t *testing.T) {
	s := startRedis(t)
	l := newList(t, s, Options{PingEvery: 50 * time.Millisecond, FailClosedAfter: 300 * time.Millisecond})
	if l.Revoked("never-revoked", "", time.Now()) {
		t.Fatal("refused while Redis is up")
	}
	s.stop()
	took := within(t, 2*time.Second, "fail closed", func() bool { return l.Revoked("never-revoked", "", time.Now()) })
	t.Logf("failed closed %v after Redis stopped", took)
	s.start()
	within(t, 3*time.Second, "open again", func() bool { return !l.Revoked("never-revoked", "", time.Now()) })
}

// A Redis that hangs (no answer, connection open) leaves the replica
// unconfirmed: Stale grows, and falls back once Redis answers again.
func TestStaleWhileRedisHangs(t *testing.T) {
	s := startRedis(t)
	l := newList(t, s, Options{PingEvery: 50 * time.Millisecond})
	within(t, time.Second, "confirmed by pings", func() bool { return l.Stale() < 100*time.Millisecond })
	must(t, s.cmd.Process.Signal(syscall.SIGSTOP))
	within(t, 2*time.Second, "stale while hung", func() bool { return l.Stale() > 300*time.Millisecond })
	must(t, s.cmd.Process.Signal(syscall.SIGCONT))
	within(t, 2*time.Second, "confirmed again", func() bool { return l.Stale() < 100*time.Millisecond })
}

// Without pub/sub (a frozen instance misses it), MaxStaleness refreshes in
// Revoked once the replica is older than the bound, with one refresh for
// many concurrent callers and one round trip when nothing changed.
func TestMaxStaleness(t *testing.T) {
	s := startRedis(t)
	a := newList(t, s, Options{})
	l := newList(t, s, Options{MaxStaleness: 200 * time.Millisecond, PingEvery: time.Hour, ResyncEvery: time.Hour})
	// Written without publishing: what a frozen instance does not hear.
	must(t, a.write(bg, kindSession, map[string]int64{"quiet": time.Now().Add(time.Hour).UnixMilli()}, false))
	if l.Revoked("quiet", "", time.Now()) {
		t.Fatal("the entry arrived without pub/sub: the test shows nothing")
	}
	time.Sleep(250 * time.Millisecond)
	before := s.commands()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var answers []bool
	for range 50 {
		wg.Go(func() {
			r := l.Revoked("quiet", "", time.Now())
			mu.Lock()
			answers = append(answers, r)
			mu.Unlock()
		})
	}
	wg.Wait()
	if slices.Contains(answers, false) {
		t.Errorf("a caller answered from the stale replica: %v", answers)
	}
	delta := diff(before, s.commands())
	want := map[string]int64{"zscore": 3 + 1, "get": 1, "evalsha": 1, "exists": 1, "xinfo|stream": 1, "xrange": 1}
	if !maps.Equal(delta, want) {
		t.Errorf("50 concurrent stale checks sent %v; want one refresh %v (3 ZSCORE and a GET of the epoch, then one read of the changed kind's log: EVALSHA running ZSCORE, EXISTS, XINFO STREAM, XRANGE; no ZRANGEBYSCORE of the whole kind)", delta, want)
	}
	time.Sleep(250 * time.Millisecond)
	before = s.commands()
	l.Revoked("quiet", "", time.Now())
	if delta := diff(before, s.commands()); delta["zscore"] != 3 || delta["get"] != 1 || len(delta) != 2 {
		t.Errorf("a refresh with nothing changed sent %v; want 3 ZSCORE and a GET in one pipeline", delta)
	}
}

// Refresh brings a replica up to date on demand.
func TestRefresh(t *testing.T) {
	s := startRedis(t)
	a := newList(t, s, Options{})
	l := newList(t, s, Options{PingEvery: time.Hour, ResyncEvery: time.Hour})
	must(t, a.write(bg, kindSubject, map[string]int64{"u": time.Now().UnixMilli()}, false))
	must(t, l.Refresh(bg))
	if !l.Revoked("", "u", time.Now().Add(-time.Minute)) {
		t.Fatal("Refresh did not load the cut-off")
	}
	must(t, l.Close())
	if err := l.Refresh(bg); !errors.Is(err, ErrClosed) {
		t.Fatalf("Refresh after Close: %v", err)
	}
}

// 10,000 requests with a session cookie send no command to Redis.
func TestNoCommandsPerRequest(t *testing.T) {
	s := startRedis(t)
	for i, stale := range []time.Duration{0, time.Minute} {
		// A prefix of its own per round: the first round's replica, still
		// subscribed, must not hear the second round's revocation (it would
		// read it back from Redis within the second round's count).
		o := Options{Prefix: fmt.Sprintf("round%d:", i), MaxStaleness: stale, PingEvery: time.Hour, ResyncEvery: time.Hour}
		in := newInstance(t, newList(t, s, o))
		must(t, in.list.RevokeSession(bg, "someone-else", time.Now().Add(time.Hour)))
		cookies, _ := in.login(t, "alice")
		before := s.commands()
		for range 10_000 {
			if u, refusal := in.request(cookies); u != "alice" {
				t.Fatalf("session refused: %s", refusal)
			}
		}
		delta := diff(before, s.commands())
		if len(delta) != 0 {
			t.Errorf("MaxStaleness %v: 10,000 requests sent %v", stale, delta)
		}
		t.Logf("MaxStaleness %v: 10,000 requests, Redis commands sent: %d", stale, len(delta))
	}
}

// diff returns the command counts that grew.
func diff(before, after map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, n := range after {
		if n > before[k] {
			out[k] = n - before[k]
		}
	}
	return out
}

// Close stops every goroutine the List started.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	s := startRedis(t)
	c := s.client()
	must(t, c.Ping(bg).Err())
	base := runtime.NumGoroutine()
	for range 5 {
		l, err := New(bg, c, Options{})
		must(t, err)
		must(t, l.Close())
		if err := l.Close(); !errors.Is(err, ErrClosed) {
			t.Fatalf("second Close: %v", err)
		}
	}
	within(t, time.Second, "goroutines back to the base", func() bool { return runtime.NumGoroutine() <= base })
}

// Invalid arguments are refused with ErrInvalid (options:
// TestOptionsRefused); an unreachable Redis with ErrUnavailable.
func TestErrors(t *testing.T) {
	s := startRedis(t)
	l := newList(t, s, Options{})
	for _, err := range []error{
		l.RevokeSession(bg, "", time.Now()),
		l.RevokeSubject(bg, "", time.Now()),
		l.RevokeSubject(bg, strings.Repeat("x", 256), time.Now()),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%v, want ErrInvalid", err)
		}
	}
	ctx, cancel := context.WithTimeout(bg, 500*time.Millisecond)
	defer cancel()
	down := startRedis(t)
	down.stop()
	if _, err := New(ctx, down.client(), Options{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("New with Redis down: %v, want ErrUnavailable", err)
	}
}

// A message the List cannot read is reported and changes nothing.
func TestUnreadableMessage(t *testing.T) {
	s := startRedis(t)
	got := make(chan error, 1)
	l := newList(t, s, Options{OnError: func(err error) {
		select {
		case got <- err:
		default:
		}
	}})
	must(t, s.client().Publish(bg, DefaultPrefix+"events", "x 1 y").Err())
	select {
	case err := <-got:
		t.Log(err)
	case <-time.After(time.Second):
		t.Fatal("not reported")
	}
	if l.Len() != 0 {
		t.Fatal("an unreadable message added an entry")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Stale is the longer of the replica's ages on the monotonic and the wall
// clock: a step back of the wall clock does not hide an outage (before, a
// step back of an hour gave a negative age, and FailClosedAfter and
// MaxStaleness did nothing for that hour), and a virtual machine paused or
// restored from a snapshot, whose monotonic clock may not count the pause,
// does not pass a stale replica as current. A test cannot step the
// clocks: the confirmation's two readings are set as they stand after
// each event, and Revoked with FailClosedAfter answers from them.
func TestStaleTakesTheLongerClock(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		name       string
		mono, wall time.Duration // how long ago the confirmation was, by each clock
	}{
		{"Redis away 2m, the wall clock stepped back an hour", 2 * time.Minute, 2*time.Minute - time.Hour},
		{"paused an hour, the monotonic clock stopped", 10 * time.Second, time.Hour},
	} {
		l := &List{cfg: config{failClosed: time.Minute}, rep: newReplica(time.Hour), origin: now.Add(-2 * time.Hour)}
		l.confirm(now.Add(-c.mono))
		l.confirmedWall.Store(now.Add(-c.wall).UnixNano())
		want := max(c.mono, c.wall)
		if got := l.age(now); got != want {
			t.Errorf("%s: age %v, want %v", c.name, got, want)
		}
		if refused := l.Revoked("", "", now); refused != (want > time.Minute) {
			t.Errorf("%s: FailClosedAfter 1m refused %v, want %v", c.name, refused, want > time.Minute)
		}
	}
	l := &List{origin: now.Add(-time.Minute)}
	l.confirm(now)
	l.confirm(now.Add(-time.Second)) // an older confirmation, arriving late
	if got := l.age(now); got != 0 {
		t.Errorf("an older confirmation moved the age back to %v", got)
	}
}
