package redisrevoke

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// A write-back of more than PairsPerCall entries takes several script
// calls. A replica that reads the set between two of them must still see
// the version move after the second, and read the rest.
func TestWriteBackAcrossCallsIsReread(t *testing.T) {
	s := startRedis(t)
	l := newList(t, s, Options{PingEvery: time.Hour, ResyncEvery: time.Hour})
	until := time.Now().Add(time.Hour).UnixMilli()
	entries := map[string]int64{}
	for i := range revokewire.PairsPerCall + 500 {
		entries[fmt.Sprintf("sess-%04d", i)] = until
	}
	m := revokewire.Merge{Prefix: DefaultPrefix, Kind: kindSession, Ahead: revokewire.Ahead(kindSession, time.Hour, time.Minute), Entries: entries}
	calls := m.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	sc := scripter{s.client()}
	for i, args := range calls {
		if _, err := sc.RunScript(bg, revokewire.MergeScript, revokewire.MergeScriptSHA1, m.Keys(), args); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			must(t, l.Refresh(bg)) // reads between the two calls
		}
	}
	must(t, l.Refresh(bg))
	missed := 0
	for id := range entries {
		if !l.Revoked(id, "", time.Now()) {
			missed++
		}
	}
	if missed > 0 {
		t.Errorf("after a refresh the replica misses %d of %d revoked sessions", missed, len(entries))
	}
}

// When the write-back of one kind fails, the later kinds are still merged
// and written back once Redis accepts writes again.
func TestWriteBackFailureKeepsLaterKinds(t *testing.T) {
	s := startRedis(t)
	admin := s.client()
	must(t, admin.Do(bg, "ACL", "SETUSER", "app", "on", ">pw", "~*", "&*", "+@all").Err())
	c := redis.NewClient(&redis.Options{Addr: s.addr(), Username: "app", Password: "pw"})
	defer c.Close()
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	a, err := New(ctx, c, Options{MaxAge: time.Hour, PingEvery: time.Hour, ResyncEvery: time.Hour, OnError: func(err error) { t.Log(err) }})
	must(t, err)
	defer a.Close()

	// Writes fail (as under noeviction when Redis is full), reads work.
	must(t, admin.Do(bg, "ACL", "SETUSER", "app", "-evalsha", "-eval").Err())
	if err := a.RevokeSession(bg, "sess-A", time.Now().Add(time.Hour)); err == nil {
		t.Fatal("RevokeSession succeeded without the right to write")
	}
	if err := a.RevokeSubject(bg, "alice", time.Now()); err == nil {
		t.Fatal("RevokeSubject succeeded without the right to write")
	}
	if err := a.Refresh(bg); err == nil {
		t.Fatal("Refresh wrote back without the right to write")
	}
	must(t, admin.Do(bg, "ACL", "SETUSER", "app", "+evalsha", "+eval").Err())
	must(t, a.Refresh(bg))
	for key, member := range map[string]string{"sessions": "sess-A", "subjects": "alice"} {
		if err := admin.ZScore(bg, DefaultPrefix+key, member).Err(); err != nil {
			t.Errorf("%s %q not written back: %v", key, member, err)
		}
	}
}
