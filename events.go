package cookiesession

// Lifecycle events (Options.OnEvent): what OWASP's Session Management Cheat
// Sheet asks to log (creation, renewal, destruction, invalid sessions), and
// what a migration wants to watch (legacy cookies draining, keys rotating).

import (
	"context"
	"fmt"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
)

// EventKind says what happened to a session.
type EventKind uint8

const (
	// EventCreated: a new session was saved for the first time.
	EventCreated EventKind = iota + 1
	// EventRenewed: a session was saved after Session.Renew.
	EventRenewed
	// EventDestroyed: a session's cookies were expired by Session.Destroy.
	EventDestroyed
	// EventResealed: a session sealed under an older key or the other
	// cipher was re-sealed under the current ones.
	EventResealed
	// EventUpgraded: a legacy (Express or gorilla) session was replaced by
	// a sealed one; Event.From names the format.
	EventUpgraded
	// EventExpired: a request's session was refused as expired or idle;
	// Event.Err is ErrExpired or ErrIdleTimeout.
	EventExpired
	// EventSizeWarning: a saved session passed 80% of its
	// budget; Event.Size and Event.Budget say by how much.
	EventSizeWarning
	// EventResealSkipped: a write the store chose on its own, with no
	// change of the handler's to save (a re-seal under a newer key or the
	// other cipher, a refresh for IdleTimeout, an identifier for
	// Revocations, a legacy upgrade or re-signing), would not fit the size
	// budget; the request was served from the cookies it carried, left as
	// they were, and the store tries again on the next request. Event.Err
	// is the *TooLargeError, Event.Size and Event.Budget its figures,
	// Event.From the legacy format, if any. Until the session shrinks (or
	// the budget grows), it needs its old key, cipher or legacy format
	// configured, expires at its old idle deadline, and carries no
	// identifier if it had none (revoke it by subject or cut-off).
	EventResealSkipped
	// EventRejected: a request's session cookie was refused for a reason
	// other than its age (tampered, unknown key, revoked, malformed, ...);
	// Event.Err says why, as Session.Err does. The request got a new,
	// empty session.
	EventRejected
	// EventLostChange: a session change can no longer reach the client and
	// no response can say so: under the middleware, a change made after
	// the response started, pending when the handler hijacked the
	// connection, or made by a handler that panicked (ErrPanicked; the
	// panic goes on); for an adapter, Session.ReportLostChange. Event.Err
	// is a *LostChangeError naming what was lost, never the data.
	// Reported at most once per request; with a nil
	// Options.OnEvent it is logged with slog's default logger at level
	// Error.
	EventLostChange
)

// String returns the kind's name without the Event prefix, in lower case
// ("created", "size-warning"), for logs.
func (k EventKind) String() string {
	names := [...]string{"", "created", "renewed", "destroyed", "resealed", "upgraded", "expired", "size-warning", "reseal-skipped", "rejected", "lost-change"}
	if int(k) < len(names) && k > 0 {
		return names[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one lifecycle event. It carries no session data.
type Event struct {
	Kind EventKind
	// Err is why the session was refused, for EventExpired and
	// EventRejected; the *LostChangeError, for EventLostChange; the
	// *TooLargeError, for EventResealSkipped.
	Err error
	// From is "express" or "gorilla", for EventUpgraded, and for
	// EventResealSkipped of a legacy session.
	From string
	// Size is the bytes the saved session takes (name plus value of its
	// one cookie, or all its chunks as in the Cookie header), and Budget
	// the limit that applies (MaxCookieBytes or MaxTotalBytes), for
	// EventSizeWarning; for EventResealSkipped, the bytes it would have
	// needed and the limit, as in its TooLargeError.
	Size, Budget int
}

// event calls the event hook, if any.
func (c *core) event(ctx context.Context, e Event) {
	if c.onEvent != nil {
		c.onEvent(ctx, e)
	}
}

// saveEvents reports what applying p did, prev being what the client held
// before.
func (c *core) saveEvents(ctx context.Context, prev *held, p *plan) {
	if c.onEvent == nil {
		return
	}
	switch {
	case len(p.lines) == 0: // nothing sent, or a re-seal skipped
		if p.event != nil {
			c.onEvent(ctx, *p.event)
		}
		return
	case p.user == changedDestroy:
		c.onEvent(ctx, Event{Kind: EventDestroyed})
		return
	}
	switch {
	case prev.data == nil || p.user&changedDestroy != 0:
		c.onEvent(ctx, Event{Kind: EventCreated})
	case p.user&changedRenew != 0:
		c.onEvent(ctx, Event{Kind: EventRenewed})
	}
	if prev.legacy.idx > 0 && p.next.legacy.idx == 0 {
		c.onEvent(ctx, Event{Kind: EventUpgraded, From: c.legacy[prev.legacy.idx-1].Format()})
	} else if prev.stale&staleKey != 0 {
		c.onEvent(ctx, Event{Kind: EventResealed})
	}
	if p.event != nil {
		c.onEvent(ctx, *p.event)
	}
}

// sizeWarningFor returns EventSizeWarning for a sealed value of valueLen
// bytes in n chunks past bounds.SizeWarningShare (80%) of its budget, or nil.
func (c *core) sizeWarningFor(valueLen, n int) *Event {
	if c.onEvent == nil {
		return nil
	}
	size, budget := len(c.name)+valueLen, c.limits.Cookie
	if c.limits.Chunks > 1 {
		// The chunks as the Cookie header carries them: the value's bytes
		// split across n names, each with its "=", joined by "; ".
		var hs chunks.HeaderSize
		hs.Add(chunks.NameLen(c.name, 1), valueLen)
		for i := 2; i <= n; i++ {
			hs.Add(chunks.NameLen(c.name, i), 0)
		}
		size, budget = hs.Bytes(), c.limits.Total
	}
	if float64(size) <= bounds.SizeWarningShare*float64(budget) {
		return nil
	}
	return &Event{Kind: EventSizeWarning, Size: size, Budget: budget}
}
