package redisrevoke

import (
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// TestRefreshReadsOnlyChanges: after one revocation, a refresh reads that
// change from the kind's log, not the whole set (no ZRANGEBYSCORE), and the
// other instance enforces it.
func TestRefreshReadsOnlyChanges(t *testing.T) {
	s := startRedis(t)
	w := newList(t, s, Options{})
	fill(t, w, 5_000)
	l := newList(t, s, Options{PingEvery: time.Hour, ResyncEvery: time.Hour})
	for i := range 3 { // the second and third from the position the first left
		id := sessionID(1_000_000 + i)
		must(t, w.write(bg, kindSession, map[string]int64{id: time.Now().Add(time.Hour).UnixMilli()}, false))
		before := s.commands()
		must(t, l.Refresh(bg))
		delta := diff(before, s.commands())
		if delta["zrangebyscore"] != 0 || delta["evalsha"] != 1 {
			t.Errorf("refresh %d after one revocation sent %v; want one log read, no ZRANGEBYSCORE", i, delta)
		}
		if !l.Revoked(id, "", time.Now()) {
			t.Fatalf("refresh %d: the revocation is not enforced", i)
		}
	}
}

// TestLogGapReadsWholeKind: when the log cannot cover what a replica
// missed (deleted and recreated, written by a writer that does not log,
// more than LogReadMax changes behind), the refresh reads the whole kind,
// and the replica misses nothing.
func TestLogGapReadsWholeKind(t *testing.T) {
	until := time.Now().Add(time.Hour).UnixMilli()
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, s *server, w *List) []string
	}{
		{"log deleted", func(t *testing.T, s *server, w *List) []string {
			must(t, w.write(bg, kindSession, map[string]int64{"before-del": until}, false))
			must(t, s.client().Del(bg, revokewire.LogKey(DefaultPrefix, kindSession)).Err())
			must(t, w.write(bg, kindSession, map[string]int64{"after-del": until}, false))
			return []string{"before-del", "after-del"}
		}},
		{"log trimmed past the position", func(t *testing.T, s *server, w *List) []string {
			for _, id := range []string{"trimmed-1", "trimmed-2"} {
				must(t, w.write(bg, kindSession, map[string]int64{id: until}, false))
			}
			must(t, s.client().XTrimMaxLen(bg, revokewire.LogKey(DefaultPrefix, kindSession), 1).Err())
			return []string{"trimmed-1", "trimmed-2"}
		}},
		{"writer without log", func(t *testing.T, s *server, w *List) []string {
			c := s.client()
			must(t, c.ZAdd(bg, DefaultPrefix+kindSession.Key(), zmember("unlogged", until), zmember(revokewire.VersionMember, -12345)).Err())
			return []string{"unlogged"}
		}},
		{"log further behind than LogReadMax", func(t *testing.T, s *server, w *List) []string {
			entries := map[string]int64{}
			var ids []string
			for i := range revokewire.LogReadMax + 1 {
				ids = append(ids, "many-"+strconv.Itoa(i))
				entries[ids[i]] = until
			}
			must(t, w.write(bg, kindSession, entries, false))
			return ids
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startRedis(t)
			w := newList(t, s, Options{})
			fill(t, w, 100)
			l := newList(t, s, Options{PingEvery: time.Hour, ResyncEvery: time.Hour})
			ids := tc.write(t, s, w)
			before := s.commands()
			must(t, l.Refresh(bg))
			if delta := diff(before, s.commands()); delta["zrangebyscore"] != 1 {
				t.Errorf("refresh sent %v; want a read of the whole kind", delta)
			}
			for _, id := range ids {
				if !l.Revoked(id, "", time.Now()) {
					t.Fatalf("%s is not enforced", id)
				}
			}
			before = s.commands()
			must(t, l.Refresh(bg)) // and from the new position, nothing to read
			if delta := diff(before, s.commands()); delta["zrangebyscore"] != 0 || delta["evalsha"] != 0 {
				t.Errorf("refresh with nothing changed sent %v", delta)
			}
		})
	}
}

// zmember is a sorted set member for ZADD.
func zmember(m string, score int64) redis.Z { return redis.Z{Member: m, Score: float64(score)} }
