package cookiesession

// Chunking (internal/chunks: the layout, the reader, the plan): the store's
// side, which reports sizes over the limits as a *TooLargeError and a
// value cut short as ErrChunks.

import (
	"errors"
	"fmt"

	"github.com/cookiesession/cookiesession/internal/chunks"
)

// incoming is what a request carried of one session's cookies; presence,
// which chunk cookies it sent.
type (
	incoming = chunks.Incoming
	presence = chunks.Presence
)

// planChunks returns how many cookies a value of valueLen bytes needs, or
// a *TooLargeError.
func planChunks(name string, valueLen int, l chunks.Limits) (int, error) {
	n, over := chunks.Plan(name, valueLen, l)
	if over != nil {
		return 0, tooLarge(name, over)
	}
	return n, nil
}

// readChunks is chunks.Read, its size errors as a *TooLargeError.
func readChunks(lines []string, name string, l chunks.Limits) (incoming, error) {
	in, err := chunks.Read(lines, name, l)
	if tl, ok := err.(*chunks.TooLarge); ok {
		return in, tooLarge(tl.Name, &tl.Overflow)
	}
	return in, err
}

// tooLarge is the *TooLargeError of the cookie or value called name.
func tooLarge(name string, o *chunks.Overflow) error {
	return &TooLargeError{Name: name, Size: o.Size, Limit: o.Limit, Total: o.Total, Chunks: o.Chunks}
}

// lost explains err, why in.Value did not open, when the chunk after the
// last one the request carries is missing: every chunk, the last one
// included, fills the per-cookie budget (chunks.Fills), and the store could
// have written one more. Only a value cut short fails that way:
// ErrMalformed or ErrAuthentication.
func lost(in *incoming, err error, name string, l chunks.Limits) error {
	if !in.Full || in.Chunks >= l.Chunks || !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrAuthentication) {
		return err
	}
	return fmt.Errorf("%w: %s", ErrChunks, chunks.MissingAfter(name, in.Chunks, l.Cookie))
}
