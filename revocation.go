package cookiesession

// Revocation: refusing a session before it expires, which a sealed cookie
// alone cannot do (a copy stays valid). With Options.Revocations every
// session carries a random identifier sealed in its value, and each open
// asks the list, in memory, whether it is revoked: no network on the
// request path. docs/THREAT-MODEL.md, "Logout cannot revoke", explains.

import (
	"sync"
	"time"
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

// RevocationList is a Revocations held in one process's memory, for a
// single machine (several machines share one through package redisrevoke).
// Entries expire on their own once no session they name can still be
// valid. It is safe for concurrent use.
type RevocationList struct {
	maxAge time.Duration
	now    func() time.Time

	mu       sync.RWMutex
	sessions map[string]time.Time // id -> until
	subjects map[string]time.Time // subject -> cut-off
	all      time.Time            // global cut-off
	swept    int                  // entries after the last sweep
}

// NewRevocationList returns an empty list whose cut-offs expire maxAge
// after they were set: give it the stores' longest session lifetime
// (Options.MaxAgeCeiling, or MaxAge).
func NewRevocationList(maxAge time.Duration) *RevocationList {
	return &RevocationList{maxAge: maxAge, now: time.Now, sessions: map[string]time.Time{}, subjects: map[string]time.Time{}}
}

// RevokeSession refuses the session with identifier id (Session.ID) until
// until, which must be no earlier than the end of the session's absolute
// lifetime: Session.Created plus its lifetime (Options.MaxAge, or its own
// SetMaxAge). Not Session.ExpiresAt with an idle timeout: a copy used
// elsewhere since moves its own idle deadline later.
func (l *RevocationList) RevokeSession(id string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.sessions[id]) {
		l.sessions[id] = until
	}
	l.sweep()
}

// RevokeSubject refuses every session of subject (Session.SetSubject)
// created before before: "log out all my devices". Creation times are
// whole seconds, so a session created in before's second is refused too;
// to keep the current session, pass its Created time.
func (l *RevocationList) RevokeSubject(subject string, before time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if before.After(l.subjects[subject]) {
		l.subjects[subject] = before
	}
	l.sweep()
}

// RevokeAll refuses every session created before before, and every legacy
// session presented while the cut-off lasts: "log out everyone", without
// changing keys.
func (l *RevocationList) RevokeAll(before time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if before.After(l.all) {
		l.all = before
	}
}

// Revoked implements Revocations.
func (l *RevocationList) Revoked(id, subject string, created time.Time) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	now := l.now()
	if created.Before(l.all) && now.Before(l.all.Add(l.maxAge)) {
		return true
	}
	if id != "" {
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
	return len(l.sessions) + len(l.subjects)
}

// sweep drops expired entries once the list has doubled since the last
// sweep, so that each insertion costs amortised constant time.
func (l *RevocationList) sweep() {
	n := len(l.sessions) + len(l.subjects)
	if n < 2*l.swept+64 {
		return
	}
	now := l.now()
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
	l.swept = len(l.sessions) + len(l.subjects)
}
