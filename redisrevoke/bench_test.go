package redisrevoke

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// fill writes n session entries and n/100 subject cut-offs to Redis
// without publishing, and returns the session identifiers.
func fill(tb testing.TB, l *List, n int) []string {
	tb.Helper()
	until := time.Now().Add(time.Hour).UnixMilli()
	ids, sessions, subjects := make([]string, n), map[string]int64{}, map[string]int64{}
	for i := range n {
		ids[i] = sessionID(i)
		sessions[ids[i]] = until
		if i%100 == 0 {
			subjects["user-"+strconv.Itoa(i)] = time.Now().UnixMilli()
		}
	}
	must(tb, l.write(bg, kindSession, sessions, false))
	must(tb, l.write(bg, kindSubject, subjects, false))
	return ids
}

// sessionID is the i-th of distinct identifiers of Session.ID's form (16
// bytes that look random, base64url), none of them all zeros (the
// identifier the benchmarks check as not revoked).
func sessionID(i int) string {
	i++
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:], uint64(i)*0x9E3779B97F4A7C15)
	binary.BigEndian.PutUint64(raw[8:], uint64(i))
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// heap returns the live heap after a collection.
func heap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// The per-request check against a replica of 100,000 revoked sessions
// (and 1,000 subject cut-offs), and the replica's memory.
func BenchmarkRevoked100k(b *testing.B) {
	s := startRedis(b)
	ids := fill(b, newList(b, s, Options{}), 100_000)
	before := heap()
	l := newList(b, s, Options{PingEvery: time.Hour, ResyncEvery: time.Hour})
	mem := heap() - before
	if l.Len() != 101_000 {
		b.Fatalf("replica holds %d entries", l.Len())
	}
	created := time.Now().Add(-time.Minute)
	b.Run("revoked", func(b *testing.B) {
		benchRevoked(b, l, ids, created)
		b.ReportMetric(float64(mem)/1e6, "replica-MB")
		b.ReportMetric(float64(mem)/101_000, "replica-B/entry")
	})
	b.Run("not-revoked", func(b *testing.B) {
		for b.Loop() {
			if l.Revoked("AAAAAAAAAAAAAAAAAAAAAA", "someone", created) {
				b.Fatal("revoked")
			}
		}
	})
	// With FailClosedAfter, Revoked also measures the replica's age. The
	// replica loads only when this case is selected (b.Loop times only
	// the loop).
	b.Run("revoked-failclosed", func(b *testing.B) {
		closing := newList(b, s, Options{PingEvery: time.Hour, ResyncEvery: time.Hour, FailClosedAfter: 2 * time.Hour})
		benchRevoked(b, closing, ids, created)
	})
	b.Run("not-revoked-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Revoked("AAAAAAAAAAAAAAAAAAAAAA", "someone", created)
			}
		})
	})
}

// benchRevoked asks l about a different revoked identifier of ids each
// call.
func benchRevoked(b *testing.B, l *List, ids []string, created time.Time) {
	i := 0
	for b.Loop() {
		if !l.Revoked(ids[i%len(ids)], "", created) {
			b.Fatal("not revoked")
		}
		i++
	}
}

// Refresh against loopback Redis: unchanged (the versions only), and after
// one entry changed (the versions, then the whole changed kind), with 0 and
// 100,000 revoked sessions.
func BenchmarkRefresh(b *testing.B) {
	for _, n := range []int{0, 100_000} {
		s := startRedis(b)
		w := newList(b, s, Options{})
		if n > 0 {
			fill(b, w, n)
		}
		l := newList(b, s, Options{PingEvery: time.Hour, ResyncEvery: time.Hour})
		b.Run(fmt.Sprintf("entries=%d/unchanged", n), func(b *testing.B) {
			for b.Loop() {
				must(b, l.Refresh(bg))
			}
		})
		b.Run(fmt.Sprintf("entries=%d/changed", n), func(b *testing.B) {
			until := time.Now().Add(time.Hour).UnixMilli()
			sent := s.netOutput(b)
			for b.Loop() {
				b.StopTimer()
				until += 1000 // the same entry, a second later: the size stays n+1
				must(b, w.write(bg, kindSession, map[string]int64{sessionID(n + 1): until}, false))
				b.StartTimer()
				must(b, l.Refresh(bg))
			}
			// Bytes Redis sent, all clients: mostly the refresh's replies.
			b.ReportMetric(float64(s.netOutput(b)-sent)/float64(b.N), "redis-B/op")
		})
	}
}

// How fast a revocation made on one instance is seen by another: 200
// revocations, each timed from before RevokeSession until the other
// instance's Revoked reports it.
func TestPropagationLatency(t *testing.T) {
	s := startRedis(t)
	a, b := newList(t, s, Options{}), newList(t, s, Options{})
	var took []time.Duration
	for i := range 200 {
		id := "latency-" + strconv.Itoa(i)
		start := time.Now()
		must(t, a.RevokeSession(bg, id, start.Add(time.Hour)))
		for !b.Revoked(id, "", start) {
			if time.Since(start) > time.Second {
				t.Fatalf("revocation %d not seen within 1s", i)
			}
			runtime.Gosched()
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	t.Logf("RevokeSession on one instance until Revoked on the other, %d revocations: p50 %v, p99 %v, max %v",
		len(took), took[len(took)/2], took[len(took)*99/100], took[len(took)-1])
}

// BenchmarkReplicaMemory reports the Go heap the replica holds per revoked
// session (B/entry, after GC), identifiers as Session.ID makes them (22
// base64url characters), at 100,000 and 1,000,000 entries.
func BenchmarkReplicaMemory(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			until := time.Now().Add(time.Hour).UnixMilli()
			var perEntry float64
			for b.Loop() {
				before := heap()
				r := newReplica(time.Hour)
				now := time.Now().UnixMilli()
				for i := range n { // each identifier a string of its own
					r.merge(kindSession, sessionID(i), until, now)
				}
				perEntry = float64(heap()-before) / float64(n)
				runtime.KeepAlive(r)
			}
			b.ReportMetric(perEntry, "B/entry")
		})
	}
}

// netOutput returns the bytes the server has sent to its clients (INFO
// stats, total_net_output_bytes).
func (s *server) netOutput(tb testing.TB) int64 {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.addr()})
	defer c.Close()
	info, err := c.Info(context.Background(), "stats").Result()
	must(tb, err)
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_net_output_bytes:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			must(tb, err)
			return n
		}
	}
	tb.Fatal("INFO stats without total_net_output_bytes")
	return 0
}
