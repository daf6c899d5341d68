package cookiesession

// Revocation: refusing a session before it expires, which a sealed cookie
// alone cannot do (a copy stays valid). With Options.Revocations every
// session carries a random identifier sealed in its value, and each open
// asks the list, in memory, whether it is revoked: no network on the
// request path. docs/THREAT-MODEL.md, "Logout and revocation", explains.

import (
	"fmt"
	"sync"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/idset"
)

// Revocations tells a store which sessions to refuse. Revoked is called on
// every open, so it must be fast and must not block on the network: keep
// the list in memory and update it in the background (package redisrevoke
// does, from Redis). It must be safe for concurrent use.
type Revocations interface {
	// Revoked reports whether a session must be refused: its identifier
	// id was revoked, or a cut-off for its subject, or for every session,
	// lies after created. id or subject may be empty. A legacy session
	// (Express, gorilla), whose creation is unknown, is asked with empty
	// id and subject and the zero time, so a global cut-off refuses it.
	Revoked(id, subject string, created time.Time) bool
}

// DefaultMaxRevocations is the most live entries (revoked sessions plus
// subject cut-offs) a RevocationList holds when
// RevocationListOptions.MaxEntries is zero. At the measured cost per
// revoked session (docs/THREAT-MODEL.md, "Logout and revocation": at most 29 B
// at 100,000 entries or more), it bounds the list near 29 MB.
const DefaultMaxRevocations = 1_000_000

// RevocationListOptions configures NewRevocationList. The zero value is a
// usable default.
type RevocationListOptions struct {
	// MaxAge is how long a cut-off is kept past itself, and how far in the
	// future a revoked session's until may lie: give it the stores' longest
	// session lifetime (Options.MaxAgeCeiling, or MaxAge). Zero means
	// bounds.MaxAgeLimit, safe whatever the stores allow; at most bounds.MaxAgeLimit.
	MaxAge time.Duration
	// MaxEntries bounds the live entries held (revoked sessions plus
	// subject cut-offs; the global cut-off is not counted). Past it, a
	// revocation of a new entry returns ErrRevocationListFull. Zero means
	// DefaultMaxRevocations.
	MaxEntries int
	// ClockSkew is how far in the future a cut-off may lie (servers'
	// clocks differ). Zero means bounds.DefaultClockSkew; negative means none.
	ClockSkew time.Duration
}

// RevocationList is a Revocations held in one process's memory, for a
// single machine (several machines share one through package redisrevoke).
// Entries expire on their own once no session they name can still be
// valid. It is safe for concurrent use.
type RevocationList struct {
	maxAge, skew time.Duration
	limit        int
	now          func() time.Time

	mu       sync.RWMutex
	ids      idset.Set            // Session.ID identifiers -> until (idset.Until)
	sessions map[string]time.Time // other identifiers -> until
	subjects map[string]time.Time // subject -> cut-off
	all      time.Time            // global cut-off
	swept    int                  // entries after the last sweep
	full     time.Time            // when a full list last swept
}

