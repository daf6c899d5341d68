package redisrevoke

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// Errors.
var (
	// ErrInvalid matches the errors of an invalid option or argument.
	ErrInvalid = errors.New("redisrevoke: invalid argument")
	// ErrClosed is returned by a List's methods after Close.
	ErrClosed = errors.New("redisrevoke: list closed")
	// ErrUnavailable matches the errors of a failed exchange with Redis;
	// they wrap go-redis's error too.
	ErrUnavailable = errors.New("redisrevoke: Redis unavailable")
	// ErrLost is reported through OnError when Redis lost revocations
	// this instance holds (FLUSHALL, a restart without persistence, a
	// DEL): the instance writes them back at once.
	ErrLost = errors.New("redisrevoke: revocations lost from Redis")
	// ErrClockSkew is returned by a Revoke method when Redis did not
	// record the entry because of its clock: by Redis's clock the entry
	// has expired already while it is live by this instance's (Redis's
	// clock is ahead), or it lies further ahead than ClockSkew allows
	// (Redis's clock is behind). This instance enforces the entry; the
	// others do not.
	ErrClockSkew = errors.New("redisrevoke: Redis's clock differs, not recorded")

	// ErrFuture matches a revocation refused, or an entry read from Redis
	// ignored, because it lies too far ahead: a cut-off later than now
	// plus ClockSkew, or an until later than now plus MaxAge plus
	// ClockSkew. It is memrevoke.ErrFuture: either name matches the
	// errors of both packages.
	ErrFuture = revokewire.ErrFuture
	// ErrFull matches a new revocation refused because the replica holds
	// MaxEntries live entries (the session stays valid), and the OnError
	// report of a replica past it. It is memrevoke.ErrFull.
	ErrFull = revokewire.ErrFull
)

// List is a cookiesession.Revocations shared through Redis. Its methods are
// safe for concurrent use.
type List struct {
	client  redis.UniversalClient
	cfg     config
	rep     *replica
	channel string

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	ps     *redis.PubSub
	done   chan struct{}
	closed sync.Once

	// When the replica was last known current, on both clocks (age).
	origin        time.Time    // New's time.Now: the origin of confirmed
	confirmed     atomic.Int64 // monotonic ns from origin
	confirmedWall atomic.Int64 // Unix ns

	sem      chan struct{}      // holds one token while a refresh runs
	versions [kinds]float64     // each kind's version at its last read; 0: no key
	known    [kinds]bool        // whether versions[k] describes the replica
	logs     [kinds]logPos      // each kind's change log position at its last read
	epoch    string             // the epoch read last; "" before the first
	heard    [kinds]atomic.Bool // a local write Redis may lack since the kind's last read
	lastSync atomic.Int64       // Unix ns of the last successful refresh
	flightMu sync.Mutex         // guards flight and failed
	flight   *flight            // the refresh Revoked started, until it ends
	failed   time.Time          // when the last refresh Revoked made failed
}

// flight is a refresh started by Revoked.
type flight struct {
	done     chan struct{} // closed when it ends
	deadline time.Time     // when its callers stop waiting for it
}

var _ cookiesession.Revocations = (*List)(nil)

// New subscribes to the revocations under the prefix, loads them, and keeps
// a replica of them current in the background until Close. While Redis
// cannot be reached it tries again, with a back-off of 50 ms to 1 s, until
// ctx ends; it then returns an error matching ErrUnavailable, by ctx's
// deadline even if Redis hangs: a list that never loaded would enforce
// nothing. Give ctx a deadline. client may be a
// *redis.Client, a failover client or a *redis.ClusterClient (not a Ring,
// whose pub/sub and keys can live on different servers); the List does not
// close it.
func New(ctx context.Context, client redis.UniversalClient, o Options) (*List, error) {
	cfg, err := o.config()
	if err != nil {
		return nil, err
	}
	if _, ring := client.(*redis.Ring); ring || client == nil {
		return nil, fmt.Errorf("%w: the client must be a *redis.Client, failover or cluster client", ErrInvalid)
	}
	l := &List{client: client, cfg: cfg, rep: newReplica(cfg.maxAge), channel: revokewire.Channel(cfg.prefix),
		origin: time.Now(), done: make(chan struct{}), sem: make(chan struct{}, 1)}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	l.ps = client.Subscribe(ctx) // no channel yet: it connects in start
	if err := l.start(ctx); err != nil {
		l.cancel()
		// A command may still be blocked on a hung Redis, holding the
		// PubSub: it is closed once that ends.
		go func() { _ = l.ps.Close() }()
		return nil, err
	}
	go l.watch()
	return l, nil
}

// start subscribes, waits for the confirmation, then loads the replica, so
// that nothing published in between is missed; it tries again after each
// failure until ctx ends, and returns by then even if Redis hangs.
func (l *List) start(ctx context.Context) error {
	return l.bounded(ctx, func(ctx context.Context) error {
		subscribed := false
		backoff := minBackoff
		for {
			err := l.load(ctx, &subscribed)
			if err == nil || ctx.Err() != nil {
				return err
			}
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return err
			}
			backoff = min(2*backoff, maxBackoff)
		}
	})
}

// load is one attempt of start.
func (l *List) load(ctx context.Context, subscribed *bool) error {
	if !*subscribed {
		if err := l.ps.Subscribe(ctx, l.channel); err != nil {
			return fmt.Errorf("%w: subscribing to %s: %w", ErrUnavailable, l.channel, err)
		}
	}
	for !*subscribed {
		wait := time.Second // ctx is checked between waits
		if dl, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(dl))
		}
		if err := ctx.Err(); err != nil || wait <= 0 {
			return fmt.Errorf("%w: subscribing to %s: %w", ErrUnavailable, l.channel, cmp.Or(err, context.DeadlineExceeded))
		}
		msg, err := l.ps.ReceiveTimeout(ctx, wait)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("%w: subscribing to %s: %w", ErrUnavailable, l.channel, err)
		}
		_, *subscribed = msg.(*redis.Subscription)
	}
	return l.refresh(ctx)
}

