package redisrevoke

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// RevokeSession refuses the session with identifier id (Session.ID) until
// until (the end of its absolute lifetime, Session.Created plus its
// lifetime), on every instance. The entry expires at until.
//
// Each Revoke method refuses the session on this instance at once. An
// error matching ErrUnavailable means Redis did not record it: the other
// instances learn it only when this one writes it back, after Redis
// answers again, and never if this one stops first; retry, or tell the
// user to.
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
	if subject == "" || len(subject) > cookiesession.MaxSubjectBytes || !utf8.ValidString(subject) {
		return fmt.Errorf("%w: the subject must be valid UTF-8 of 1 to %d bytes", ErrInvalid, cookiesession.MaxSubjectBytes)
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
	ms := revokewire.Score(t)
	l.hear(k, member, ms)
	return l.bounded(ctx, func(ctx context.Context) error {
		res, err := l.merge(ctx, k, map[string]int64{member: ms}, true)
		if err == nil && res.Expired > 0 && l.rep.live(k, ms, time.Now().UnixMilli()) {
			return fmt.Errorf("%w: %s %q", ErrClockSkew, k.Key(), member)
		}
		return err
	})
}

// hear merges an entry that did not come from a read of Redis: the next
// refresh compares its kind with Redis, and writes the entry back if Redis
// lost it, even if the kind's version looks unchanged (Redis restarted
// empty, and no key is no key).
func (l *List) hear(k kind, member string, ms int64) {
	if l.rep.merge(k, member, ms, time.Now().UnixMilli()) {
		l.heard[k].Store(true)
	}
}

// write runs revokewire.MergeScript over entries, in calls of at most
// revokewire.PairsPerCall.
func (l *List) write(ctx context.Context, k kind, entries map[string]int64, publish bool) error {
	_, err := l.merge(ctx, k, entries, publish)
	return err
}

// merge is write, and returns what the merge did.
func (l *List) merge(ctx context.Context, k kind, entries map[string]int64, publish bool) (revokewire.Result, error) {
	m := revokewire.Merge{Prefix: l.cfg.prefix, Kind: k, Life: l.rep.life(k), Publish: publish, Entries: entries}
	res, err := m.Run(ctx, scripter{l.client})
	if err != nil {
		return res, fmt.Errorf("%w: writing %s: %w", ErrUnavailable, k.Key(), err)
	}
	return res, nil
}

// scripter runs scripts through go-redis: EVALSHA, then EVAL if the server
// lacks the script, as redis.Script does.
type scripter struct{ c redis.UniversalClient }

func (s scripter) RunScript(ctx context.Context, script, sha string, keys, args []string) (int64, error) {
	argv := make([]any, len(args))
	for i, a := range args {
		argv[i] = a
	}
	n, err := s.c.EvalSha(ctx, sha, keys, argv...).Int64()
	if err != nil && (errors.Is(err, redis.ErrNoScript) || redis.HasErrorPrefix(err, "NOSCRIPT")) {
		n, err = s.c.Eval(ctx, script, keys, argv...).Int64()
	}
	return n, err
}

// refresh compares the replica with Redis and merges what changed: one
// round trip reading the versions, one more reading the kinds whose version
// moved. Entries the replica holds and Redis lacks (Redis restarted without
// persistence, or was flushed) are written back, so nothing enforced is
// forgotten by instances started later.
//
// One refresh runs at a time: a caller waits for the token until ctx ends.
func (l *List) refresh(ctx context.Context) error {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%w: waiting for the refresh in progress: %w", ErrUnavailable, ctx.Err())
	}
	defer func() { <-l.sem }()
	start := time.Now()
	versions, err := l.readVersions(ctx)
	if err != nil {
		return err
	}
	var changed []kind
	for k := range kinds {
		if !l.known[k] || versions[k] != l.versions[k] || l.heard[k].Load() {
			changed = append(changed, k)
		}
	}
	if len(changed) > 0 {
		if err := l.readKinds(ctx, changed, versions); err != nil {
			return err
		}
	}
	l.lastSync.Store(time.Now().UnixNano())
	l.confirm(start)
	return nil
}

// readVersions reads each kind's version, 0 for none.
func (l *List) readVersions(ctx context.Context) ([kinds]float64, error) {
	var v [kinds]float64
	pipe := l.client.Pipeline()
	cmds := make([]*redis.FloatCmd, kinds)
	for k := range kinds {
		cmds[k] = pipe.ZScore(ctx, l.cfg.prefix+k.Key(), revokewire.VersionMember)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return v, fmt.Errorf("%w: reading versions: %w", ErrUnavailable, err)
	}
	for k, c := range cmds {
		v[k] = c.Val()
	}
	return v, nil
}

// readKinds reads whole kinds, merges them into the replica and writes back
// what Redis lacks. The versions were read first: a write in between shows
// at the next refresh, never hides.
func (l *List) readKinds(ctx context.Context, ks []kind, versions [kinds]float64) error {
	pipe := l.client.Pipeline()
	cmds := make([]*redis.ZSliceCmd, len(ks))
	for i, k := range ks {
		l.heard[k].Store(false) // what is heard from now on is read next time
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
		got := make(map[string]int64, len(cmds[i].Val()))
		for _, z := range cmds[i].Val() {
			if m, ok := z.Member.(string); ok && m != revokewire.VersionMember {
				got[m] = int64(z.Score)
			}
		}
		missing := l.rep.missing(k, got, now)
		l.rep.mergeAll(k, got, now)
		l.versions[k], l.known[k] = versions[k], true
		if len(missing) > 0 {
			res, err := l.merge(ctx, k, missing, false)
			switch {
			case err != nil:
				l.known[k] = false
				errs = append(errs, err)
			case res.Changed > 0:
				// The write moved the version: read it again next time,
				// with what others wrote back. A write that changed
				// nothing left the version as read.
				l.known[k] = false
			}
			if res.Expired > 0 {
				l.cfg.onError(fmt.Errorf("%w: %d %s entries not written back", ErrClockSkew, res.Expired, k.Key()))
			}
		}
	}
	return errors.Join(errs...)
}

// apply merges a pub/sub message (revokewire.Message) into the replica.
func (l *List) apply(payload string) error {
	k, ms, member, err := revokewire.ParseMessage(payload)
	if err != nil {
		return fmt.Errorf("redisrevoke: on %s: %w", l.channel, err)
	}
	l.hear(k, member, ms)
	return nil
}
