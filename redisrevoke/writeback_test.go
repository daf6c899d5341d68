package redisrevoke

import (
	"fmt"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// A write-back of more than PairsPerCall entries takes several script
// calls. A replica that reads the set between two of them must still see
// the version move after the second, and read the rest.
func TestWriteBackAcrossCallsIsReread(t *testing.T) {
	s := startRedis(t)
	l := newList(t, s, PingEvery(time.Hour), ResyncEvery(time.Hour))
	until := time.Now().Add(time.Hour).UnixMilli()
	entries := map[string]int64{}
	for i := range revokewire.PairsPerCall + 500 {
		entries[fmt.Sprintf("sess-%04d", i)] = until
	}
	m := revokewire.Merge{Prefix: DefaultPrefix, Kind: kindSession, Entries: entries}
	calls := m.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	sc := scripter{s.client()}
	for i, args := range calls {
		if _, err := sc.RunScript(bg, revokewire.MergeScript, revokewire.MergeScriptSHA1, []string{m.Key()}, args); err != nil {
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
