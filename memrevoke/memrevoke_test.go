package memrevoke

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
)

// newList returns New(o), failing tb on an error.
func newList(tb testing.TB, o Options) *List {
	tb.Helper()
	l, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// sessionID is an identifier of Session.ID's form: 16 bytes in base64url.
var sessionID = base64.RawURLEncoding.EncodeToString([]byte{1, 2, 3, 15: 0})

// TestEntriesExpire: a revoked session, or a subject's cut-off, refuses
// while the list holds it, and a sweep drops it once no session it names
// can be valid (at until; a cut-off MaxAge past itself), not before. A
// store never asks about a session past those times: it refuses it as
// expired first (the root package's TestRevokedUntilDeadline).
func TestEntriesExpire(t *testing.T) {
	l := newList(t, Options{MaxAge: 24 * time.Hour})
	now := time.Now()
	created := now.Add(-time.Minute)
	for _, err := range []error{
		l.RevokeSession(sessionID, now.Add(24*time.Hour)),
		l.RevokeSession("other", now.Add(24*time.Hour)),
		l.RevokeSubject("ada", now),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, want bool) {
		t.Helper()
		for _, c := range []struct{ id, subject string }{{sessionID, ""}, {"other", ""}, {"", "ada"}} {
			if got := l.Revoked(c.id, c.subject, created); got != want {
				t.Errorf("%s: id %q subject %q: revoked %v, want %v", when, c.id, c.subject, got, want)
			}
		}
	}
	check("held", true)
	if l.Revoked("", "ada", now.Add(time.Second)) || l.Revoked("", "bob", created) || l.Revoked("", "", time.Time{}) {
		t.Error("refused a session created after the cut-off, another subject, or a legacy session without a global cut-off")
	}
	l.mu.Lock()
	l.sweepAt(now.Add(23 * time.Hour))
	l.mu.Unlock()
	if l.Len() != 3 {
		t.Fatalf("a sweep before the entries' end dropped some: %d left of 3", l.Len())
	}
	check("after a sweep before their end", true)
	l.mu.Lock()
	l.sweepAt(now.Add(24*time.Hour + time.Second))
	l.mu.Unlock()
	if l.Len() != 0 {
		t.Fatalf("a sweep after the entries' end kept %d", l.Len())
	}
	check("after a sweep past their end", false)
}

// TestGlobalCutOffEnds: the global cut-off reads the clock, because a
// legacy session is asked with empty id and subject and the zero time (its
// age is unknown): it refuses one, and a session created before it, until
// MaxAge past itself, and neither after.
func TestGlobalCutOffEnds(t *testing.T) {
	const maxAge = 24 * time.Hour
	now := time.Now()
	for _, c := range []struct {
		cut  time.Time
		want bool
	}{
		{now.Add(-maxAge + time.Minute), true},
		{now.Add(-maxAge - time.Second), false},
	} {
		l := newList(t, Options{MaxAge: maxAge})
		if err := l.RevokeAll(c.cut); err != nil {
			t.Fatal(err)
		}
		legacy, before := l.Revoked("", "", time.Time{}), l.Revoked(sessionID, "ada", c.cut.Add(-time.Hour))
		if legacy != c.want || before != c.want {
			t.Errorf("cut-off %v ago: legacy refused %v, earlier session refused %v; want %v", now.Sub(c.cut), legacy, before, c.want)
		}
	}
}

// TestConcurrent exercises the list from many goroutines; run with -race.
func TestConcurrent(t *testing.T) {
	l := newList(t, Options{MaxAge: time.Hour})
	var wg sync.WaitGroup
	now := time.Now()
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				id := string(rune('a'+g)) + strings.Repeat("x", i%7)
				l.RevokeSession(id, now.Add(time.Minute))
				l.RevokeSubject(id, now)
				_ = l.Revoked(id, id, now.Add(-time.Second))
			}
		}()
	}
	wg.Wait()
	if !l.Revoked("a", "", now) || l.Len() == 0 {
		t.Fatal("entries lost")
	}
}

