package cookiesession

// Revocation: refusing a session before it expires, which a sealed cookie
// alone cannot do (a copy stays valid). With Options.Revocations every
// session carries a random identifier sealed in its value, and each open
// asks the list, in memory, whether it is revoked: no network on the
// request path. Package memrevoke holds a list in one process's memory,
// package redisrevoke shares one between machines through Redis.
// docs/THREAT-MODEL.md, "Logout and revocation", explains.

import "time"

// Revocations tells a store which sessions to refuse. Revoked is called on
// every open, so it must be fast and must not block on the network: keep
// the list in memory (package memrevoke) and update it in the background
// (package redisrevoke does, from Redis). It must be safe for concurrent use.
type Revocations interface {
	// Revoked reports whether a session must be refused: its identifier
	// id was revoked, or a cut-off for its subject, or for every session,
	// lies after created. id or subject may be empty. The store asks only
	// about a session within its lifetime (it checks expiry first): a list
	// may go on refusing an entry past the end of every session it names.
	// A legacy session (Express, gorilla), whose creation is unknown, is
	// asked with empty id and subject and the zero time, so a global
	// cut-off refuses it.
	Revoked(id, subject string, created time.Time) bool
}
