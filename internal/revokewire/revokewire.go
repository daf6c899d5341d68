// Package revokewire is the one definition of how cookiesession
// revocations are stored in Redis, as package redisrevoke writes and reads
// them through go-redis (the cookiesession command writes through
// redisrevoke.Writer): the key names, the merge script, the member and
// score encoding, and the pub/sub message.
//
// Under a prefix (DefaultPrefix) there are three sorted sets, one per Kind:
// "sessions" (member: a session identifier; score: until, Unix ms),
// "subjects" (member: a subject; score: the cut-off) and "all" (member
// AllMember; score: the global cut-off). The member VersionMember, with a
// negative score, holds the set's version, which changes whenever the set
// does. Every write goes through MergeScript, which also publishes each
// entry on Channel(prefix) as Message formats it. The package has no
// dependencies: a caller brings a Scripter.
package revokewire

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// DefaultPrefix is the default prefix of the keys and the channel.
const DefaultPrefix = "cookiesession:revoke:"

// Kind is one of the three kinds of entry, each kept in one sorted set.
type Kind uint8

const (
	Session Kind = iota // member: a session identifier; score: until
	Subject             // member: a subject; score: the cut-off
	All                 // member: AllMember; score: the global cut-off
	Kinds               // the number of kinds
)

// AllMember is the one member of the global cut-off's sorted set.
const AllMember = "*"

// VersionMember is the member that holds a set's version (its score, always
// negative, below every live entry's).
const VersionMember = ""

// Letter names kind k in pub/sub messages: "s", "u" or "a".
func (k Kind) Letter() string { return "sua"[k : k+1] }

// Key is the name of kind k's sorted set after the prefix.
func (k Kind) Key() string {
	switch k {
	case Session:
		return "sessions"
	case Subject:
		return "subjects"
	}
	return "all"
}

// KindOf returns the kind that a pub/sub message's letter names.
func KindOf(letter string) (Kind, bool) {
	for k := range Kinds {
		if k.Letter() == letter {
			return k, true
		}
	}
	return 0, false
}

// EpochKey is the key, after the prefix, of a random string that the first
// reader sets (SET NX) and every reader checks with each ping: when it
// vanishes or changes, Redis lost the revocations (FLUSHALL, a restart
// without persistence), and every reader writes back what it holds.
const EpochKey = "epoch"

// Channel is the pub/sub channel of the revocations under prefix.
func Channel(prefix string) string { return prefix + "events" }

// CheckPrefix reports whether p can be a prefix: non-empty, without spaces
// or line breaks.
func CheckPrefix(p string) error {
	if p == "" || strings.ContainsAny(p, " \r\n") {
		return fmt.Errorf("prefix %q: must be non-empty, without spaces or line breaks", p)
	}
	return nil
}

// Score encodes t as an entry's score: Unix milliseconds, rounded up so
// that rounding never shortens a revocation.
func Score(t time.Time) int64 {
	return t.Add(time.Millisecond - time.Nanosecond).UnixMilli()
}

// Life is how long past its score an entry of kind k lives, in
// milliseconds: a session entry ends at its score, a cut-off maxAge after
// it (no session created before it can still be valid then).
func Life(k Kind, maxAge time.Duration) int64 {
	if k == Session {
		return 0
	}
	return maxAge.Milliseconds()
}

// Ahead is how far past now an entry of kind k may lie, in milliseconds:
// a session's until at most maxAge (no session lives longer) plus the
// clock skew, a cut-off at most the clock skew. An entry further ahead is
// refused everywhere: by the Revoke methods, by a reader of Redis or of a
// message, and by MergeScript, which neither records nor publishes it. A
// cut-off in the future would refuse every new login until then.
func Ahead(k Kind, maxAge, skew time.Duration) int64 {
	if k == Session {
		return (maxAge + skew).Milliseconds()
	}
	return skew.Milliseconds()
}

// ErrFuture reports an entry that lies further ahead than Ahead allows.
var ErrFuture = errors.New("revocation lies too far in the future")

// CheckAhead returns an error matching ErrFuture if an entry of kind k and
// score ms lies more than ahead ms past now (Unix ms).
func CheckAhead(k Kind, ms, now, ahead int64) error {
	if ms > now+ahead {
		return fmt.Errorf("%w: %s entry at %s, more than %v after now (%s)", ErrFuture, k.Key(),
			time.UnixMilli(ms).UTC().Format(time.RFC3339), time.Duration(ahead)*time.Millisecond, time.UnixMilli(now).UTC().Format(time.RFC3339))
	}
	return nil
}

// NewVersion returns a random version: negative, so outside every range of
// live entries, and exact in a float64 score.
func NewVersion() int64 { return -(rand.Int64N(1<<52) + 1) }

// Message is what MergeScript publishes for one entry: "letter ms member".
func Message(k Kind, ms int64, member string) string {
	return k.Letter() + " " + strconv.FormatInt(ms, 10) + " " + member
}

// ParseMessage reads a Message.
func ParseMessage(payload string) (Kind, int64, string, error) {
	f := strings.SplitN(payload, " ", 3)
	if len(f) == 3 {
		ms, err := strconv.ParseInt(f[1], 10, 64)
		if k, ok := KindOf(f[0]); ok && err == nil && f[2] != "" {
			return k, ms, f[2], nil
		}
	}
	return 0, 0, "", fmt.Errorf("unreadable revocation message: %.40q", payload)
}

