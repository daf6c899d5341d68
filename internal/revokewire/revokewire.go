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
// entry on Channel(prefix) as Message formats it, and appends each change
// to the kind's change log (LogKey), read back by LogScript. The package
// has no dependencies: a caller brings a Scripter.
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

// LogKey is the name of kind k's change log under prefix: a stream in
// the same Redis Cluster hash slot as prefix+k.Key(), so that one script
// can write both. Each entry of the stream is one change, the field the
// member and the value its new score, or, last of each MergeScript call
// that changed the set, the field VersionMember and the value the set's new
// version. A prefix holding a hash tag ({...}) keeps it; any other is
// wrapped in one.
func LogKey(prefix string, k Kind) string {
	key := prefix + k.Key()
	if hashTag(key) {
		return key + ":log"
	}
	return "{" + key + "}:log"
}

// hashTag reports whether key holds a Redis Cluster hash tag: a "{"
// followed, not at once, by a "}".
func hashTag(key string) bool {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return false
	}
	end := strings.IndexByte(key[open+1:], '}')
	return end > 0
}

// LogLength is about how many changes a change log keeps (XADD MAXLEN ~):
// a reader further behind re-reads the whole set.
const LogLength = 100_000

// LogReadMax is the most changes a reader takes from a change log in one
// read; further behind, it re-reads the whole set, as cheap then.
const LogReadMax = 10_000

// Channel is the pub/sub channel of the revocations under prefix.
func Channel(prefix string) string { return prefix + "events" }

// CheckPrefix reports whether p can be a prefix: non-empty, without spaces
// or line breaks, and without "}" unless it holds a hash tag (LogKey would
// otherwise land in another Redis Cluster slot than its set).
func CheckPrefix(p string) error {
	if p == "" || strings.ContainsAny(p, " \r\n") {
		return fmt.Errorf("prefix %q: must be non-empty, without spaces or line breaks", p)
	}
	if strings.Contains(p, "}") && !hashTag(p) {
		return fmt.Errorf("prefix %q: a \"}\" is allowed only after a hash tag's \"{\", as in \"{app}:revoke:\"", p)
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

// The errors every revocation list shares, in memory (package memrevoke)
// or through Redis (package redisrevoke): each package exports them under
// the same names, so errors.Is matches either package's value.
var (
	// ErrFuture reports an entry that lies further ahead than Ahead
	// allows.
	ErrFuture = errors.New("cookiesession: revocation too far in the future")
	// ErrFull reports a new entry refused because a list holds its
	// maximum of live entries.
	ErrFull = errors.New("cookiesession: revocation list full")
)

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
// clock an entry may lie (ms, Ahead), ARGV[6] the change log's length
// (LogLength), then come score, member pairs. An entry further ahead is
// neither recorded nor published. Each entry raised is appended to the
// change log (KEYS[2], LogKey), and, when the set changed, its new version
// after them; the log expires with the set.
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
for i = 7, #ARGV, 2 do
  if tonumber(ARGV[i]) + life <= now then
    expired = expired + 1
  elseif tonumber(ARGV[i]) > now + ahead then
    future = future + 1
  else
    local raised = redis.call('ZADD', KEYS[1], 'GT', 'CH', ARGV[i], ARGV[i+1])
    changed = changed + raised
    if raised > 0 then
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', ARGV[i+1], ARGV[i])
    end
    if ARGV[3] ~= '' then
      redis.call('PUBLISH', ARGV[3], ARGV[4] .. ' ' .. ARGV[i] .. ' ' .. ARGV[i+1])
    end
  end
end
changed = changed + redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now - life)
local top = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', 0, 'WITHSCORES', 'LIMIT', 0, 1)
if top[2] == nil then
  redis.call('DEL', KEYS[1], KEYS[2])
elseif changed > 0 then
  redis.call('ZADD', KEYS[1], ARGV[2], '')
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', '', ARGV[2])
  local expiry = string.format('%d', tonumber(top[2]) + life)
  redis.call('PEXPIREAT', KEYS[1], expiry)
  redis.call('PEXPIREAT', KEYS[2], expiry)
end
return changed + expired * 4294967296 + future * 4398046511104
`

// MergeScriptSHA1 is the SHA-1 of MergeScript in hex, for EVALSHA.
var MergeScriptSHA1 = sha1Hex(MergeScript)

// LogScript reads a kind's change log (KEYS[2]) from a reader's position:
// ARGV[1] the stream ID and ARGV[2] the log's count of entries ever added
// (XINFO STREAM's entries-added, Redis 7.0 or later) when the reader last
// read, ARGV[3] the most changes to return ("0": the position only). It
// returns the set's (KEYS[1]) version ("0" without the set), the log's last
// ID and count, whether the changes follow (1) or the log cannot cover the
// gap (0: trimmed past the reader, recreated, longer than ARGV[3]), then
// field, value pairs of every change after the reader's position: a member
// and its score, or VersionMember and the version a merge set. The log
// covers the gap exactly when it holds as many entries after the reader's
// ID as were added since: none was trimmed, and it was not recreated.
const LogScript = `
local v = redis.call('ZSCORE', KEYS[1], '') or '0'
if redis.call('EXISTS', KEYS[2]) == 0 then
  return {v, '0-0', '0', 0}
end
local info = redis.call('XINFO', 'STREAM', KEYS[2])
local last, added = '0-0', 0
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then last = info[i+1] end
  if info[i] == 'entries-added' then added = info[i+1] end
end
local n = added - tonumber(ARGV[2])
if ARGV[3] == '0' or n < 0 or n > tonumber(ARGV[3]) then
  return {v, last, tostring(added), 0}
end
local rows = {}
if n > 0 then
  rows = redis.call('XRANGE', KEYS[2], '(' .. ARGV[1], '+')
end
if #rows ~= n then
  return {v, last, tostring(added), 0}
end
local out = {v, last, tostring(added), 1}
for _, row in ipairs(rows) do
  for j = 1, #row[2] do
    out[#out + 1] = row[2][j]
  end
end
return out
`

// LogScriptSHA1 is the SHA-1 of LogScript in hex, for EVALSHA.
var LogScriptSHA1 = sha1Hex(LogScript)

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

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

// Keys are MergeScript's keys: the sorted set and its change log.
func (m Merge) Keys() []string { return []string{m.Key(), LogKey(m.Prefix, m.Kind)} }

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
		return []string{strconv.FormatInt(m.Life, 10), strconv.FormatInt(NewVersion(), 10), channel, m.Kind.Letter(), strconv.FormatInt(m.Ahead, 10), strconv.Itoa(LogLength)}
	}
	const headLen = 6
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
		n, err := s.RunScript(ctx, MergeScript, MergeScriptSHA1, m.Keys(), args)
		if err != nil {
			return r, err
		}
		r.add(n)
	}
	return r, nil
}
