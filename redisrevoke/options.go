package redisrevoke

import (
	"cmp"
	"fmt"
	"log/slog"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// Defaults for the zero values of Options.
const (
	DefaultPrefix         = revokewire.DefaultPrefix
	DefaultResyncEvery    = 30 * time.Second
	DefaultPingEvery      = 5 * time.Second
	DefaultRefreshTimeout = time.Second
)

// Options configures New and NewWriter. The zero value of every field is
// a usable default.
type Options struct {
	// Prefix is the prefix of the list's keys and pub/sub channel in Redis;
	// DefaultPrefix if empty. Lists that share a prefix share their
	// revocations. On Redis Cluster each kind's set and its change log
	// share a hash slot whatever the prefix (README.md, "Redis Cluster"); a
	// prefix may hold a "}" only after a hash tag's "{".
	Prefix string
	// MaxAge is how long subject and global cut-offs are kept past
	// themselves: give it the stores' longest session lifetime
	// (cookiesession.Options.MaxAgeCeiling, or MaxAge), the same on every
	// instance. Zero means 400 days, the longest a store accepts, safe
	// whatever the stores allow, at the cost of keeping cut-offs longer
	// than needed; at most 400 days. A session's until may lie at most MaxAge (plus
	// ClockSkew) ahead.
	MaxAge time.Duration
	// ClockSkew is how far ahead of now a cut-off may lie (servers' clocks
	// differ); zero means one minute, negative means
	// none, at most an hour. A cut-off further ahead, or a session's until
	// more than MaxAge plus ClockSkew ahead, is refused by the Revoke
	// methods (ErrInvalid and ErrFuture), by Redis
	// (the merge script records and publishes nothing), and by every
	// instance that reads it from Redis (ignored, and reported through
	// OnError). Give every instance the same.
	ClockSkew time.Duration
	// MaxEntries bounds the live entries the replica holds (revoked
	// sessions plus subject cut-offs); zero means 1,000,000 (about 29 MB).
	// Past it, a Revoke method given a new entry returns an error matching
	// ErrFull and records nothing. Entries
	// other instances wrote are still read from Redis past it (a
	// revocation must not be dropped), and each refresh that finds more
	// reports it through OnError.
	MaxEntries int

	// ResyncEvery is how often the replica is compared with Redis in the
	// background; zero means DefaultResyncEvery. Each comparison is one
	// round trip reading three versions, and a full read only of what
	// changed. It repairs anything pub/sub lost.
	ResyncEvery time.Duration
	// PingEvery is how often the subscription connection is pinged when
	// idle; zero means DefaultPingEvery. Each answer confirms that every
	// revocation published before it reached the replica, so Stale stays
	// below about this interval while Redis is reachable.
	PingEvery time.Duration
	// FailClosedAfter makes Revoked refuse every session once the replica
	// has not been confirmed current for this long (Stale exceeds it):
	// while Redis is unreachable for longer, no session opens, so a
	// revocation made meanwhile cannot be missed, at the price of an
	// outage for every user. Zero keeps enforcing the replica however
	// stale it grows. It must exceed PingEvery.
	FailClosedAfter time.Duration
	// MaxStaleness bounds how stale an answer can be, for instances that
	// are frozen between invocations (serverless functions), where pub/sub
	// and pings do not run: when Revoked finds the replica older than
	// this, it first brings it up to date with one round trip to Redis
	// (two if something changed), bounded by RefreshTimeout. Concurrent
	// callers share that one refresh; while Redis fails, one attempt a
	// second is made and the others use the replica as it is. Zero never
	// does I/O in Revoked. On an instance that is not frozen, pings
	// confirm the replica every PingEvery: a MaxStaleness above PingEvery
	// then costs no round trip in Revoked.
	MaxStaleness time.Duration
	// RefreshTimeout bounds the refresh that MaxStaleness makes inside
	// Revoked; zero means DefaultRefreshTimeout. No caller of Revoked
	// waits for it longer, even when Redis hangs and the client would wait
	// longer (go-redis bounds a command by the client's ReadTimeout, not
	// by a context's deadline).
	RefreshTimeout time.Duration

	// OnError, if set, is called with each error of the background work
	// (a lost subscription, a failed re-sync), for logging. It must not
	// block. Nil means: log each at level Error on slog's default logger,
	// so that a lost subscription, a FLUSHALL (ErrLost) or forged future
	// entries are never passed over in silence.
	OnError func(error)
}

// config is Options with their defaults applied.
type config struct {
	prefix         string
	maxAge         time.Duration
	skew           time.Duration
	maxEntries     int
	resync         time.Duration
	ping           time.Duration
	failClosed     time.Duration
	maxStale       time.Duration
	refreshTimeout time.Duration
	onError        func(error)
}

// config applies the defaults of the zero values, and reports the first
// invalid field.
func (o Options) config() (config, error) {
	c := config{
		prefix:         cmp.Or(o.Prefix, DefaultPrefix),
		maxAge:         cmp.Or(o.MaxAge, bounds.MaxAgeLimit),
		skew:           max(cmp.Or(o.ClockSkew, bounds.DefaultClockSkew), 0), // negative: none
		maxEntries:     cmp.Or(o.MaxEntries, bounds.DefaultMaxRevocations),
		resync:         cmp.Or(o.ResyncEvery, DefaultResyncEvery),
		ping:           cmp.Or(o.PingEvery, DefaultPingEvery),
		failClosed:     o.FailClosedAfter,
		maxStale:       o.MaxStaleness,
		refreshTimeout: cmp.Or(o.RefreshTimeout, DefaultRefreshTimeout),
		onError:        o.OnError,
	}
	if c.onError == nil {
		c.onError = func(err error) { slog.Error("redisrevoke: background error", "err", err) }
	}
	return c, c.check()
}

// check reports the first invalid field of the options c was made from.
func (c *config) check() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: Options.%s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	if err := revokewire.CheckPrefix(c.prefix); err != nil {
		return bad("Prefix: %v", err)
	}
	switch {
	case c.maxAge < time.Second || c.maxAge > bounds.MaxAgeLimit:
		return bad("MaxAge %v: use 1s..%v (400 days, the most a browser keeps a cookie): the stores' longest session lifetime; 0 means %[2]v", c.maxAge, bounds.MaxAgeLimit)
	case c.skew > time.Hour:
		return bad("ClockSkew %v: use at most 1h; keep servers' clocks synchronised", c.skew)
	case c.maxEntries < 0:
		return bad("MaxEntries %d is negative: use a positive bound, or 0 for %d", c.maxEntries, bounds.DefaultMaxRevocations)
	case c.resync < 0:
		return bad("ResyncEvery %v is negative: use a positive interval, or 0 for %v", c.resync, DefaultResyncEvery)
	case c.ping < 0:
		return bad("PingEvery %v is negative: use a positive interval, or 0 for %v", c.ping, DefaultPingEvery)
	case c.refreshTimeout < 0:
		return bad("RefreshTimeout %v is negative: use a positive bound, or 0 for %v", c.refreshTimeout, DefaultRefreshTimeout)
	case c.failClosed < 0:
		return bad("FailClosedAfter %v is negative: use 0 to keep enforcing the replica however stale it grows", c.failClosed)
	case c.maxStale < 0:
		return bad("MaxStaleness %v is negative: use 0 to never refresh inside Revoked", c.maxStale)
	case c.failClosed > 0 && c.failClosed <= c.ping:
		return bad("FailClosedAfter %v must exceed PingEvery %v, or every quiet instance fails closed", c.failClosed, c.ping)
	}
	return nil
}
