package revokewire

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSchemaNames(t *testing.T) {
	for k, want := range map[Kind][2]string{
		Session: {"sessions", "s"},
		Subject: {"subjects", "u"},
		All:     {"all", "a"},
	} {
		if k.Key() != want[0] || k.Letter() != want[1] {
			t.Errorf("kind %d: key %q letter %q, want %q %q", k, k.Key(), k.Letter(), want[0], want[1])
		}
		if got, ok := KindOf(want[1]); !ok || got != k {
			t.Errorf("KindOf(%q) = %d, %v", want[1], got, ok)
		}
	}
	if _, ok := KindOf("x"); ok {
		t.Error("KindOf accepts an unknown letter")
	}
	if got := Channel(DefaultPrefix); got != "cookiesession:revoke:events" {
		t.Errorf("Channel = %q", got)
	}
	sum := sha1.Sum([]byte(MergeScript))
	if MergeScriptSHA1 != hex.EncodeToString(sum[:]) {
		t.Error("MergeScriptSHA1 is not the script's SHA-1")
	}
}

func TestScoreRoundsUp(t *testing.T) {
	base := time.UnixMilli(1_700_000_000_000)
	for _, tc := range []struct {
		t    time.Time
		want int64
	}{
		{base, base.UnixMilli()},
		{base.Add(time.Nanosecond), base.UnixMilli() + 1},
		{base.Add(999 * time.Microsecond), base.UnixMilli() + 1},
	} {
		if got := Score(tc.t); got != tc.want {
			t.Errorf("Score(%v) = %d, want %d", tc.t, got, tc.want)
		}
	}
	if Life(Session, time.Hour) != 0 || Life(Subject, time.Hour) != 3600_000 || Life(All, time.Second) != 1000 {
		t.Error("Life")
	}
}

func TestMessageRoundTrip(t *testing.T) {
	for _, m := range []string{"abc", "user with spaces", AllMember} {
		k, ms, member, err := ParseMessage(Message(Subject, 42, m))
		if err != nil || k != Subject || ms != 42 || member != m {
			t.Errorf("%q: %d %d %q %v", m, k, ms, member, err)
		}
	}
	for _, bad := range []string{"", "s 1", "x 1 m", "s one m", "s 1 "} {
		if _, _, _, err := ParseMessage(bad); err == nil {
			t.Errorf("ParseMessage(%q) accepted", bad)
		}
	}
}

func TestVersionNegativeExact(t *testing.T) {
	for range 1000 {
		v := NewVersion()
		if v >= 0 || v < -(1<<52) || int64(float64(v)) != v {
			t.Fatalf("version %d", v)
		}
	}
}

// recorder is a Scripter that records its calls.
type recorder struct {
	calls [][]string
	keys  []string
	err   error
}

func (r *recorder) RunScript(_ context.Context, script, sha string, keys, args []string) (int64, error) {
	if script != MergeScript || sha != MergeScriptSHA1 {
		return 0, errors.New("not the merge script")
	}
	r.calls = append(r.calls, args)
	r.keys = append(r.keys, keys...)
	return int64((len(args) - 6) / 2), r.err
}

func TestMergeCalls(t *testing.T) {
	entries := map[string]int64{}
	for i := range 2*PairsPerCall + 1 {
		entries["id"+strconv.Itoa(i)] = int64(i) + 1
	}
	m := Merge{Prefix: "p:", Kind: Session, Life: 0, Ahead: 7, Publish: true, Entries: entries}
	var r recorder
	res, err := m.Run(context.Background(), &r)
	if err != nil || res != (Result{Changed: int64(len(entries))}) {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if len(r.calls) != 3 {
		t.Fatalf("%d calls, want 3", len(r.calls))
	}
	seen := map[string]bool{}
	versions := map[string]bool{}
	for i, args := range r.calls {
		if r.keys[2*i] != "p:sessions" || r.keys[2*i+1] != "{p:sessions}:log" {
			t.Errorf("keys %q", r.keys[2*i:2*i+2])
		}
		// Each call moves the version: a reader between two calls must
		// see it move again after the second.
		if versions[args[1]] {
			t.Errorf("call %d reuses version %s", i, args[1])
		}
		versions[args[1]] = true
		if args[0] != "0" || !strings.HasPrefix(args[1], "-") || args[2] != "p:events" || args[3] != "s" || args[4] != "7" || args[5] != strconv.Itoa(LogLength) {
			t.Errorf("call %d head %q", i, args[:6])
		}
		if len(args)%2 != 0 || len(args)-6 > 2*PairsPerCall {
			t.Errorf("call %d has %d arguments", i, len(args))
		}
		for j := 6; j < len(args); j += 2 {
			if strconv.FormatInt(entries[args[j+1]], 10) != args[j] {
				t.Errorf("entry %q scored %q", args[j+1], args[j])
			}
			seen[args[j+1]] = true
		}
	}
	if len(seen) != len(entries) {
		t.Errorf("%d entries written, want %d", len(seen), len(entries))
	}

	quiet := Merge{Prefix: "p:", Kind: All, Life: 5, Entries: map[string]int64{AllMember: 7}}
	if c := quiet.Calls(); len(c) != 1 || c[0][2] != "" || c[0][0] != "5" {
		t.Errorf("unpublished merge: %q", c)
	}
	if c := (Merge{Prefix: "p:", Kind: All}).Calls(); len(c) != 0 {
		t.Errorf("empty merge makes %d calls", len(c))
	}
}

func TestCheckPrefix(t *testing.T) {
	for _, p := range []string{"", "a b", "a\nb", "a\rb"} {
		if CheckPrefix(p) == nil {
			t.Errorf("prefix %q accepted", p)
		}
	}
	if err := CheckPrefix(DefaultPrefix); err != nil {
		t.Error(err)
	}
}

// TestLogKeySameSlot: a change log lands in its set's Redis Cluster hash
// slot, under a prefix with or without a hash tag; a prefix that would
// break this is refused.
func TestLogKeySameSlot(t *testing.T) {
	for _, p := range []string{DefaultPrefix, "p:", "{app}:revoke:", "a{b}c{d}:", "x{:", "}{x}"} {
		for k := range Kinds {
			set, log := p+k.Key(), LogKey(p, k)
			if slot(set) != slot(log) || set == log {
				t.Errorf("prefix %q: %q in slot %d, %q in %d", p, set, slot(set), log, slot(log))
			}
		}
		if err := CheckPrefix(p); err != nil {
			t.Errorf("CheckPrefix(%q): %v", p, err)
		}
	}
	for _, p := range []string{"a}b:", "{}}:", "{}:"} {
		if CheckPrefix(p) == nil {
			t.Errorf("CheckPrefix(%q) accepts it", p)
		}
	}
}

// slot is a key's Redis Cluster hash slot: CRC16-XMODEM of its hash tag,
// or of the whole key, modulo 16384 (the cluster specification).
func slot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for _, c := range []byte(key) {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) % 16384
}
