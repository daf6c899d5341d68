package redisrevoke

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// RevokeSession refuses the session with identifier id (Session.ID) until
// until (no earlier than the end of its absolute lifetime,
// Session.Deadline), on every instance. The entry expires at until: Redis
// drops it then, a replica at its next sweep (Revoked).
//
// Each Revoke method refuses the session on this instance at once. An
// error matching ErrUnavailable means Redis did not record it: the other
// instances learn it only when this one writes it back, after Redis
// answers again, and never if this one stops first; retry, or tell the
// user to. An error matching ErrInvalid records nothing anywhere: with
// ErrFuture, the time lies too far ahead (until more than MaxAge plus
// ClockSkew, a cut-off more than ClockSkew); with ErrFull, the replica
// holds MaxEntries live entries and this one is new.
func (l *List) RevokeSession(ctx context.Context, id string, until time.Time) error {
	if id == "" {
		return fmt.Errorf("%w: empty session identifier", ErrInvalid)
	}
	return l.revoke(ctx, kindSession, id, until)
}

// RevokeSubject refuses every session of subject (Session.SetSubject)
// created before before, on every instance: "log out all my devices". The
// cut-off is kept MaxAge past before.
func (l *List) RevokeSubject(ctx context.Context, subject string, before time.Time) error {
	if subject == "" || len(subject) > bounds.MaxSubjectBytes || !utf8.ValidString(subject) {
		return fmt.Errorf("%w: the subject must be valid UTF-8 of 1 to %d bytes", ErrInvalid, bounds.MaxSubjectBytes)
	}
	return l.revoke(ctx, kindSubject, subject, before)
}

// RevokeAll refuses every session created before before, and every legacy
// session while the cut-off lasts (MaxAge past before), on every instance.
func (l *List) RevokeAll(ctx context.Context, before time.Time) error {
	return l.revoke(ctx, kindAll, allMember, before)
}

// revoke records one entry in the replica, then in Redis, which publishes
// it. If Redis fails, this instance enforces the entry all the same and
// writes it back at its first refresh once Redis answers. The time is
// rounded up to the millisecond, so that rounding never shortens a
// revocation.
func (l *List) revoke(ctx context.Context, k kind, member string, t time.Time) error {
	if l.ctx.Err() != nil {
		return ErrClosed
	}
	ms, now := revokewire.Score(t), time.Now().UnixMilli()
	if err := revokewire.CheckAhead(k, ms, now, l.ahead(k)); err != nil {
		return fmt.Errorf("%w: %w: pass time.Now() as a cut-off, and a session's end of life (Created plus its lifetime) as until", ErrInvalid, err)
	}
	if !l.rep.fits(k, member, l.cfg.maxEntries, now) {
		return fmt.Errorf("%w: %w: %d live entries (MaxEntries); the session stays valid: raise MaxEntries, revoke by subject, or rotate keys to log everyone out", ErrInvalid, ErrFull, l.cfg.maxEntries)
	}
	l.rep.merge(k, member, ms, now)
	err := l.bounded(ctx, func(ctx context.Context) error {
		res, err := l.merge(ctx, k, map[string]int64{member: ms}, true)
		if err == nil && res.Expired > 0 && l.rep.live(k, ms, time.Now().UnixMilli()) {
			return fmt.Errorf("%w: %s %q", ErrClockSkew, k.Key(), member)
		}
		if err == nil && res.Future > 0 {
			return fmt.Errorf("%w: %s %q: too far ahead by Redis's clock, which is behind this instance's", ErrClockSkew, k.Key(), member)
		}
		return err
	})
	if err != nil && !errors.Is(err, ErrClockSkew) {
		// Redis may lack the entry (never one heard only through pub/sub,
		// which anyone allowed to PUBLISH can forge): the next refresh
		// reads the whole kind and writes it back if Redis lacks it, even
		// if the kind's version looks unchanged (Redis restarted empty,
		// and no key is no key).
		l.heard[k].Store(true)
	}
	return err
}

