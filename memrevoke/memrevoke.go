// Package memrevoke is a cookiesession.Revocations held in one process's
// memory, for a single machine (several machines share one through package
// redisrevoke). Give it to a store as Options.Revocations; each open asks
// it, in memory, whether the session is revoked: no network on the request
// path. docs/THREAT-MODEL.md, "Logout and revocation", explains.
package memrevoke

import (
	"fmt"
	"sync"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/idset"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// The errors of the Revoke methods. They are redisrevoke's ErrFuture and
// ErrFull too: errors.Is matches either package's errors with either name.
var (
	// ErrFuture reports a revocation refused because it lies too far in
	// the future: a cut-off (RevokeAll, RevokeSubject) later than now plus
	// the clock skew, or a session's until later than now plus the list's
	// MaxAge. Such an entry would lock out every new login, or outlive
	// every session it could name.
	ErrFuture = revokewire.ErrFuture

	// ErrFull reports a revocation not recorded because the list holds
	// its maximum of live entries (Options.MaxEntries). Nothing is dropped
	// in silence: the caller learns that this session stays valid.
	ErrFull = revokewire.ErrFull
)

// Options configures New. The zero value is a usable default.
type Options struct {
	// MaxAge is how long a cut-off is kept past itself, and how far in the
	// future a revoked session's until may lie: give it the stores' longest
	// session lifetime (cookiesession's Options.MaxAgeCeiling, or MaxAge).
	// Zero means 400 days, the longest a store accepts, safe whatever the
	// stores allow; at most 400 days.
	MaxAge time.Duration
	// MaxEntries bounds the live entries held (revoked sessions plus
	// subject cut-offs; the global cut-off is not counted). Past it, a
	// revocation of a new entry returns ErrFull. Zero means 1,000,000,
	// which bounds the list near 29 MB.
	MaxEntries int
	// ClockSkew is how far in the future a cut-off may lie (servers'
	// clocks differ). Zero means one minute; negative means none.
	ClockSkew time.Duration
}

// List is a cookiesession.Revocations held in memory. An entry is dropped
// by a sweep once no session it names can still be valid: a sweep runs
// when the list has doubled since the last one, and when it is full. It
// reads the time from time.Now. It is safe for concurrent use.
type List struct {
	maxAge, skew time.Duration
	limit        int

	mu       sync.RWMutex
	ids      idset.Set            // Session.ID identifiers -> until (idset.Until)
	sessions map[string]time.Time // other identifiers -> until
	subjects map[string]time.Time // subject -> cut-off
	all      time.Time            // global cut-off
	swept    int                  // entries after the last sweep
	full     time.Time            // when a full list last swept
}

// New returns an empty list. It returns an error matching
// cookiesession.ErrInvalidOptions, naming the field, if an option is out
// of range.
func New(o Options) (*List, error) {
	l := &List{maxAge: o.MaxAge, skew: o.ClockSkew, limit: o.MaxEntries,
		sessions: map[string]time.Time{}, subjects: map[string]time.Time{}}
	switch {
	case l.maxAge == 0:
		l.maxAge = bounds.MaxAgeLimit
	case l.maxAge < time.Second || l.maxAge > bounds.MaxAgeLimit:
		return nil, fmt.Errorf("%w: memrevoke.Options.MaxAge %v out of range: use 1s..%v (400 days, the most a browser keeps a cookie); 0 means %v", format.ErrInvalidOptions, o.MaxAge, bounds.MaxAgeLimit, bounds.MaxAgeLimit)
	}
	switch {
	case l.limit == 0:
		l.limit = bounds.DefaultMaxRevocations
	case l.limit < 0:
		return nil, fmt.Errorf("%w: memrevoke.Options.MaxEntries %d is negative: use a positive bound, or 0 for %d", format.ErrInvalidOptions, o.MaxEntries, bounds.DefaultMaxRevocations)
	}
	if l.skew == 0 {
		l.skew = bounds.DefaultClockSkew
	} else if l.skew < 0 {
		l.skew = 0
	}
	return l, nil
}

// RevokeSession refuses the session with identifier id (Session.ID) until
// until, which must be no earlier than the end of the session's absolute
// lifetime: Session.Deadline, its creation plus its lifetime
// (cookiesession.Options.MaxAge, or its own SetMaxAge). Not ExpiresAt with an
// idle timeout: a copy used elsewhere since moves its own idle deadline
// later. Past until, the entry refuses until a sweep drops it: by then the
// store refuses the session as expired anyway (Revoked).
//
// It returns an error matching ErrFuture, recording nothing, if
// until lies more than MaxAge (plus the clock skew) ahead; one matching
// ErrFull if the list holds MaxEntries live entries.
func (l *List) RevokeSession(id string, until time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if err := checkRevocationTime("until", until, now, l.maxAge+l.skew); err != nil {
		return err
	}
	// An identifier of Session.ID's form is held compactly (package
	// idset): its 16 bytes, and until as whole seconds, rounded up so
	// that rounding never shortens a revocation.
	k, ok := idset.Parse(id)
	if !ok {
		return l.insert(l.sessions, id, until, now)
	}
	if _, held := l.ids.Get(k); !held {
		if err := l.room(now); err != nil {
			return err
		}
	}
	l.ids.Raise(k, idset.Until(until))
	l.sweep()
	return nil
}

// RevokeSubject refuses every session of subject (Session.SetSubject)
// created before before: "log out all my devices". Creation times are
// whole seconds, so a session created in before's second is refused too;
// to keep the current session, pass its Created time.
//
// It returns an error matching ErrFuture, recording nothing, if
// before lies ahead of now by more than the clock skew (it would refuse
// every new login of subject until then); one matching
// ErrFull if the list holds MaxEntries live entries.
func (l *List) RevokeSubject(subject string, before time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if err := checkRevocationTime("cut-off", before, now, l.skew); err != nil {
		return err
	}
	return l.insert(l.subjects, subject, before, now)
}

// RevokeAll refuses every session created before before, and every legacy
// session presented while the cut-off lasts: "log out everyone", without
// changing keys. It returns an error matching ErrFuture,
// recording nothing, if before lies ahead of now by more than the clock
// skew: it would refuse every new login until then.
func (l *List) RevokeAll(before time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := checkRevocationTime("cut-off", before, time.Now(), l.skew); err != nil {
		return err
	}
	if before.After(l.all) {
		l.all = before
	}
	return nil
}

// checkRevocationTime returns an error matching ErrFuture if t,
// named what ("cut-off", "until"), lies more than ahead past now.
func checkRevocationTime(what string, t, now time.Time, ahead time.Duration) error {
	if limit := now.Add(ahead); t.After(limit) {
		return fmt.Errorf("%w: %s %s is later than %s (now plus %v): pass time.Now() as a cut-off, and a session's end of life (Created plus its lifetime) as until",
			ErrFuture, what, t.UTC().Format(time.RFC3339), limit.UTC().Format(time.RFC3339), ahead)
	}
	return nil
}

// insert raises m[key] to t, if room allows a new key. l.mu is held.
func (l *List) insert(m map[string]time.Time, key string, t, now time.Time) error {
	old, ok := m[key]
	if !ok {
		if err := l.room(now); err != nil {
			return err
		}
	}
	if t.After(old) {
		m[key] = t
	}
	l.sweep()
	return nil
}

// room reports whether a new entry fits under the cap; at the cap it first
// sweeps expired entries (at most once a second while the list stays
// full). l.mu is held.
func (l *List) room(now time.Time) error {
	if l.count() < l.limit {
		return nil
	}
	if now.Sub(l.full) >= time.Second || now.Before(l.full) {
		l.full = now
		l.sweepAt(now)
	}
	if l.count() >= l.limit {
		return fmt.Errorf("%w: %d live entries (Options.MaxEntries); the session stays valid: raise MaxEntries, revoke by subject, or rotate keys to log everyone out", ErrFull, l.limit)
	}
	return nil
}

// count is the number of entries held. l.mu is held.
func (l *List) count() int { return l.ids.Len() + len(l.sessions) + len(l.subjects) }

// Revoked implements cookiesession.Revocations. A revoked session, or a
// subject's cut-off, refuses while the list holds it, without reading the
// clock: a store asks only about a session it found unexpired, which lies
// before its entry's until (the contract of RevokeSession) and before its
// subject's cut-off plus MaxAge (no lifetime is longer), so an entry's end
// changes no answer the store can see; a sweep drops the entry after its
// end. The global cut-off reads the clock: a legacy session is asked with
// the zero creation time, so it ends MaxAge past itself.
func (l *List) Revoked(id, subject string, created time.Time) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if created.Before(l.all) && time.Now().Before(l.all.Add(l.maxAge)) {
		return true
	}
	if k, ok := idset.Parse(id); ok {
		if _, ok := l.ids.Get(k); ok {
			return true
		}
	} else if id != "" {
		if _, ok := l.sessions[id]; ok {
			return true
		}
	}
	if subject != "" {
		if cut, ok := l.subjects[subject]; ok && created.Before(cut) {
			return true
		}
	}
	return false
}

// Len returns the number of entries the list holds.
func (l *List) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.count()
}

// sweep drops expired entries once the list has doubled since the last
// sweep, so that each insertion costs amortised constant time.
func (l *List) sweep() {
	if n := l.count(); n >= 2*l.swept+64 {
		l.sweepAt(time.Now())
	}
}

// sweepAt drops the entries expired at now. l.mu is held.
func (l *List) sweepAt(now time.Time) {
	l.ids.Sweep(idset.Now(now))
	for id, until := range l.sessions {
		if !now.Before(until) {
			delete(l.sessions, id)
		}
	}
	for s, cut := range l.subjects {
		if !now.Before(cut.Add(l.maxAge)) {
			delete(l.subjects, s)
		}
	}
	l.swept = l.count()
}
