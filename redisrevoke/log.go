package redisrevoke

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// logPos is a reader's position in a kind's change log
// (revokewire.LogScript): the last stream ID read and the log's count of
// entries ever added then.
type logPos struct {
	id    string
	added int64
	ok    bool // the position is known: the next refresh may read from it
}

// logReply is a decoded LogScript reply.
type logReply struct {
	version float64          // the set's version, 0 without the set
	covered bool             // the changes since the position follow
	entries map[string]int64 // the changes, member -> score (the highest)
	rows    int              // entries of the log read, versions included
	tail    float64          // the version the last row records, if tailOK
	tailOK  bool             // the last row records a version
}

// logRead runs revokewire.LogScript from pos, returning at most max
// changes (0: the position only). On a Redis without the log's commands
// (before 7.0) the position is not ok, and every change re-reads the
// whole kind; that is reported through OnError.
func (l *List) logRead(ctx context.Context, k kind, pos logPos, max int) (logPos, logReply, error) {
	keys := []string{l.cfg.prefix + k.Key(), revokewire.LogKey(l.cfg.prefix, k)}
	from := cmp.Or(pos.id, "0-0")
	args := []string{from, strconv.FormatInt(pos.added, 10), strconv.Itoa(max)}
	v, err := l.scripter().run(ctx, revokewire.LogScript, revokewire.LogScriptSHA1, keys, args).Slice()
	if err != nil {
		var re redis.Error
		if ctx.Err() == nil && errors.As(err, &re) {
			l.cfg.onError(fmt.Errorf("redisrevoke: reading the change log %s failed (Redis 7.0 or later is needed): each change re-reads the whole %s set: %w", keys[1], k.Key(), err))
			return logPos{}, logReply{}, nil
		}
		return logPos{}, logReply{}, fmt.Errorf("%w: reading the change log %s: %w", ErrUnavailable, keys[1], err)
	}
	return decodeLog(v)
}

// decodeLog reads a LogScript reply: version, last ID, count, covered,
// then field, value pairs.
func decodeLog(v []any) (logPos, logReply, error) {
	bad := fmt.Errorf("%w: unreadable change log reply", ErrUnavailable)
	if len(v) < 4 || len(v)%2 != 0 {
		return logPos{}, logReply{}, bad
	}
	version, err1 := strconv.ParseFloat(fmt.Sprint(v[0]), 64)
	added, err2 := strconv.ParseInt(fmt.Sprint(v[2]), 10, 64)
	id, ok := v[1].(string)
	if err1 != nil || err2 != nil || !ok {
		return logPos{}, logReply{}, bad
	}
	r := logReply{version: version, covered: v[3] == int64(1), entries: map[string]int64{}}
	for i := 4; i < len(v); i += 2 {
		m, ok1 := v[i].(string)
		s, ok2 := v[i+1].(string)
		f, err := strconv.ParseFloat(s, 64)
		if !ok1 || !ok2 || err != nil {
			return logPos{}, logReply{}, bad
		}
		r.rows++
		r.tail, r.tailOK = f, m == revokewire.VersionMember
		if !r.tailOK {
			r.entries[m] = max(r.entries[m], int64(f))
		}
	}
	return logPos{id: id, added: added, ok: true}, r, nil
}

// readLog reads the changes of kind k since the replica's position in its
// change log and merges them; it reports false, changing nothing, when the
// log cannot cover the gap: trimmed past the position or recreated, more
// than revokewire.LogReadMax changes behind, or the set changed by a writer
// that does not log (its version is not the last the log records). The
// caller then re-reads the whole kind.
func (l *List) readLog(ctx context.Context, k kind) (bool, error) {
	pos, r, err := l.logRead(ctx, k, l.logs[k], revokewire.LogReadMax)
	if err != nil || !pos.ok || !r.covered {
		return false, err
	}
	// MergeScript logs the set's new version last: a set whose version
	// the log does not end with was changed by a writer that does not log
	// (an older version of this package), or changed without a row.
	if r.rows == 0 && r.version != l.versions[k] || r.rows > 0 && (!r.tailOK || r.tail != r.version) {
		return false, nil
	}
	now := time.Now().UnixMilli()
	l.mergeRead(k, l.accept(k, r.entries, now), now)
	l.versions[k], l.logs[k] = r.version, pos
	return true, nil
}