// NewRevocationList returns an empty list. It returns an error matching
// ErrInvalidOptions if an option is out of range.
func NewRevocationList(o RevocationListOptions) (*RevocationList, error) {
	l := &RevocationList{maxAge: o.MaxAge, skew: o.ClockSkew, limit: o.MaxEntries, now: time.Now,
		sessions: map[string]time.Time{}, subjects: map[string]time.Time{}}
	switch {
	case l.maxAge == 0:
		l.maxAge = bounds.MaxAgeLimit
	case l.maxAge < time.Second || l.maxAge > bounds.MaxAgeLimit:
		return nil, optionsError("RevocationListOptions.MaxAge %v out of range: use 1s..%v (400 days, the most a browser keeps a cookie); 0 means %v", o.MaxAge, bounds.MaxAgeLimit, bounds.MaxAgeLimit)
	}
	switch {
	case l.limit == 0:
		l.limit = DefaultMaxRevocations
	case l.limit < 0:
		return nil, optionsError("RevocationListOptions.MaxEntries %d is negative: use a positive bound, or 0 for %d", o.MaxEntries, DefaultMaxRevocations)
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
// (Options.MaxAge, or its own SetMaxAge). Not Session.ExpiresAt with an
// idle timeout: a copy used elsewhere since moves its own idle deadline
// later.
//
// It returns an error matching ErrRevocationFuture, recording nothing, if
// until lies more than MaxAge (plus the clock skew) ahead; one matching
// ErrRevocationListFull if the list holds MaxEntries live entries.
func (l *RevocationList) RevokeSession(id string, until time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
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
// It returns an error matching ErrRevocationFuture, recording nothing, if
// before lies ahead of now by more than the clock skew (it would refuse
// every new login of subject until then); one matching
// ErrRevocationListFull if the list holds MaxEntries live entries.
func (l *RevocationList) RevokeSubject(subject string, before time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if err := checkRevocationTime("cut-off", before, now, l.skew); err != nil {
		return err
	}
	return l.insert(l.subjects, subject, before, now)
}

// RevokeAll refuses every session created before before, and every legacy
// session presented while the cut-off lasts: "log out everyone", without
// changing keys. It returns an error matching ErrRevocationFuture,
// recording nothing, if before lies ahead of now by more than the clock
// skew: it would refuse every new login until then.
func (l *RevocationList) RevokeAll(before time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := checkRevocationTime("cut-off", before, l.now(), l.skew); err != nil {
		return err
	}
	if before.After(l.all) {
		l.all = before
	}
	return nil
}

// checkRevocationTime returns an error matching ErrRevocationFuture if t,
// named what ("cut-off", "until"), lies more than ahead past now.
func checkRevocationTime(what string, t, now time.Time, ahead time.Duration) error {
	if limit := now.Add(ahead); t.After(limit) {
		return fmt.Errorf("%w: %s %s is later than %s (now plus %v): pass time.Now() as a cut-off, and a session's end of life (Created plus its lifetime) as until",
			ErrRevocationFuture, what, t.UTC().Format(time.RFC3339), limit.UTC().Format(time.RFC3339), ahead)
	}
	return nil
}

// insert raises m[key] to t, if room allows a new key. l.mu is held.
func (l *RevocationList) insert(m map[string]time.Time, key string, t, now time.Time) error {
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
func (l *RevocationList) room(now time.Time) error {
	if l.count() < l.limit {
		return nil
	}
	if now.Sub(l.full) >= time.Second || now.Before(l.full) {
		l.full = now
		l.sweepAt(now)
	}
	if l.count() >= l.limit {
		return fmt.Errorf("%w: %d live entries (RevocationListOptions.MaxEntries); the session stays valid: raise MaxEntries, revoke by subject, or rotate keys to log everyone out", ErrRevocationListFull, l.limit)
	}
	return nil
}

// count is the number of entries held. l.mu is held.
func (l *RevocationList) count() int { return l.ids.Len() + len(l.sessions) + len(l.subjects) }

// Revoked implements Revocations.
func (l *RevocationList) Revoked(id, subject string, created time.Time) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	now := l.now()
	if created.Before(l.all) && now.Before(l.all.Add(l.maxAge)) {
		return true
	}
	if k, ok := idset.Parse(id); ok {
		if until, ok := l.ids.Get(k); ok && idset.Live(until, idset.Now(now)) {
			return true
		}
	} else if id != "" {
		if until, ok := l.sessions[id]; ok && now.Before(until) {
			return true
		}
	}
	if subject != "" {
		if cut, ok := l.subjects[subject]; ok && created.Before(cut) && now.Before(cut.Add(l.maxAge)) {
			return true
		}
	}
	return false
}

// Len returns the number of entries the list holds.
func (l *RevocationList) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.count()
}

// sweep drops expired entries once the list has doubled since the last
// sweep, so that each insertion costs amortised constant time.
func (l *RevocationList) sweep() {
	if n := l.count(); n >= 2*l.swept+64 {
		l.sweepAt(l.now())
	}
}

// sweepAt drops the entries expired at now. l.mu is held.
func (l *RevocationList) sweepAt(now time.Time) {
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