// bounded runs f and waits for it until ctx ends. go-redis bounds a command
// by the client's ReadTimeout, not by the context's deadline (unless the
// client sets ContextTimeoutEnabled), so f may go on after bounded
// returned: it ends when the client gives up, and holds the refresh token
// until then.
func (l *List) bounded(ctx context.Context, f func(context.Context) error) error {
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
	}
}

// Close stops the background work and unsubscribes. The replica stays as it
// is: Revoked keeps answering from it (no longer current), and the other
// methods return ErrClosed, a second Close too. Close returns at once even
// while Redis hangs: a command in flight then ends on its own, when the
// client's ReadTimeout ends it (never with ReadTimeout -1, so give the
// client a timeout).
func (l *List) Close() error {
	err := ErrClosed
	l.closed.Do(func() {
		l.cancel()
		err = l.ps.Close()
		<-l.done
	})
	return err
}

// Revoked implements cookiesession.Revocations from the replica, in
// memory. A revoked session, or a subject's cut-off, refuses while the
// replica holds it, without reading the clock: a store asks only about a
// session it found unexpired, which lies before its entry's until (the
// contract of RevokeSession) and before its subject's cut-off plus MaxAge
// (no lifetime is longer), so an entry's end changes no answer the store
// can see; a sweep drops the entry after its end. The global cut-off
// reads the clock: a legacy session is asked with the zero creation time,
// so it ends MaxAge past itself. Only with MaxStaleness, and only when the
// replica is older than it, does Revoked first refresh the replica from
// Redis; with MaxStaleness or FailClosedAfter, it reads the clock (Stale).
func (l *List) Revoked(id, subject string, created time.Time) bool {
	if l.cfg.maxStale > 0 || l.cfg.failClosed > 0 {
		now := time.Now()
		age := l.age(now)
		if l.cfg.maxStale > 0 && age > l.cfg.maxStale {
			l.catchUp()
			age = l.age(now)
		}
		if l.cfg.failClosed > 0 && age > l.cfg.failClosed {
			return true
		}
	}
	return l.rep.revoked(id, subject, created.UnixMilli())
}

// Stale returns how long ago the replica was last confirmed current: by a
// read of Redis, or by an answer on the subscription that followed one.
// Under about PingEvery while Redis is reachable, it grows while it is
// not; a health check can report it. It is the longer of the ages on the
// monotonic clock, which a step back of the wall clock does not shorten,
// and on the wall clock, which counts the time a frozen virtual machine
// was paused or snapshotted (its monotonic clock may not).
func (l *List) Stale() time.Duration { return l.age(time.Now()) }

// age is Stale at now, a reading of time.Now.
func (l *List) age(now time.Time) time.Duration {
	mono := now.Sub(l.origin) - time.Duration(l.confirmed.Load())
	wall := time.Duration(now.UnixNano() - l.confirmedWall.Load())
	return max(mono, wall)
}

// Len returns the number of entries the replica holds (sessions and
// subjects; expired ones not yet swept included).
func (l *List) Len() int { return l.rep.len() }

// Refresh brings the replica up to date now: one round trip reading the
// three kinds' versions, and one more reading those that changed. A
// serverless function can call it when it thaws, before serving. It
// returns by ctx's deadline, even while Redis hangs.
func (l *List) Refresh(ctx context.Context) error {
	if l.ctx.Err() != nil {
		return ErrClosed
	}
	return l.bounded(ctx, l.refresh)
}

// confirm records that the replica was current at t, a reading of
// time.Now (its monotonic reading measures from l.origin), on each clock.
func (l *List) confirm(t time.Time) {
	atomicMax(&l.confirmed, int64(t.Sub(l.origin)))
	atomicMax(&l.confirmedWall, t.UnixNano())
}

// atomicMax sets v to n if n is greater.
func atomicMax(v *atomic.Int64, n int64) {
	for {
		old := v.Load()
		if old >= n || v.CompareAndSwap(old, n) {
			return
		}
	}
}

// catchUp refreshes the replica for Revoked, once for all concurrent
// callers; while refreshes fail, at most one a second. The refresh runs in
// its own goroutine, and no caller waits for it past RefreshTimeout from
// its start: then they answer from the replica as it is, and until that
// refresh ends (when the client gives up on a hung Redis), no other starts.
func (l *List) catchUp() {
	l.flightMu.Lock()
	if f := l.flight; f != nil {
		l.flightMu.Unlock()
		f.wait()
		return
	}
	if time.Since(l.failed) < time.Second || l.ctx.Err() != nil {
		l.flightMu.Unlock()
		return
	}
	f := &flight{done: make(chan struct{}), deadline: time.Now().Add(l.cfg.refreshTimeout)}
	l.flight = f
	l.flightMu.Unlock()

	go func() {
		ctx, cancel := context.WithDeadline(l.ctx, f.deadline)
		err := l.refresh(ctx)
		cancel()
		l.flightMu.Lock()
		l.flight = nil
		if err != nil {
			l.failed = time.Now()
		}
		l.flightMu.Unlock()
		close(f.done)
		if err != nil {
			l.cfg.onError(err)
		}
	}()
	f.wait()
}

// wait waits for the flight to end, or for its deadline.
func (f *flight) wait() {
	d := time.Until(f.deadline)
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-f.done:
	case <-t.C:
	}
}