// TestFutureRefused: a cut-off later than now plus the clock skew, or an
// until later than now plus MaxAge (plus the skew), is refused with
// ErrFuture and recorded nowhere: RevokeAll(now+24h) would otherwise
// refuse every new login for a day.
func TestFutureRefused(t *testing.T) {
	l := newList(t, Options{MaxAge: 24 * time.Hour}) // skew: one minute
	now := time.Now()
	for name, err := range map[string]error{
		"RevokeAll":     l.RevokeAll(now.Add(24 * time.Hour)),
		"RevokeSubject": l.RevokeSubject("ada", now.Add(bounds.DefaultClockSkew+time.Second)),
		"RevokeSession": l.RevokeSession("id", now.Add(24*time.Hour+bounds.DefaultClockSkew+time.Second)),
		"year 3000":     l.RevokeAll(time.UnixMilli(32503680000000)),
	} {
		if !errors.Is(err, ErrFuture) || !strings.Contains(err.Error(), "time.Now()") {
			t.Errorf("%s: %v, want ErrFuture saying what to pass", name, err)
		}
	}
	if l.Revoked("", "", now) || l.Revoked("", "ada", now) || l.Len() != 0 {
		t.Fatalf("a refused revocation was recorded: %d entries", l.Len())
	}
	// Within the bounds, all three are recorded.
	for name, err := range map[string]error{
		"RevokeAll":     l.RevokeAll(now.Add(bounds.DefaultClockSkew)),
		"RevokeSubject": l.RevokeSubject("ada", now.Add(time.Second)),
		"RevokeSession": l.RevokeSession("id", now.Add(24*time.Hour)),
	} {
		if err != nil {
			t.Errorf("%s within bounds: %v", name, err)
		}
	}
}

// TestOptions: MaxAge is bounded like the store's Options.MaxAge (1s..400
// days), MaxEntries is not negative, each refusal naming its field; zero
// options mean 400 days, 1,000,000 entries and a minute of skew.
func TestOptions(t *testing.T) {
	for _, c := range []struct {
		o     Options
		field string
	}{
		{Options{MaxAge: bounds.MaxAgeLimit + time.Second}, "MaxAge"},
		{Options{MaxAge: 100 * 365 * 24 * time.Hour}, "MaxAge"},
		{Options{MaxAge: time.Millisecond}, "MaxAge"},
		{Options{MaxEntries: -1}, "MaxEntries"},
	} {
		if _, err := New(c.o); !errors.Is(err, cookiesession.ErrInvalidOptions) || !strings.Contains(err.Error(), "memrevoke.Options."+c.field) {
			t.Errorf("%+v: %v, want ErrInvalidOptions naming %s", c.o, err, c.field)
		}
	}
	l := newList(t, Options{})
	if l.maxAge != 400*24*time.Hour || l.limit != 1_000_000 || l.skew != time.Minute {
		t.Fatalf("zero options: maxAge %v limit %d skew %v", l.maxAge, l.limit, l.skew)
	}
	if l := newList(t, Options{ClockSkew: -1}); l.skew != 0 {
		t.Fatalf("negative ClockSkew: skew %v, want none", l.skew)
	}
}

// TestFull: past MaxEntries a new entry is refused with ErrFull, never
// dropped in silence; raising an entry held already, and a new one once
// old ones expired, still work.
func TestFull(t *testing.T) {
	l := newList(t, Options{MaxAge: time.Hour, MaxEntries: 3})
	now := time.Now()
	for i, err := range []error{
		l.RevokeSession("a", now.Add(time.Minute)),
		l.RevokeSession("b", now.Add(time.Hour)),
		l.RevokeSubject("ada", now),
	} {
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	err := l.RevokeSession("c", now.Add(time.Hour))
	if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), "MaxEntries") {
		t.Fatalf("fourth entry: %v, want ErrFull naming MaxEntries", err)
	}
	if err := l.RevokeSubject("bob", now); !errors.Is(err, ErrFull) {
		t.Fatalf("fourth entry (subject): %v", err)
	}
	if l.Revoked("c", "", now) || l.Len() != 3 {
		t.Fatalf("a refused entry was recorded: %d entries", l.Len())
	}
	if err := l.RevokeSession("a", now.Add(time.Hour)); err != nil {
		t.Fatalf("raising a held entry: %v", err)
	}
	if err := l.RevokeAll(now); err != nil {
		t.Fatalf("the global cut-off is not counted: %v", err)
	}
	// Once an entry expires, its place is free again: x's until has
	// passed when y comes.
	l2 := newList(t, Options{MaxAge: time.Hour, MaxEntries: 1})
	if err := l2.RevokeSession("x", now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := l2.RevokeSession("y", now.Add(time.Minute)); err != nil {
		t.Fatalf("after the only entry expired: %v", err)
	}
	if !l2.Revoked("y", "", now) || l2.Len() != 1 {
		t.Fatalf("the new entry is not enforced, or the expired one kept: %d entries", l2.Len())
	}
}

