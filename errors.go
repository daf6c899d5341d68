package cookiesession

import (
	"errors"
	"fmt"

	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/legacy"
)

// Errors that a Store or a Session can return. Every error this
// package returns matches one of these with errors.Is; most carry more detail
// in their message. No message ever contains a key, plaintext session data or
// a full cookie value.
var (
	// ErrInvalidOptions reports a configuration that New or ParseKeys
	// refuses: no keys, a key shorter than 32 bytes or obviously
	// not random (a repeated byte or pattern, or printable text), an
	// attribute a browser would reject, or a cookie prefix (in any case)
	// whose rules the options break. The message names the option, or the
	// key by position, and what to change.
	ErrInvalidOptions = format.ErrInvalidOptions

	// ErrMalformed reports a cookie value that this library did not write:
	// not base64url, too short, or of an unknown format version.
	ErrMalformed = format.ErrMalformed

	// ErrUnknownKey reports a value sealed under a key that is not among the
	// configured keys, for example one that was rotated out.
	ErrUnknownKey = format.ErrUnknownKey

	// ErrCipherRefused reports a value sealed with the cipher other than
	// Options.Cipher, refused because Options.RefuseOtherCipher is set.
	ErrCipherRefused = format.ErrCipherRefused

	// ErrAuthentication reports a value whose authentication failed: it was
	// altered, truncated, or sealed for a different cookie name.
	ErrAuthentication = format.ErrAuthentication

	// ErrChunks reports a chunked session whose cookies do not fit together:
	// a chunk missing or duplicated; or a request carrying more cookies
	// than a reader examines (3,000, net/http's own cap), which no browser
	// sends. Chunks beyond Options.MaxChunks and malformed chunk names are
	// ignored, not errors.
	ErrChunks = chunks.ErrChunks

	// ErrExpired reports a session past its absolute lifetime (Options.MaxAge),
	// whatever the browser still sends.
	ErrExpired = errors.New("cookiesession: session expired")

	// ErrIdleTimeout reports a session that was not used within
	// Options.IdleTimeout.
	ErrIdleTimeout = errors.New("cookiesession: session idle timeout")

	// ErrFromFuture reports a value whose timestamps lie further in the future
	// than one minute (clocks differ) allows: a clock is wrong or the value is forged.
	ErrFromFuture = errors.New("cookiesession: cookie timestamps are in the future")

	// ErrDecode reports a value that authenticated but whose JSON does not
	// decode into the session's data type (for example after a type change).
	ErrDecode = errors.New("cookiesession: session data does not decode")

	// ErrEncode reports session data that json.Marshal cannot encode, or
	// would change: a string that is not valid UTF-8.
	ErrEncode = format.ErrEncode

	// ErrTooLarge reports a sealed session that exceeds the configured size
	// limits. The error is a *TooLargeError carrying the figures.
	ErrTooLarge = errors.New("cookiesession: session too large for a cookie")

	// ErrInsecureRequest reports a cookie that must carry the Secure attribute
	// being set in answer to a plain-HTTP request from a non-loopback client:
	// the browser would refuse it.
	ErrInsecureRequest = errors.New("cookiesession: Secure cookie over plain HTTP")

	// ErrAlreadyWritten reports a Save after the response's header was
	// already sent: a Set-Cookie can no longer be added.
	ErrAlreadyWritten = errors.New("cookiesession: response already started")

	// ErrRevoked reports a session that Options.Revocations refused: its
	// identifier was revoked, or it was created before a cut-off for its
	// subject or for every session. The request gets a new, empty session.
	ErrRevoked = errors.New("cookiesession: session revoked")

	// ErrHijacked reports a session change that was pending when the
	// handler hijacked the connection (a websocket upgrade, say): the
	// response that would have carried the Set-Cookie is the handler's own.
	ErrHijacked = errors.New("cookiesession: connection hijacked")

	// ErrPanicked reports session changes of a handler that panicked (or
	// called runtime.Goexit) under the middleware: net/http then sends no
	// response, or cuts short the one started, so the Set-Cookie that
	// carries them may never reach the client.
	ErrPanicked = errors.New("cookiesession: handler panicked")
)

