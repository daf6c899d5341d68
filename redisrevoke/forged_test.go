package redisrevoke

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession/internal/revokewire"
	"github.com/cookiesession/cookiesession/memrevoke"
)

// reports collects what a List passes to OnError.
type reports struct {
	mu   sync.Mutex
	errs []error
}

func (r *reports) add(err error) { r.mu.Lock(); r.errs = append(r.errs, err); r.mu.Unlock() }

// matching returns how many reports match target.
func (r *reports) matching(target error) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, err := range r.errs {
		if errors.Is(err, target) {
			n++
		}
	}
	return n
}

// keys returns the revocation keys Redis holds under the default prefix.
func keys(t *testing.T, s *server) []string {
	t.Helper()
	ks, err := s.client().Keys(bg, DefaultPrefix+"*").Result()
	must(t, err)
	return ks
}

// A message on the channel is only a hint: one that Redis's keys do not
// back (a client allowed only to PUBLISH) changes nothing on any instance,
// and is never written into Redis by a re-sync. Before, "a 32503680000000 *"
// refused every session and every new login, and the next re-sync wrote a
// year-3000 global cut-off into Redis.
func TestForgedPublishChangesNothing(t *testing.T) {
	s := startRedis(t)
	var rep reports
	a := newInstance(t, newList(t, s, Options{PingEvery: 20 * time.Millisecond, ResyncEvery: 50 * time.Millisecond, OnError: rep.add}))
	b := newInstance(t, newList(t, s, Options{PingEvery: 20 * time.Millisecond, ResyncEvery: 50 * time.Millisecond}))
	cookies, id := a.login(t, "alice")
	now := time.Now()
	for _, msg := range []string{
		"a 32503680000000 *", // year 3000: refused as too far ahead
		revokewire.Message(revokewire.All, now.UnixMilli(), "*"),
		revokewire.Message(revokewire.Subject, now.Add(time.Second).UnixMilli(), "alice"),
		revokewire.Message(revokewire.Session, now.Add(30*time.Minute).UnixMilli(), id),
	} {
		must(t, s.client().Publish(bg, revokewire.Channel(DefaultPrefix), msg).Err())
	}
	within(t, time.Second, "the year-3000 message reported", func() bool { return rep.matching(revokewire.ErrFuture) > 0 })
	time.Sleep(300 * time.Millisecond) // several re-syncs and pings
	for name, in := range map[string]*instance{"a": a, "b": b} {
		if u, refusal := in.request(cookies); u != "alice" {
			t.Errorf("%s refuses the session after forged messages: %s", name, refusal)
		}
		if in.list.Revoked("", "", time.Time{}) || in.list.Revoked("", "bob", now.Add(-time.Second)) {
			t.Errorf("%s applied a forged cut-off", name)
		}
		if n := in.list.Len(); n != 0 {
			t.Errorf("%s holds %d entries", name, n)
		}
	}
	for _, k := range keys(t, s) {
		if k != DefaultPrefix+revokewire.EpochKey {
			t.Errorf("a forged message was written into Redis: %s", k)
		}
	}
	// A genuine revocation still reaches the other instance at once.
	must(t, a.list.RevokeSession(bg, id, now.Add(time.Hour)))
	within(t, time.Second, "a genuine revocation on b", func() bool { u, _ := b.request(cookies); return u == "" })
}

// A cut-off later than now plus ClockSkew, or an until later than now plus
// MaxAge plus ClockSkew, is refused by every Revoke method, and nothing is
// written. Before, RevokeAll(now+24h) blocked every login for a day.
func TestFutureRevocationRefused(t *testing.T) {
	s := startRedis(t)
	l := newList(t, s, Options{}) // MaxAge 1h, ClockSkew 1m
	now := time.Now()
	for name, err := range map[string]error{
		"RevokeAll":     l.RevokeAll(bg, now.Add(24*time.Hour)),
		"year 3000":     l.RevokeAll(bg, time.UnixMilli(32503680000000)),
		"RevokeSubject": l.RevokeSubject(bg, "alice", now.Add(2*time.Minute)),
		"RevokeSession": l.RevokeSession(bg, "sess", now.Add(time.Hour+2*time.Minute)),
	} {
		if !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrFuture) || !errors.Is(err, memrevoke.ErrFuture) || !strings.Contains(err.Error(), "time.Now()") {
			t.Errorf("%s: %v, want ErrInvalid and ErrFuture (memrevoke.ErrFuture too) saying what to pass", name, err)
		}
	}
	if l.Len() != 0 || l.Revoked("", "", now) {
		t.Fatal("a refused revocation is enforced")
	}
	for _, k := range keys(t, s) {
		if k != DefaultPrefix+revokewire.EpochKey {
			t.Errorf("a refused revocation was written: %s", k)
		}
	}
	for name, err := range map[string]error{
		"RevokeAll":     l.RevokeAll(bg, now.Add(30*time.Second)),
		"RevokeSession": l.RevokeSession(bg, "sess", now.Add(time.Hour)),
	} {
		if err != nil {
			t.Errorf("%s within the bounds: %v", name, err)
		}
	}
}