// write runs revokewire.MergeScript over entries, in calls of at most
// revokewire.PairsPerCall.
func (l *List) write(ctx context.Context, k kind, entries map[string]int64, publish bool) error {
	_, err := l.merge(ctx, k, entries, publish)
	return err
}

// merge is write, and returns what the merge did.
func (l *List) merge(ctx context.Context, k kind, entries map[string]int64, publish bool) (revokewire.Result, error) {
	m := revokewire.Merge{Prefix: l.cfg.prefix, Kind: k, Life: l.rep.life(k), Ahead: l.ahead(k), Publish: publish, Entries: entries}
	res, err := m.Run(ctx, l.scripter())
	if err != nil {
		return res, fmt.Errorf("%w: writing %s: %w", ErrUnavailable, k.Key(), err)
	}
	if res.Future > 0 {
		l.cfg.onError(fmt.Errorf("%w: %d %s entries not recorded: too far ahead of Redis's clock, which is behind this instance's; check both clocks", ErrClockSkew, res.Future, k.Key()))
	}
	return res, nil
}

// ahead is how far past now an entry of kind k may lie, in milliseconds.
func (l *List) ahead(k kind) int64 { return revokewire.Ahead(k, l.cfg.maxAge, l.cfg.skew) }

func (l *List) scripter() scripter { return scripter{l.client} }

// scripter runs scripts through go-redis: EVALSHA, then EVAL if the server
// lacks the script, as redis.Script does.
type scripter struct{ c redis.UniversalClient }

func (s scripter) RunScript(ctx context.Context, script, sha string, keys, args []string) (int64, error) {
	return s.run(ctx, script, sha, keys, args).Int64()
}

// run is RunScript, with the script's reply as go-redis gives it.
func (s scripter) run(ctx context.Context, script, sha string, keys, args []string) *redis.Cmd {
	argv := make([]any, len(args))
	for i, a := range args {
		argv[i] = a
	}
	c := s.c.EvalSha(ctx, sha, keys, argv...)
	if err := c.Err(); err != nil && (errors.Is(err, redis.ErrNoScript) || redis.HasErrorPrefix(err, "NOSCRIPT")) {
		c = s.c.Eval(ctx, script, keys, argv...)
	}
	return c
}

// refresh compares the replica with Redis and merges what changed: one
// round trip reading the versions, one more reading the changes of the
// kinds whose version moved from their change logs (the whole kind when its
// log cannot cover the gap: see readLog). Entries the replica holds and Redis lacks (Redis restarted without
// persistence, or was flushed) are written back, so nothing enforced is
// forgotten by instances started later.
//
// One refresh runs at a time: a caller waits for the token until ctx ends.
func (l *List) refresh(ctx context.Context) error { return l.sync(ctx, false) }

// probe is the check made with each ping: the same round trip as refresh,
// but it reads only the kinds whose key appeared or vanished, or all of
// them when the epoch vanished or changed: Redis lost the revocations, and
// what this instance holds is written back at once, not ResyncEvery later.
// A change of version alone is left to pub/sub and the periodic re-sync.
func (l *List) probe(ctx context.Context) error { return l.sync(ctx, true) }

// sync is refresh, or probe.
func (l *List) sync(ctx context.Context, probe bool) error {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%w: waiting for the refresh in progress: %w", ErrUnavailable, ctx.Err())
	}
	defer func() { <-l.sem }()
	start := time.Now()
	versions, lost, err := l.readVersions(ctx)
	if err != nil {
		return err
	}
	var changed []kind
	for k := range kinds {
		moved := !l.known[k] || versions[k] != l.versions[k] || l.heard[k].Load()
		if probe {
			moved = !l.known[k] || (versions[k] == 0) != (l.versions[k] == 0)
		}
		if moved || lost {
			changed = append(changed, k)
		}
	}
	var full []kind
	for _, k := range changed {
		if lost || versions[k] == 0 || !l.known[k] || l.heard[k].Load() || !l.logs[k].ok {
			full = append(full, k)
			continue
		}
		covered, err := l.readLog(ctx, k)
		if err != nil {
			return err
		}
		if !covered {
			full = append(full, k)
		}
	}
	if len(full) > 0 {
		if err := l.readKinds(ctx, full, versions); err != nil {
			return err
		}
	}
	l.lastSync.Store(time.Now().UnixNano())
	l.confirm(start)
	return nil
}