// TestCompactID: an identifier of Session.ID's form is held compactly
// (seconds, rounded up: never shorter than asked, at most a second
// longer); any other string is held as given; both refuse while held, and
// a sweep drops each after its own until.
func TestCompactID(t *testing.T) {
	l := newList(t, Options{MaxAge: 24 * time.Hour})
	now := time.Now().Truncate(time.Second)
	keys := []string{sessionID, "not-an-id", sessionID[:21] + "B"} // the last: not canonical base64url
	for _, key := range keys {
		if err := l.RevokeSession(key, now.Add(10*time.Second+time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	if l.ids.Len() != 1 || len(l.sessions) != 2 {
		t.Fatalf("compact %d, strings %d; want 1 and 2", l.ids.Len(), len(l.sessions))
	}
	for _, key := range keys {
		if !l.Revoked(key, "", now) {
			t.Errorf("%q: not refused", key)
		}
	}
	for _, step := range []struct {
		at            time.Duration
		compact, text int // entries left after a sweep at now+at
	}{{10 * time.Second, 1, 2}, {10*time.Second + 500*time.Millisecond, 1, 0}, {11 * time.Second, 0, 0}} {
		l.mu.Lock()
		l.sweepAt(now.Add(step.at))
		compact, text := l.ids.Len(), len(l.sessions)
		l.mu.Unlock()
		if compact != step.compact || text != step.text {
			t.Errorf("sweep at +%v: compact %d, strings %d; want %d and %d", step.at, compact, text, step.compact, step.text)
		}
	}
	if l.Revoked(sessionID, "", now) || l.Revoked("not-an-id", "", now) {
		t.Fatal("refused after the sweep dropped the entries")
	}
}

// BenchmarkListMemory reports the Go heap a List holds per revoked
// session (B/entry, after GC), with identifiers as Session.ID makes them
// (16 random bytes, base64url) at 100,000 and 1,000,000 entries.
func BenchmarkListMemory(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			until := time.Now().Add(time.Hour)
			var perEntry float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				l := newList(b, Options{MaxEntries: n})
				for i := range n { // each identifier a string of its own, as a request's
					if err := l.RevokeSession(benchID(i), until); err != nil {
						b.Fatal(err)
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perEntry = float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
				runtime.KeepAlive(l)
			}
			b.ReportMetric(perEntry, "B/entry")
		})
	}
}

// benchID is the i-th of distinct identifiers of Session.ID's form (16
// bytes that look random, base64url), none of them all zeros.
func benchID(i int) string {
	i++
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:], uint64(i)*0x9E3779B97F4A7C15)
	binary.BigEndian.PutUint64(raw[8:], uint64(i))
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// BenchmarkRevoked100k is the per-request check against a List of
// 100,000 revoked sessions and 1,000 subject cut-offs: revoked (a
// different entry each call) and not revoked.
func BenchmarkRevoked100k(b *testing.B) {
	l := newList(b, Options{})
	now := time.Now()
	ids := make([]string, 100_000)
	for i := range ids {
		ids[i] = benchID(i)
		if err := l.RevokeSession(ids[i], now.Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
		if i%100 == 0 {
			if err := l.RevokeSubject("user-"+strconv.Itoa(i), now); err != nil {
				b.Fatal(err)
			}
		}
	}
	created := now.Add(-time.Minute)
	b.Run("revoked", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if !l.Revoked(ids[i%len(ids)], "", created) {
				b.Fatal("not revoked")
			}
			i++
		}
	})
	b.Run("not-revoked", func(b *testing.B) {
		for b.Loop() {
			if l.Revoked("AAAAAAAAAAAAAAAAAAAAAA", "someone", created) {
				b.Fatal("revoked")
			}
		}
	})
}
