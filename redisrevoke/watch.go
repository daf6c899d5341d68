package redisrevoke

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// Reconnection back-off while Redis is unreachable.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = time.Second
)

// watchState is what the background loop knows about its subscription.
type watchState struct {
	subscribed bool      // the subscription is confirmed and not lost since
	current    bool      // and the replica was refreshed after it
	lastPing   time.Time // when the last ping was sent or tried
	lastResync time.Time // when the last periodic re-sync was tried
	pingSent   time.Time // the ping awaiting its answer, or zero
	backoff    time.Duration
}

// watch is the background loop: it applies published revocations, pings
// the subscription to confirm the replica current, refreshes after each
// (re)subscription (go-redis re-subscribes by itself after a reconnect; the
// confirmation it receives shows it) and every ResyncEvery, until Close.
func (l *List) watch() {
	defer close(l.done)
	st := watchState{subscribed: true, current: true, lastPing: time.Now(), backoff: minBackoff}
	for l.ctx.Err() == nil {
		l.housekeep(&st)
		// Until the next ping or the next re-sync, whichever comes first.
		wait := max(min(time.Until(st.lastPing.Add(l.cfg.ping)), time.Until(l.nextResync(&st))), 10*time.Millisecond)
		msg, err := l.ps.ReceiveTimeout(l.ctx, wait)
		if l.ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			st.subscribed, st.current = false, false
			l.cfg.onError(fmt.Errorf("%w: subscription on %s: %w", ErrUnavailable, l.channel, err))
			l.sleep(st.backoff)
			st.backoff = min(2*st.backoff, maxBackoff)
			continue
		}
		st.backoff = minBackoff
		l.receive(&st, msg)
	}
}

// housekeep refreshes the replica when it is not known current or is due,
// and pings when due.
func (l *List) housekeep(st *watchState) {
	now := time.Now()
	due := !now.Before(l.nextResync(st))
	if due {
		st.lastResync = now
	}
	if (st.subscribed && !st.current) || due {
		// Bounded by Close only: a refresh blocked on a hung Redis must
		// not keep Close waiting.
		if err := l.bounded(l.ctx, l.refresh); err != nil {
			if l.ctx.Err() != nil {
				return
			}
			l.cfg.onError(err)
		} else {
			st.current = st.subscribed
		}
	}
	if now.Sub(st.lastPing) >= l.cfg.ping {
		st.lastPing = now
		if err := l.ps.Ping(l.ctx); err == nil {
			st.pingSent = now
		}
		// With each ping, a check that Redis did not lose the
		// revocations (FLUSHALL drops no connection).
		if err := l.bounded(l.ctx, l.probe); err != nil && l.ctx.Err() == nil {
			l.cfg.onError(err)
		}
	}
}

// nextResync is when the periodic re-sync is due: ResyncEvery after the
// last successful refresh, or after the last try while they fail.
func (l *List) nextResync(st *watchState) time.Time {
	last := time.Unix(0, l.lastSync.Load())
	if st.lastResync.After(last) {
		last = st.lastResync
	}
	return last.Add(l.cfg.resync)
}

// receive handles one message of the subscription.
func (l *List) receive(st *watchState, msg any) {
	switch m := msg.(type) {
	case *redis.Subscription:
		// A (re)subscription: what was published before it may be
		// missing; housekeep refreshes.
		st.subscribed, st.current = true, false
	case *redis.Pong:
		// Everything published before the ping came before its answer.
		if st.current && !st.pingSent.IsZero() {
			l.confirm(st.pingSent)
		}
		st.pingSent = time.Time{}
	case *redis.Message:
		if err := l.apply(m.Payload); err != nil {
			l.cfg.onError(err)
		}
	}
}

// sleep waits d or until Close.
func (l *List) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.ctx.Done():
	}
}