// readVersions reads each kind's version, 0 for none, and the epoch; it
// reports whether the epoch vanished or changed since the last read (Redis
// lost the revocations), and sets a new one if there is none.
func (l *List) readVersions(ctx context.Context) ([kinds]float64, bool, error) {
	var v [kinds]float64
	pipe := l.client.Pipeline()
	cmds := make([]*redis.FloatCmd, kinds)
	for k := range kinds {
		cmds[k] = pipe.ZScore(ctx, l.cfg.prefix+k.Key(), revokewire.VersionMember)
	}
	key := l.cfg.prefix + revokewire.EpochKey
	epoch := pipe.Get(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return v, false, fmt.Errorf("%w: reading versions: %w", ErrUnavailable, err)
	}
	for k, c := range cmds {
		v[k] = c.Val()
	}
	e := epoch.Val()
	if e == "" { // the first reader ever, or Redis lost it: one sets it
		pipe := l.client.Pipeline()
		pipe.SetNX(ctx, key, strconv.FormatInt(-revokewire.NewVersion(), 36), 0)
		epoch = pipe.Get(ctx, key)
		if _, err := pipe.Exec(ctx); err != nil {
			return v, false, fmt.Errorf("%w: setting %s: %w", ErrUnavailable, key, err)
		}
		e = epoch.Val()
	}
	lost := l.epoch != "" && e != l.epoch
	if lost {
		l.cfg.onError(fmt.Errorf("%w: the epoch key %s vanished or changed (FLUSHALL, a restart without persistence): re-reading Redis and writing back every live entry this instance holds", ErrLost, key))
	}
	l.epoch = e
	return v, lost, nil
}

// readKinds reads whole kinds, merges them into the replica and writes back
// what Redis lacks. The versions were read first: a write in between shows
// at the next refresh, never hides.
func (l *List) readKinds(ctx context.Context, ks []kind, versions [kinds]float64) error {
	var pos [kinds]logPos
	read := versions // the versions the read reflects at least
	for _, k := range ks {
		l.heard[k].Store(false) // what is heard from now on is read next time
		// The log's position first: what is written after it is in the
		// log, and may be in the read too (merges are idempotent).
		p, r, err := l.logRead(ctx, k, logPos{}, 0)
		if err != nil {
			l.known[k] = false
			return err
		}
		if pos[k] = p; p.ok {
			read[k] = r.version // the version at the position, read with it
		}
	}
	pipe := l.client.Pipeline()
	cmds := make([]*redis.ZSliceCmd, len(ks))
	for i, k := range ks {
		cmds[i] = pipe.ZRangeByScoreWithScores(ctx, l.cfg.prefix+k.Key(), &redis.ZRangeBy{Min: "0", Max: "+inf"})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		for _, k := range ks {
			l.known[k] = false
		}
		return fmt.Errorf("%w: reading revocations: %w", ErrUnavailable, err)
	}
	now := time.Now().UnixMilli()
	var errs []error // one kind's failed write-back does not skip the next
	for i, k := range ks {
		got := l.accept(k, zmap(cmds[i].Val()), now)
		missing := l.rep.missing(k, got, now)
		if versions[k] == 0 && len(missing) > 0 {
			l.cfg.onError(fmt.Errorf("%w: %s is gone from Redis while this instance holds %d live entries of it: writing them back", ErrLost, l.cfg.prefix+k.Key(), len(missing)))
		}
		l.mergeRead(k, got, now)
		l.versions[k], l.known[k], l.logs[k] = read[k], true, pos[k]
		if len(missing) > 0 {
			res, err := l.merge(ctx, k, missing, false)
			switch {
			case err != nil:
				l.known[k] = false
				errs = append(errs, err)
			case res.Changed > 0 && !pos[k].ok:
				// The write moved the version, and there is no log to
				// read it from: read the kind again next time, with what
				// others wrote back. A write that changed nothing left
				// the version as read.
				l.known[k] = false
			}
			if res.Expired > 0 {
				l.cfg.onError(fmt.Errorf("%w: %d %s entries not written back", ErrClockSkew, res.Expired, k.Key()))
			}
		}
	}
	return errors.Join(errs...)
}