// LostChangeError reports session changes that never reached the client
// and that no response can report any more: made after the response
// started, pending when the connection was hijacked, or made by a handler
// that panicked. The middleware, and an adapter through
// Session.ReportLostChange, report it as EventLostChange. It
// matches ErrAlreadyWritten, or ErrHijacked when Hijacked, or ErrPanicked
// when Panicked, and whatever Err matches.
type LostChangeError struct {
	// What names the changes lost: "Destroy", "Renew", "Data", "flash
	// messages", "SetBrowserSession", "SetMaxAge", "SetSubject",
	// comma-separated. Never the data.
	What string
	// Hijacked reports that the connection was hijacked with the changes
	// pending.
	Hijacked bool
	// Panicked reports that the handler panicked (or called
	// runtime.Goexit): What names every change of the request, saved in
	// the response's header or not, as that response may never go out.
	// The middleware reports it, then lets the panic go on.
	Panicked bool
	// Err is why Data could not even be encoded (ErrEncode), if it could
	// not.
	Err error
}

func (e *LostChangeError) Error() string {
	if e.Panicked {
		return fmt.Sprintf("cookiesession: session change lost (%s): the handler panicked, so the server sent no response or cut it short, and the Set-Cookie may never have reached the client; fix the panic, or recover it inside the middleware and answer there", e.What)
	}
	if e.Hijacked {
		return fmt.Sprintf("cookiesession: session change lost (%s): pending when the connection was hijacked, or made after it, so no Set-Cookie could be sent; call Session.Save(w) before the upgrade and have the upgrader send w.Header() (gorilla/websocket: pass it as responseHeader)", e.What)
	}
	msg := fmt.Sprintf("cookiesession: session change lost (%s): made after the response started, so no Set-Cookie could be sent; change the session before the handler's first Write, WriteHeader or Flush", e.What)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is reports whether target is ErrAlreadyWritten, or ErrHijacked for a
// hijacked connection, or ErrPanicked after a panic.
func (e *LostChangeError) Is(target error) bool {
	switch {
	case e.Panicked:
		return target == ErrPanicked
	case e.Hijacked:
		return target == ErrHijacked
	}
	return target == ErrAlreadyWritten
}

// Unwrap returns Err.
func (e *LostChangeError) Unwrap() error { return e.Err }

// TooLargeError is the error returned when a sealed session does not fit the
// configured cookie limits. It matches ErrTooLarge with errors.Is.
type TooLargeError struct {
	// Name is the cookie name.
	Name string
	// Size is the size in bytes that was needed, and Limit the limit it
	// exceeds. With Chunks 1: name plus value of the cookie against the
	// per-cookie budget (Options.MaxCookieBytes). With Total: the session's
	// cookies as they appear in the Cookie header against
	// Options.MaxTotalBytes. With neither (Chunks > 1): the Cookie-header
	// bytes needed against what Options.MaxChunks cookies can hold.
	Size, Limit int
	// Total reports whether the total budget across chunks was exceeded.
	Total bool
	// Chunks is the number of cookies the session would need.
	Chunks int
}

func (e *TooLargeError) Error() string {
	switch {
	case e.Total:
		return fmt.Sprintf("cookiesession: session too large: its %d cookies %q... need %d bytes in the Cookie header, limit %d (Options.MaxTotalBytes); store less in the session, or raise MaxTotalBytes if every proxy on the path allows a longer Cookie header",
			e.Chunks, e.Name, e.Size, e.Limit)
	case e.Chunks > 1:
		return fmt.Sprintf("cookiesession: session too large: it needs %d cookies %q... (%d bytes in the Cookie header), more than Options.MaxChunks allows (%d bytes); store less in the session, or raise MaxChunks",
			e.Chunks, e.Name, e.Size, e.Limit)
	}
	return fmt.Sprintf("cookiesession: session too large: cookie %q needs %d bytes (name+value), limit %d (Options.MaxCookieBytes); store less in the session, or enable chunking with Options.MaxChunks",
		e.Name, e.Size, e.Limit)
}

// Is reports whether target is ErrTooLarge.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// optionsError returns an error wrapping ErrInvalidOptions.
func optionsError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOptions, fmt.Sprintf(format, args...))
}

// Errors of the legacy formats (Options.Legacy). A legacy
// cookie that fails gives the request a new, empty session; Session.Err and
// EventRejected report one of these. Like every error of this package,
// their messages never contain a key or session data.
var (
	// ErrLegacySignature reports a legacy session cookie whose signature
	// matches none of the configured keys: it was altered, or signed with a
	// key that is not (or no longer) configured, or with another hash
	// algorithm. Add the key that signed it (old keys go after the current
	// one) and check migrate.Express.SHA256; for gorilla, check that KeyPairs
	// are exactly those given to NewCookieStore, in the same order.
	ErrLegacySignature = legacy.ErrSignature

	// ErrLegacyPayload reports a legacy session cookie whose signature is
	// valid but whose content is not a session this library can take over:
	// not base64, not a JSON object, or gob data with unregistered types.
	// The message says which.
	ErrLegacyPayload = legacy.ErrPayload
)
