package redisrevoke

import (
	"sync"
	"time"

	"github.com/cookiesession/cookiesession/internal/idset"
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
// expires. A session identifier of Session.ID's form (every one the store
// makes) is held compactly, in ids (package idset: 16 bytes and until as
// seconds, rounded up, at most idset.Bound bytes per entry); any other
// identifier, and every subject, in a map.
type replica struct {
	maxAge int64 // cut-offs live maxAge ms past themselves

	mu    sync.RWMutex
	ids   idset.Set                   // Session.ID identifiers -> until
	sets  [kinds - 1]map[string]int64 // other session identifiers, subjects
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
	if !r.raise(k, member, ms) {
		return false
	}
	r.sweep(now)
	return true
}

// raise raises entry (k, member) to ms, live; it reports whether it
// changed. r.mu is held.
func (r *replica) raise(k kind, member string, ms int64) bool {
	if k == kindAll {
		if ms <= r.all {
			return false
		}
		r.all = ms
		return true
	}
	if id, ok := idset.Parse(member); ok && k == kindSession {
		return r.ids.Raise(id, idset.UntilMilli(ms))
	}
	if old, ok := r.sets[k][member]; ok && old >= ms {
		return false
	}
	r.sets[k][member] = ms
	return true
}

// mergeAll merges entries of kind k under one lock: the session
// identifiers of Session.ID's form in one pass over ids.
func (r *replica) mergeAll(k kind, entries map[string]int64, now int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var batch []idset.Entry
	for m, ms := range entries {
		if !r.live(k, ms, now) {
			continue
		}
		if id, ok := idset.Parse(m); ok && k == kindSession {
			batch = append(batch, idset.Entry{ID: id, Until: idset.UntilMilli(ms)})
			continue
		}
		r.raise(k, m, ms)
	}
	r.ids.Merge(batch)
	r.sweep(now)
}

// holds reports whether entry (k, member) is held at ms or later.
func (r *replica) holds(k kind, member string, ms int64) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if k == kindAll {
		return r.all >= ms
	}
	if id, ok := idset.Parse(member); ok && k == kindSession {
		u, ok := r.ids.Get(id)
		return ok && u >= idset.UntilMilli(ms)
	}
	old, ok := r.sets[k][member]
	return ok && old >= ms
}

// revoked is the check of cookiesession.Revocations on the replica. It
// reads the clock only for a global cut-off later than created: a session
// or subject entry refuses while held, until a sweep drops it (List.Revoked
// explains why that changes no answer a store can see).
func (r *replica) revoked(id, subject string, created int64) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.all > 0 && created < r.all && time.Now().UnixMilli() < r.all+r.maxAge {
		return true
	}
	if k, ok := idset.Parse(id); ok {
		if _, ok := r.ids.Get(k); ok {
			return true
		}
	} else if id != "" {
		if _, ok := r.sets[kindSession][id]; ok {
			return true
		}
	}
	if subject != "" {
		if cut, ok := r.sets[kindSubject][subject]; ok && created < cut {
			return true
		}
	}
	return false
}

// missing returns the live entries of kind k that got lacks or holds
// lower (a compact entry's until compared in its rounded seconds).
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
	if k == kindSession {
		sec := idset.NowMilli(now)
		for id, u := range r.ids.All() {
			if m := id.String(); idset.Live(u, sec) && u > idset.UntilMilli(got[m]) {
				out[m] = idset.Milli(u)
			}
		}
	}
	for m, ms := range r.sets[k] {
		if r.live(k, ms, now) && ms > got[m] {
			out[m] = ms
		}
	}
	return out
}

// count is the number of entries held, expired ones not yet swept
// included. r.mu is held.
func (r *replica) count() int {
	return r.ids.Len() + len(r.sets[kindSession]) + len(r.sets[kindSubject])
}

// len is count, locked.
func (r *replica) len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.count()
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
	if id, ok := idset.Parse(member); ok && k == kindSession {
		if _, ok := r.ids.Get(id); ok {
			return true
		}
	} else if _, ok := r.sets[k][member]; ok {
		return true
	}
	if r.count() >= limit && (now-r.full >= 1000 || now < r.full) {
		r.full = now
		r.sweepAll(now)
	}
	return r.count() < limit
}

// sweep drops expired entries once the replica has doubled since the last
// sweep, so that each insertion costs amortised constant time. r.mu is
// held.
func (r *replica) sweep(now int64) {
	if r.count() >= 2*r.swept+64 {
		r.sweepAll(now)
	}
}

// sweepAll drops every entry expired at now. r.mu is held.
func (r *replica) sweepAll(now int64) {
	r.ids.Sweep(idset.NowMilli(now))
	for k, set := range r.sets {
		for m, ms := range set {
			if !r.live(kind(k), ms, now) {
				delete(set, m)
			}
		}
	}
	r.swept = r.count()
}
