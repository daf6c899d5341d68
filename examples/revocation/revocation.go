// Package revocation adds what a sealed cookie cannot do by itself: end a
// user's sessions everywhere before they expire ("log out of all devices",
// a password change, an account locked by an administrator).
//
// The library has this built in: Options.Revocations with
// Session.SetSubject and memrevoke.List.RevokeSubject (examples/nethttp
// wires it), needing no lookup per request; this package is the alternative
// for an application that already keeps its users in a table.
//
// Session.Destroy only asks the browser to delete its cookie; a copy of the
// value taken earlier stays valid until its lifetime ends. Revoking it needs
// state on the server, and the smallest useful piece is one timestamp per
// user: sessions created before it are void. Check reads it on every
// request that carries a signed-in session and compares it with
// Session.Created, which the cookie carries authenticated.
//
// Wire it inside the store's middleware, around everything:
//
//	h := store.Middleware(revocation.Check(store, userOf, users.ValidAfter)(mux))
//
// so that no handler (in particular none that calls Session.Renew, which
// gives the session a fresh creation time) sees a revoked session.
package revocation

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/cookiesession/cookiesession"
)

// ValidAfterFunc returns the time before which the sessions of userID are
// void, or the zero time if they were never revoked. In an application it
// reads a column of the users table, or a cache in front of it.
type ValidAfterFunc func(ctx context.Context, userID string) (time.Time, error)

// Check returns middleware that destroys a session created at or before its
// user's valid-after time, then lets the request continue as a signed-out
// one. userOf returns the signed-in user of a session's data, "" for none.
// When validAfter fails the request is refused with 503: a check that
// cannot be made does not let the session through.
func Check[T any](store *cookiesession.Store[T], userOf func(*T) string, validAfter ValidAfterFunc) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := store.Get(r)
			if user := userOf(&s.Data); user != "" && !s.IsNew() {
				after, err := validAfter(r.Context(), user)
				if err != nil {
					slog.ErrorContext(r.Context(), "session revocation check failed", "err", err)
					http.Error(w, "try again later", http.StatusServiceUnavailable)
					return
				}
				if Revoked(s.Created(), after) {
					s.Destroy() // the response expires the cookie
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Revoked reports whether a session created at created is void under the
// valid-after time after. Session.Created has one-second resolution (the
// cookie stores Unix seconds), so a session created in the same second as
// the revocation counts as revoked: a sign-in in that second must be
// repeated. That errs on the safe side; the other choice would let a
// session stolen in that second survive.
func Revoked(created, after time.Time) bool {
	if after.IsZero() {
		return false
	}
	return !created.After(after.Truncate(time.Second))
}

// Users is an in-memory stand-in for the application's user store: it keeps
// each user's valid-after time.
type Users struct {
	mu         sync.Mutex
	validAfter map[string]time.Time
}

// RevokeAll voids every session of user created up to now.
func (u *Users) RevokeAll(user string, now time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.validAfter == nil {
		u.validAfter = make(map[string]time.Time)
	}
	u.validAfter[user] = now
}

// ValidAfter implements ValidAfterFunc.
func (u *Users) ValidAfter(_ context.Context, user string) (time.Time, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.validAfter[user], nil
}
