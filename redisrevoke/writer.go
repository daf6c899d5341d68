package redisrevoke

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// A Writer writes revocations to Redis exactly as a List's Revoke methods
// do, and publishes them, without a replica: it subscribes to nothing,
// reads nothing and runs nothing in the background. It is for a program
// that revokes and exits, such as the cookiesession command's revoke; a
// server that enforces revocations uses a List. Its methods are safe for
// concurrent use.
type Writer struct {
	l *List // never started: its client, options and merge only
}

// NewWriter returns a Writer that writes through client under o.Prefix,
// with o.MaxAge and o.ClockSkew; give it the Lists' own Options. The other
// fields are checked as New checks them, but do not apply. client may be
// what New takes; the Writer does not close it.
func NewWriter(client redis.UniversalClient, o Options) (*Writer, error) {
	cfg, err := o.config()
	if err != nil {
		return nil, err
	}
	if _, ring := client.(*redis.Ring); ring || client == nil {
		return nil, fmt.Errorf("%w: the client must be a *redis.Client, failover or cluster client", ErrInvalid)
	}
	cfg.onError = func(error) {} // a Writer returns every error
	return &Writer{l: &List{client: client, cfg: cfg, rep: newReplica(cfg.maxAge)}}, nil
}

// RevokeSession writes what List.RevokeSession writes: the session with
// identifier id is refused until until by every List under the prefix.
//
// Each Revoke method returns whether Redis's entry changed: false when
// Redis held one at least as late already (a revocation is never
// shortened). It returns by ctx's deadline even while Redis hangs. An
// error matching ErrUnavailable means Redis may not have recorded it
// (retry); ErrInvalid records nothing: an empty identifier or subject, or,
// with ErrFuture, a time too far ahead of this
// machine's clock (as for List); ErrClockSkew means Redis did not record
// it because of its own clock: by it the entry has expired already (a time
// in the past, or Redis's clock ahead of this machine's), or lies too far
// ahead (Redis's clock behind).
func (w *Writer) RevokeSession(ctx context.Context, id string, until time.Time) (bool, error) {
	if id == "" {
		return false, fmt.Errorf("%w: empty session identifier", ErrInvalid)
	}
	return w.revoke(ctx, kindSession, id, until)
}

// RevokeSubject writes what List.RevokeSubject writes: every session of
// subject created before before is refused.
func (w *Writer) RevokeSubject(ctx context.Context, subject string, before time.Time) (bool, error) {
	if subject == "" || len(subject) > bounds.MaxSubjectBytes || !utf8.ValidString(subject) {
		return false, fmt.Errorf("%w: the subject must be valid UTF-8 of 1 to %d bytes", ErrInvalid, bounds.MaxSubjectBytes)
	}
	return w.revoke(ctx, kindSubject, subject, before)
}

// RevokeAll writes what List.RevokeAll writes: every session created
// before before is refused, and every legacy session while the cut-off
// lasts.
func (w *Writer) RevokeAll(ctx context.Context, before time.Time) (bool, error) {
	return w.revoke(ctx, kindAll, allMember, before)
}

// revoke writes one entry through the List's merge, and words what Redis
// skipped.
func (w *Writer) revoke(ctx context.Context, k kind, member string, t time.Time) (bool, error) {
	l := w.l
	ms := revokewire.Score(t)
	if err := revokewire.CheckAhead(k, ms, time.Now().UnixMilli(), l.ahead(k)); err != nil {
		return false, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var res revokewire.Result
	err := l.bounded(ctx, func(ctx context.Context) error {
		var err error
		res, err = l.merge(ctx, k, map[string]int64{member: ms}, true)
		return err
	})
	switch {
	case err != nil:
		return false, err
	case res.Expired > 0:
		return false, fmt.Errorf("%w: %s %q: expired already by Redis's clock: the time lies in the past, or Redis's clock is ahead of this machine's", ErrClockSkew, k.Key(), member)
	case res.Future > 0:
		return false, fmt.Errorf("%w: %s %q: too far ahead by Redis's clock, which is behind this machine's", ErrClockSkew, k.Key(), member)
	}
	return res.Changed > 0, nil
}