// An entry in Redis further ahead than the bounds (written by hand, or by a
// client with a wrong clock) is not applied by any instance, is reported
// through OnError, and is not written back: a DEL of it stays done.
func TestFutureEntryInRedisIgnored(t *testing.T) {
	s := startRedis(t)
	c := s.client()
	must(t, c.ZAdd(bg, DefaultPrefix+"all", redisZ(32503680000000, revokewire.AllMember), redisZ(-5, revokewire.VersionMember)).Err())
	var rep reports
	l := newInstance(t, newList(t, s, Options{PingEvery: 20 * time.Millisecond, ResyncEvery: 50 * time.Millisecond, OnError: rep.add}))
	cookies, _ := l.login(t, "alice")
	if u, refusal := l.request(cookies); u != "alice" {
		t.Fatalf("a year-3000 cut-off in Redis refuses new sessions: %s", refusal)
	}
	if l.list.Revoked("", "", time.Time{}) {
		t.Fatal("a year-3000 cut-off in Redis refuses legacy sessions")
	}
	if rep.matching(ErrFuture) == 0 {
		t.Fatal("the ignored entry was not reported")
	}
	must(t, c.Del(bg, DefaultPrefix+"all").Err())
	time.Sleep(300 * time.Millisecond) // several re-syncs and pings
	if n, err := c.Exists(bg, DefaultPrefix+"all").Result(); err != nil || n != 0 {
		t.Fatalf("the deleted key came back (%d, %v)", n, err)
	}
}

// MaxEntries bounds the replica: a new entry past it is refused with
// ErrFull, recorded nowhere; raising an entry held still
// works.
func TestMaxEntries(t *testing.T) {
	s := startRedis(t)
	l := newList(t, s, Options{MaxEntries: 2})
	until := time.Now().Add(time.Hour)
	must(t, l.RevokeSession(bg, "s1", until))
	must(t, l.RevokeSubject(bg, "alice", time.Now()))
	err := l.RevokeSession(bg, "s2", until)
	if !errors.Is(err, ErrFull) || !errors.Is(err, memrevoke.ErrFull) || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "MaxEntries") {
		t.Fatalf("third entry: %v, want ErrFull", err)
	}
	if l.Revoked("s2", "", time.Now()) {
		t.Fatal("the refused entry is enforced")
	}
	if err := s.client().ZScore(bg, DefaultPrefix+"sessions", "s2").Err(); err == nil {
		t.Fatal("the refused entry was written")
	}
	must(t, l.RevokeSession(bg, "s1", until.Add(time.Minute)))
	must(t, l.RevokeAll(bg, time.Now()))
}

// With a MaxAge above about 56 years, the replica refused every legacy
// session: it asks with the zero time (year 1, negative Unix ms), which lay
// before the "no global cut-off" value 0 (1970), and 0 plus MaxAge lay
// after now. MaxAge is now bounded at 400 days, and no
// cut-off means none whatever MaxAge.
func TestLegacyWithoutCutOffLongMaxAge(t *testing.T) {
	r := newReplica(100 * 365 * 24 * time.Hour)
	if r.revoked("", "", time.Time{}.UnixMilli()) {
		t.Fatal("a legacy session is refused without any cut-off")
	}
}

// After FLUSHALL no connection drops; an instance started afterwards loads
// nothing. The instances that held the revocations detect the loss with
// their next ping (the epoch key vanished), report it, and write back at
// once, and the new instance reads what they wrote at its next ping, well
// within ResyncEvery. Before, it accepted revoked sessions for up to
// ResyncEvery (30 s measured).
func TestFlushAllDetected(t *testing.T) {
	s := startRedis(t)
	var rep reports
	a := newInstance(t, newList(t, s, Options{PingEvery: 50 * time.Millisecond, ResyncEvery: time.Hour, OnError: rep.add}))
	cookies, id := a.login(t, "alice")
	must(t, a.list.RevokeSession(bg, id, time.Now().Add(time.Hour)))
	must(t, s.client().FlushAll(bg).Err())
	c := newInstance(t, newList(t, s, Options{PingEvery: 50 * time.Millisecond, ResyncEvery: time.Hour}))
	took := within(t, 2*time.Second, "the new instance refuses the revoked session", func() bool { u, _ := c.request(cookies); return u == "" })
	t.Logf("refused by the instance started after FLUSHALL %v after its start", took)
	if rep.matching(ErrLost) == 0 {
		t.Error("the loss was not reported")
	}
}

// redisZ is a sorted-set member with its score.
func redisZ(score float64, member string) redis.Z { return redis.Z{Score: score, Member: member} }
