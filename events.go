package cookiesession

// Lifecycle events (Options.OnEvent): what OWASP's Session Management Cheat
// Sheet asks to log (creation, renewal, destruction, invalid sessions), and
// what a migration wants to watch (legacy cookies draining, keys rotating).

import (
	"errors"
	"fmt"
	"net/http"

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
	// EventSizeWarning: a saved session passed Options.SizeWarning of its
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
)

// String returns the kind's name without the Event prefix, in lower case
// ("created", "size-warning"), for logs.
func (k EventKind) String() string {
	names := [...]string{"", "created", "renewed", "destroyed", "resealed", "upgraded", "expired", "size-warning", "reseal-skipped"}
	if int(k) < len(names) && k > 0 {
		return names[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one lifecycle event. It carries no session data.
type Event struct {
	Kind EventKind
	// Err is why the session was refused, for EventExpired, or the
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
func (c *core) event(r *http.Request, e Event) {
	if c.onEvent != nil {
		c.onEvent(r, e)
	}
}

// events reports what a successful save did, c being what it wrote, warn a
// size warning, if any, and upgraded whether it replaced a legacy cookie.
func (s *Session[T]) events(c change, warn *Event, upgraded bool) {
	core := &s.store.c
	if core.onEvent == nil {
		return
	}
	switch {
	case s.isNew || c&changedDestroy != 0:
		core.event(s.r, Event{Kind: EventCreated})
	case c&changedRenew != 0:
		core.event(s.r, Event{Kind: EventRenewed})
	}
	if upgraded {
		core.event(s.r, Event{Kind: EventUpgraded, From: core.legacy[s.legacyIdx-1].formatName()})
	} else if s.rotated {
		core.event(s.r, Event{Kind: EventResealed})
	}
	if warn != nil {
		core.event(s.r, *warn)
	}
}

// skipReseal handles err, the failure of a save whose only reason was the
// store's own (no change pending: c is 0): if the session did not fit, it
// is left in the cookies the request carried, EventResealSkipped reports
// it, and skipReseal returns nil. Any other error is returned.
func (s *Session[T]) skipReseal(c change, err error) error {
	var tl *TooLargeError
	if c != 0 || !errors.As(err, &tl) {
		return err
	}
	s.reseal = false // once per request
	core := &s.store.c
	e := Event{Kind: EventResealSkipped, Err: err, Size: tl.Size, Budget: tl.Limit}
	if s.legacyIdx > 0 {
		e.From = core.legacy[s.legacyIdx-1].formatName()
	}
	core.event(s.r, e)
	return nil
}

// sizeWarningFor returns EventSizeWarning for a sealed value of valueLen
// bytes in n chunks past Options.SizeWarning of its budget, or nil.
func (c *core) sizeWarningFor(valueLen, n int) *Event {
	if c.onEvent == nil || c.sizeWarning == 0 {
		return nil
	}
	size, budget := len(c.name)+valueLen, c.limits.cookie
	if c.limits.chunks > 1 {
		// The chunks as the Cookie header carries them: the value's bytes
		// split across n names, each with its "=", joined by "; ".
		var hs chunks.HeaderSize
		hs.Add(chunks.NameLen(c.name, 1), valueLen)
		for i := 2; i <= n; i++ {
			hs.Add(chunks.NameLen(c.name, i), 0)
		}
		size, budget = hs.Bytes(), c.limits.total
	}
	if float64(size) <= c.sizeWarning*float64(budget) {
		return nil
	}
	return &Event{Kind: EventSizeWarning, Size: size, Budget: budget}
}
