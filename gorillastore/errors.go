package gorillastore

import (
	"errors"
	"fmt"

	"github.com/cookiesession/cookiesession"
)

// Errors of a Store, besides those of package cookiesession that Save
// passes on (ErrTooLarge, ErrInsecureRequest, ErrEncode, ...). Each matches
// with errors.Is; the messages never carry a session value.
var (
	// ErrValue reports a session value that a cookie cannot carry as it
	// is: a key that is not a string, or a value that JSON would not give
	// back as itself. The error is a *ValueError naming the key.
	ErrValue = errors.New("gorillastore: session value not storable")

	// ErrOptions reports a session.Options that asks for a cookie the
	// store does not write: a Path, Domain, HttpOnly, SameSite (other than
	// 0), Partitioned or Secure other than the store's (Secure false is
	// accepted where the store leaves Secure to the request: SecureAuto,
	// for a name that does not need it), or a MaxAge beyond
	// Options.MaxAgeCeiling; or nil Options. A MaxAge below 0 deletes
	// the session whatever the other fields. Save then writes nothing.
	ErrOptions = errors.New("gorillastore: session.Options differ from the store's")

	// ErrSessionGone reports a Save of a session that was not new when
	// loaded, but whose cookie no longer opens: it expired or was revoked
	// since, or Save was given a request without it. Saving would bring
	// an ended session back to life, so Save writes nothing.
	ErrSessionGone = errors.New("gorillastore: the session's cookie no longer opens")

	// ErrTooManyNames reports a session name beyond the MaxNames distinct
	// names a Store serves.
	ErrTooManyNames = errors.New("gorillastore: too many session names")
)

// ValueError is the error Save returns for a session value a cookie cannot
// carry. It matches ErrValue and cookiesession.ErrEncode.
type ValueError struct {
	// Key names the value: the key of session.Values (in Go syntax when it
	// is not a string), then, inside it, the path to the value at fault,
	// such as roles[2] or profile.tags.
	Key string
	// Type is the Go type refused.
	Type string
	// Problem says what is wrong and what to store instead.
	Problem string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("gorillastore: session value %s (%s) not saved: %s", e.Key, e.Type, e.Problem)
}

// Is reports whether target is ErrValue or cookiesession.ErrEncode.
func (e *ValueError) Is(target error) bool {
	return target == ErrValue || target == cookiesession.ErrEncode
}
