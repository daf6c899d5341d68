package redisrevoke

import (
	"fmt"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// Defaults of the options.
const (
	DefaultPrefix         = revokewire.DefaultPrefix
	DefaultResyncEvery    = 30 * time.Second
	DefaultPingEvery      = 5 * time.Second
	DefaultRefreshTimeout = time.Second
)

// config is what the options set.
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

func defaults() config {
	return config{
		prefix:         DefaultPrefix,
		maxAge:         cookiesession.MaxAgeLimit,
		skew:           cookiesession.DefaultClockSkew,
		maxEntries:     cookiesession.DefaultMaxRevocations,
		resync:         DefaultResyncEvery,
		ping:           DefaultPingEvery,
		refreshTimeout: DefaultRefreshTimeout,
		onError:        func(error) {},
	}
}

// An Option configures New.
type Option func(*config)

// Prefix sets the prefix of the list's keys and pub/sub channel in Redis
// (DefaultPrefix). Lists that share a prefix share their revocations. On
// Redis Cluster each kind's set and its change log share a hash slot
// whatever the prefix (README.md, "Redis Cluster"); a prefix may hold a
// "}" only after a hash tag's "{".
func Prefix(p string) Option { return func(c *config) { c.prefix = p } }

// MaxAge sets how long subject and global cut-offs are kept past
// themselves: give it the stores' longest session lifetime
// (Options.MaxAgeCeiling, or MaxAge), the same on every instance. The
// default, cookiesession.MaxAgeLimit, is safe whatever the stores allow,
// at the cost of keeping cut-offs longer than needed; it is also the
// most allowed. A session's until may lie at most MaxAge (plus ClockSkew)
// ahead.
func MaxAge(d time.Duration) Option { return func(c *config) { c.maxAge = d } }

// ClockSkew sets how far ahead of now a cut-off may lie
// (cookiesession.DefaultClockSkew): servers' clocks differ. A cut-off
// further ahead, or a session's until more than MaxAge plus ClockSkew
// ahead, is refused by the Revoke methods (ErrInvalid and
// cookiesession.ErrRevocationFuture), by Redis (the merge script records
// and publishes nothing), and by every instance that reads it from Redis
// (ignored, and reported through OnError). Give every instance the same.
func ClockSkew(d time.Duration) Option { return func(c *config) { c.skew = d } }

// MaxEntries bounds the live entries the replica holds (revoked sessions
// plus subject cut-offs; cookiesession.DefaultMaxRevocations). Past it, a
// Revoke method given a new entry returns an error matching
// cookiesession.ErrRevocationListFull and records nothing. Entries other
// instances wrote are still read from Redis past it (a revocation must not
// be dropped), and each refresh that finds more reports it through OnError.
func MaxEntries(n int) Option { return func(c *config) { c.maxEntries = n } }

// ResyncEvery sets how often the replica is compared with Redis in the
// background (DefaultResyncEvery): one round trip reading three versions,
// and a full read only of what changed. It repairs anything pub/sub lost.
func ResyncEvery(d time.Duration) Option { return func(c *config) { c.resync = d } }

// PingEvery sets how often the subscription connection is pinged when idle
// (DefaultPingEvery). Each answer confirms that every revocation published
// before it reached the replica, so Stale stays below about this interval
// while Redis is reachable.
func PingEvery(d time.Duration) Option { return func(c *config) { c.ping = d } }

// FailClosedAfter makes Revoked refuse every session once the replica has
// not been confirmed current for d (Stale > d): while Redis is unreachable
// for longer than d, no session opens, so a revocation made meanwhile
// cannot be missed, at the price of an outage for every user. Zero (the
// default) keeps enforcing the replica however stale it grows. d must
// exceed PingEvery.
func FailClosedAfter(d time.Duration) Option { return func(c *config) { c.failClosed = d } }

// MaxStaleness bounds how stale an answer can be, for instances that are
// frozen between invocations (serverless functions), where pub/sub and
// pings do not run: when Revoked finds the replica older than d, it first
// brings it up to date with one round trip to Redis (two if something
// changed), bounded by RefreshTimeout. Concurrent callers share that one
// refresh; while Redis fails, one attempt a second is made and the others
// use the replica as it is. Zero (the default) never does I/O in Revoked.
// On an instance that is not frozen, pings confirm the replica every
// PingEvery: a d above PingEvery then costs no round trip in Revoked.
func MaxStaleness(d time.Duration) Option { return func(c *config) { c.maxStale = d } }

// RefreshTimeout bounds the refresh that MaxStaleness makes inside Revoked
// (DefaultRefreshTimeout): no caller of Revoked waits for it longer, even
// when Redis hangs and the client would wait longer (go-redis bounds a
// command by the client's ReadTimeout, not by a context's deadline).
func RefreshTimeout(d time.Duration) Option { return func(c *config) { c.refreshTimeout = d } }

// OnError sets a function called with each error of the background work
// (a lost subscription, a failed re-sync), for logging. It must not block.
func OnError(f func(error)) Option { return func(c *config) { c.onError = f } }

// check reports the first invalid option.
func (c *config) check() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	if err := revokewire.CheckPrefix(c.prefix); err != nil {
		return bad("Prefix: %v", err)
	}
	switch {
	case c.maxAge < time.Second || c.maxAge > cookiesession.MaxAgeLimit:
		return bad("MaxAge %v: use 1s..%v (400 days, the most a browser keeps a cookie): the stores' longest session lifetime", c.maxAge, cookiesession.MaxAgeLimit)
	case c.skew < 0 || c.skew > time.Hour:
		return bad("ClockSkew %v: use 0..1h; keep servers' clocks synchronised", c.skew)
	case c.maxEntries <= 0:
		return bad("MaxEntries %d: must be positive", c.maxEntries)
	case c.resync <= 0 || c.ping <= 0 || c.refreshTimeout <= 0:
		return bad("ResyncEvery, PingEvery and RefreshTimeout must be positive")
	case c.failClosed < 0 || c.maxStale < 0:
		return bad("FailClosedAfter and MaxStaleness must not be negative")
	case c.failClosed > 0 && c.failClosed <= c.ping:
		return bad("FailClosedAfter %v must exceed PingEvery %v, or every quiet instance fails closed", c.failClosed, c.ping)
	case c.onError == nil:
		return bad("OnError: nil function")
	}
	return nil
}