// MergeScript raises entries of one kind's sorted set (KEYS[1]) and
// publishes each on ARGV[3] unless it is "". ARGV[1] is how long past its
// score an entry lives (ms, Life), ARGV[2] the set's new version
// (NewVersion), ARGV[4] the kind's letter, ARGV[5] how far past Redis's
// clock an entry may lie (ms, Ahead), then come score, member pairs. An
// entry further ahead is neither recorded nor published.
// Expired entries are trimmed by Redis's clock, and the key expires with
// its last entry. The version is the member "" with a negative score,
// which no range of live entries (scores are Unix ms) reaches; it changes
// whenever the set does. One key per call, so it runs on Redis Cluster
// under any prefix. It returns how many entries changed, plus ExpiredUnit
// times how many it skipped as expired by Redis's clock, plus FutureUnit
// times how many it skipped as too far ahead of it (Result decodes it): a
// caller whose clock differs from Redis's learns that Redis did not record
// an entry it holds.
const MergeScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local life = tonumber(ARGV[1])
local changed = 0
local expired = 0
local future = 0
local ahead = tonumber(ARGV[5])
for i = 6, #ARGV, 2 do
  if tonumber(ARGV[i]) + life <= now then
    expired = expired + 1
  elseif tonumber(ARGV[i]) > now + ahead then
    future = future + 1
  else
    changed = changed + redis.call('ZADD', KEYS[1], 'GT', 'CH', ARGV[i], ARGV[i+1])
    if ARGV[3] ~= '' then
      redis.call('PUBLISH', ARGV[3], ARGV[4] .. ' ' .. ARGV[i] .. ' ' .. ARGV[i+1])
    end
  end
end
changed = changed + redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now - life)
local top = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', 0, 'WITHSCORES', 'LIMIT', 0, 1)
if top[2] == nil then
  redis.call('DEL', KEYS[1])
elseif changed > 0 then
  redis.call('ZADD', KEYS[1], ARGV[2], '')
  redis.call('PEXPIREAT', KEYS[1], string.format('%d', tonumber(top[2]) + life))
end
return changed + expired * 4294967296 + future * 4398046511104
`

// MergeScriptSHA1 is the SHA-1 of MergeScript in hex, for EVALSHA.
var MergeScriptSHA1 = func() string {
	sum := sha1.Sum([]byte(MergeScript))
	return hex.EncodeToString(sum[:])
}()

// PairsPerCall bounds the entries one MergeScript call carries (Lua's
// stack limits a call's arguments).
const PairsPerCall = 1000

// ExpiredUnit and FutureUnit are the factors of the expired and future
// counts in MergeScript's reply: a call trims fewer than ExpiredUnit
// entries and carries fewer than FutureUnit/ExpiredUnit (1,024); the sum
// stays below 2^53, exact in Lua's numbers.
const (
	ExpiredUnit = 1 << 32
	FutureUnit  = 1 << 42
)

// Result is what a merge did.
type Result struct {
	Changed int64 // entries raised or trimmed
	Expired int64 // entries skipped: expired already by Redis's clock
	Future  int64 // entries skipped: too far ahead of Redis's clock
}

// add decodes one MergeScript reply into r.
func (r *Result) add(n int64) {
	r.Changed += n % ExpiredUnit
	r.Expired += n % FutureUnit / ExpiredUnit
	r.Future += n / FutureUnit
}

// Scripter runs a Lua script on a Redis server: EVALSHA sha, falling back
// to EVAL script when the server does not have it, and returns the
// script's integer reply.
type Scripter interface {
	RunScript(ctx context.Context, script, sha string, keys, args []string) (int64, error)
}

// Merge is one write of entries (member: score) of one kind.
type Merge struct {
	Prefix  string
	Kind    Kind
	Life    int64 // Life(Kind, maxAge)
	Ahead   int64 // Ahead(Kind, maxAge, skew)
	Publish bool  // publish each entry on Channel(Prefix)
	Entries map[string]int64
}

// Key is the sorted set the merge writes.
func (m Merge) Key() string { return m.Prefix + m.Kind.Key() }

// Calls returns the ARGV of each MergeScript call the merge takes, at most
// PairsPerCall entries each, each under a new version of its own: a reader
// that read the set between two calls has stored the first call's version,
// and must see the version move again after the second.
func (m Merge) Calls() [][]string {
	channel := ""
	if m.Publish {
		channel = Channel(m.Prefix)
	}
	head := func() []string {
		return []string{strconv.FormatInt(m.Life, 10), strconv.FormatInt(NewVersion(), 10), channel, m.Kind.Letter(), strconv.FormatInt(m.Ahead, 10)}
	}
	const headLen = 5
	var calls [][]string
	args := head()
	for member, ms := range m.Entries {
		args = append(args, strconv.FormatInt(ms, 10), member)
		if len(args)-headLen == 2*PairsPerCall {
			calls = append(calls, args)
			args = head()
		}
	}
	if len(args) > headLen {
		calls = append(calls, args)
	}
	return calls
}

// Run runs the merge's calls through s and returns what they did.
func (m Merge) Run(ctx context.Context, s Scripter) (Result, error) {
	var r Result
	for _, args := range m.Calls() {
		n, err := s.RunScript(ctx, MergeScript, MergeScriptSHA1, []string{m.Key()}, args)
		if err != nil {
			return r, err
		}
		r.add(n)
	}
	return r, nil
}
