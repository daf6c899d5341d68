package redisrevoke

import (
	"context"
	"errors"
	"fmt"
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

	confirmed atomic.Int64 // Unix ns when the replica was last known current

	syncMu   sync.Mutex         // serialises refreshes
	versions [kinds]float64     // each kind's version at its last read; 0: no key
	known    [kinds]bool        // whether versions[k] describes the replica
	heard    [kinds]atomic.Bool // entries merged since the kind's last read
	lastSync atomic.Int64       // Unix ns of the last successful refresh
	flightMu sync.Mutex         // guards flight and failed
	flight   chan struct{}      // closed when the refresh in flight ends
	failed   time.Time          // when the last refresh Revoked made failed
}

var _ cookiesession.Revocations = (*List)(nil)

// New subscribes to the revocations under the prefix, loads them, and keeps
// a replica of them current in the background until Close. It returns an
// error matching ErrUnavailable if Redis cannot be reached before ctx ends:
// a list that never loaded would enforce nothing. client may be a
// *redis.Client, a failover client or a *redis.ClusterClient (not a Ring,
// whose pub/sub and keys can live on different servers); the List does not
// close it.
func New(ctx context.Context, client redis.UniversalClient, opts ...Option) (*List, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if _, ring := client.(*redis.Ring); ring || client == nil {
		return nil, fmt.Errorf("%w: the client must be a *redis.Client, failover or cluster client", ErrInvalid)
	}
	l := &List{client: client, cfg: cfg, rep: newReplica(cfg.maxAge), channel: revokewire.Channel(cfg.prefix), done: make(chan struct{})}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	l.ps = client.Subscribe(ctx, l.channel)
	if err := l.start(ctx); err != nil {
		l.cancel()
		_ = l.ps.Close()
		return nil, err
	}
	go l.watch()
	return l, nil
}

// start waits for the subscription's confirmation, then loads the replica,
// so that nothing published in between is missed.
func (l *List) start(ctx context.Context) error {
	wait := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		if wait = time.Until(dl); wait <= 0 {
			return fmt.Errorf("%w: %w", ErrUnavailable, context.DeadlineExceeded)
		}
	}
	for {
		msg, err := l.ps.ReceiveTimeout(ctx, wait)
		if err != nil {
			return fmt.Errorf("%w: subscribing to %s: %w", ErrUnavailable, l.channel, err)
		}
		if _, ok := msg.(*redis.Subscription); ok {
			break
		}
	}
	return l.refresh(ctx)
}

// Close stops the background work and unsubscribes. The replica stays as it
// is: Revoked keeps answering from it (no longer current), and the other
// methods return ErrClosed, a second Close too.
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
// memory. Only with MaxStaleness, and only when the replica is older than
// it, does it first refresh the replica from Redis.
func (l *List) Revoked(id, subject string, created time.Time) bool {
	now := time.Now()
	if l.cfg.maxStale > 0 && now.UnixNano()-l.confirmed.Load() > int64(l.cfg.maxStale) {
		l.catchUp()
	}
	if l.cfg.failClosed > 0 && now.UnixNano()-l.confirmed.Load() > int64(l.cfg.failClosed) {
		return true
	}
	return l.rep.revoked(id, subject, created.UnixMilli(), now.UnixMilli())
}

// Stale returns how long ago the replica was last confirmed current: by a
// read of Redis, or by an answer on the subscription that followed one.
// Under about PingEvery while Redis is reachable, it grows while it is
// not; a health check can report it.
func (l *List) Stale() time.Duration {
	return time.Duration(time.Now().UnixNano() - l.confirmed.Load())
}

// Len returns the number of entries the replica holds (sessions and
// subjects; expired ones not yet swept included).
func (l *List) Len() int { return l.rep.len() }

// Refresh brings the replica up to date now: one round trip reading the
// three kinds' versions, and one more reading those that changed. A
// serverless function can call it when it thaws, before serving.
func (l *List) Refresh(ctx context.Context) error {
	if l.ctx.Err() != nil {
		return ErrClosed
	}
	return l.refresh(ctx)
}

// confirm records that the replica was current at t.
func (l *List) confirm(t time.Time) {
	ns := t.UnixNano()
	for {
		old := l.confirmed.Load()
		if old >= ns || l.confirmed.CompareAndSwap(old, ns) {
			return
		}
	}
}

// catchUp refreshes the replica for Revoked, once for all concurrent
// callers, who wait for it; while refreshes fail, at most one a second.
func (l *List) catchUp() {
	l.flightMu.Lock()
	if f := l.flight; f != nil {
		l.flightMu.Unlock()
		<-f
		return
	}
	if time.Since(l.failed) < time.Second || l.ctx.Err() != nil {
		l.flightMu.Unlock()
		return
	}
	f := make(chan struct{})
	l.flight = f
	l.flightMu.Unlock()

	ctx, cancel := context.WithTimeout(l.ctx, l.cfg.refreshTimeout)
	err := l.refresh(ctx)
	cancel()
	l.flightMu.Lock()
	l.flight = nil
	if err != nil {
		l.failed = time.Now()
	}
	l.flightMu.Unlock()
	close(f)
	if err != nil {
		l.cfg.onError(err)
	}
}
