package redisrevoke

import (
	"sync"
	"time"

	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// kind is one of the three kinds of entry, each kept in one sorted set
// (revokewire's schema).
type kind = revokewire.Kind

const (
	kindSession = revokewire.Session // member: a session identifier; score: until
	kindSubject = revokewire.Subject // member: a subject; score: the cut-off
	kindAll     = revokewire.All     // member: allMember; score: the global cut-off
	kinds       = revokewire.Kinds
)

// allMember is the one member of the global cut-off's sorted set.
const allMember = revokewire.AllMember

// replica is a process's copy of the revocations, in Unix milliseconds.
// Every entry only ever grows (a later until, a later cut-off), so merging
// in any order gives the same result, and an entry leaves only when it
// expires.
type replica struct {
	maxAge int64 // cut-offs live maxAge ms past themselves

	mu    sync.RWMutex
	sets  [kinds - 1]map[string]int64 // sessions, subjects
	all   int64                       // 0: none
	swept int
	full  int64 // when fits last swept a full replica
}

func newReplica(maxAge time.Duration) *replica {
	return &replica{maxAge: maxAge.Milliseconds(), sets: [kinds - 1]map[string]int64{{}, {}}}
}

// life is how long past its score an entry of kind k is enforced.
func (r *replica) life(k kind) int64 {
	return revokewire.Life(k, time.Duration(r.maxAge)*time.Millisecond)
}

// live reports whether an entry of kind k and score ms is in force at now.
func (r *replica) live(k kind, ms, now int64) bool { return now < ms+r.life(k) }

// merge raises entry (k, member) to ms; it reports whether it changed.
func (r *replica) merge(k kind, member string, ms, now int64) bool {
	if !r.live(k, ms, now) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if k == kindAll {
		if ms <= r.all {
			return false
		}
		r.all = ms
		return true
	}
	if old, ok := r.sets[k][member]; ok && old >= ms {
		return false
	}
	r.sets[k][member] = ms
	r.sweep(now)
	return true
}

// mergeAll merges entries of kind k under one lock.
func (r *replica) mergeAll(k kind, entries map[string]int64, now int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for m, ms := range entries {
		switch {
		case !r.live(k, ms, now):
		case k == kindAll:
			r.all = max(r.all, ms)
		case ms > r.sets[k][m]:
			r.sets[k][m] = ms
		}
	}
	r.sweep(now)
}

// holds reports whether entry (k, member) is held at ms or later.
func (r *replica) holds(k kind, member string, ms int64) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if k == kindAll {
		return r.all >= ms
	}
	old, ok := r.sets[k][member]
	return ok && old >= ms
}

// revoked is the check of cookiesession.Revocations on the replica.
func (r *replica) revoked(id, subject string, created, now int64) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.all > 0 && created < r.all && now < r.all+r.maxAge {
		return true
	}
	if id != "" {
		if until, ok := r.sets[kindSession][id]; ok && now < until {
			return true
		}
	}
	if subject != "" {
		if cut, ok := r.sets[kindSubject][subject]; ok && created < cut && now < cut+r.maxAge {
			return true
		}
	}
	return false
}

// missing returns the live entries of kind k that got lacks or holds
// lower.
func (r *replica) missing(k kind, got map[string]int64, now int64) map[string]int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := map[string]int64{}
	if k == kindAll {
		if r.live(k, r.all, now) && r.all > got[allMember] {
			out[allMember] = r.all
		}
		return out
	}
	for m, ms := range r.sets[k] {
		if r.live(k, ms, now) && ms > got[m] {
			out[m] = ms
		}
	}
	return out
}

// len returns the number of entries held, expired ones not yet swept
// included.
func (r *replica) len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.sets[kindSession]) + len(r.sets[kindSubject])
}

// fits reports whether entry (k, member) may be revoked under a bound of
// limit live entries: the global cut-off, or an entry held already, always;
// a new one while fewer than limit are held, after dropping the expired
// ones (at most once a second while the replica stays full).
func (r *replica) fits(k kind, member string, limit int, now int64) bool {
	if k == kindAll {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.sets[k][member]; ok {
		return true
	}
	if len(r.sets[kindSession])+len(r.sets[kindSubject]) >= limit && (now-r.full >= 1000 || now < r.full) {
		r.full = now
		r.sweepAll(now)
	}
	return len(r.sets[kindSession])+len(r.sets[kindSubject]) < limit
}

// sweep drops expired entries once the replica has doubled since the last
// sweep, so that each insertion costs amortised constant time. r.mu is
// held.
func (r *replica) sweep(now int64) {
	if n := len(r.sets[kindSession]) + len(r.sets[kindSubject]); n >= 2*r.swept+64 {
		r.sweepAll(now)
	}
}

// sweepAll drops every entry expired at now. r.mu is held.
func (r *replica) sweepAll(now int64) {
	for k, set := range r.sets {
		for m, ms := range set {
			if !r.live(kind(k), ms, now) {
				delete(set, m)
			}
		}
	}
	r.swept = len(r.sets[kindSession]) + len(r.sets[kindSubject])
}
