// Package redisrevoke shares cookiesession revocations between machines
// through Redis (or Valkey): a *List is a cookiesession.Revocations for
// cookiesession.Options.Revocations whose revocations, made on any instance, reach every
// instance.
//
// Each List keeps a replica of every revocation in memory. It is loaded by
// New, kept current by Redis pub/sub (a message is only a hint: the
// entry is read back from Redis, so a forged one changes nothing; a
// revocation reaches the other instances in about a millisecond on a local
// network), compared with Redis every Options.ResyncEvery and after every
// reconnection (reading only the changes since its last read, from a
// change log in Redis), checked for a FLUSHALL with each ping, and its
// entries swept once they end. Revoked, which the store calls on every request,
// reads only the replica: no Redis command per request.
//
//	list, err := redisrevoke.New(ctx, rdb, redisrevoke.Options{MaxAge: 30 * 24 * time.Hour})
//	if err != nil { ... }
//	defer list.Close()
//	store, err := cookiesession.New[Data](cookiesession.Options{..., Revocations: list})
//	...
//	if s.Subject() != "" { // only signed-in sessions: anonymous ones grant nothing
//		err = list.RevokeSession(ctx, s.ID(), s.Deadline()) // this session, everywhere
//	}
//	err = list.RevokeSubject(ctx, userID, time.Now())    // every device of a user
//	err = list.RevokeAll(ctx, time.Now())                 // everyone
//
// While Redis is unreachable, a List keeps enforcing what it knows and
// Stale grows; revocations return ErrUnavailable, are enforced by the
// instance that made them, and are written to Redis once it answers. Options.FailClosedAfter makes
// it refuse every session past a staleness bound instead. When Redis comes
// back empty (restarted without persistence), each List writes back what
// it still enforces. For instances frozen between invocations (serverless
// functions), Options.MaxStaleness makes Revoked refresh a replica older than a
// bound, in one round trip when nothing changed, and Refresh does it on
// demand. A program that only revokes, such as the cookiesession
// command, uses a Writer: the same writes, without a replica. README.md
// gives the storage layout, the failure modes and the measured costs.
package redisrevoke