// mergeRead merges entries of kind k read from Redis into the replica, and
// reports a replica grown past MaxEntries.
func (l *List) mergeRead(k kind, got map[string]int64, now int64) {
	l.rep.mergeAll(k, got, now)
	if n := l.rep.len(); k != kindAll && n > l.cfg.maxEntries {
		l.cfg.onError(fmt.Errorf("redisrevoke: %w: the replica holds %d entries read from Redis, more than MaxEntries %d: all are enforced, but this instance's memory bound is exceeded; give every instance the same MaxEntries", ErrFull, n, l.cfg.maxEntries))
	}
}

// zmap returns a sorted set's members and scores, without the version.
func zmap(zs []redis.Z) map[string]int64 {
	m := make(map[string]int64, len(zs))
	for _, z := range zs {
		if s, ok := z.Member.(string); ok && s != revokewire.VersionMember {
			m[s] = int64(z.Score)
		}
	}
	return m
}

// accept returns the entries of kind k read from Redis, without those
// further ahead than ClockSkew (MaxAge plus
// ClockSkew for a session) allows: those are forged, or written with a
// wrong clock, and would refuse every new login. They are not applied,
// nor written back or spread by this instance; each read reports them
// through OnError until someone removes them from Redis.
func (l *List) accept(k kind, got map[string]int64, now int64) map[string]int64 {
	future := 0
	var first error
	for m, ms := range got {
		if err := revokewire.CheckAhead(k, ms, now, l.ahead(k)); err != nil {
			future++
			first = cmp.Or(first, err)
			delete(got, m)
		}
	}
	if future > 0 {
		l.cfg.onError(fmt.Errorf("redisrevoke: %d entries of %s ignored, the first: %w; remove them (ZREM) once the cause is found", future, l.cfg.prefix+k.Key(), first))
	}
	return got
}

// apply takes a pub/sub message (revokewire.Message) only as a hint: anyone
// allowed to PUBLISH can forge one. It reads the named entry's score back
// from Redis and merges that, as a read of Redis (never written back); an
// entry Redis does not hold changes nothing. A message about an entry the
// replica holds as late already (this instance's own) costs no read.
func (l *List) apply(payload string) error {
	k, ms, member, err := revokewire.ParseMessage(payload)
	if err == nil {
		err = revokewire.CheckAhead(k, ms, time.Now().UnixMilli(), l.ahead(k))
	}
	if err != nil {
		return fmt.Errorf("redisrevoke: message on %s ignored: %w", l.channel, err)
	}
	if l.rep.holds(k, member, ms) {
		return nil
	}
	return l.bounded(l.ctx, func(ctx context.Context) error {
		score, err := l.client.ZScore(ctx, l.cfg.prefix+k.Key(), member).Result()
		if errors.Is(err, redis.Nil) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: reading %s after a message: %w", ErrUnavailable, k.Key(), err)
		}
		now := time.Now().UnixMilli()
		if err := revokewire.CheckAhead(k, int64(score), now, l.ahead(k)); err != nil {
			return fmt.Errorf("redisrevoke: %s in %s ignored: %w", member, l.cfg.prefix+k.Key(), err)
		}
		l.rep.merge(k, member, int64(score), now)
		return nil
	})
}
