package cookiesession

// A session's metadata (its format is internal/format's meta.go) as the
// store gives it: a fresh identifier when it revokes sessions, and the
// lifetime it allows.

import (
	"crypto/rand"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// meta is a session's metadata.
type meta = format.Meta

// newID gives m a fresh random identifier when the store revokes sessions.
func (c *core) newID(m *meta) {
	if c.revocations == nil {
		return
	}
	rand.Read(m.ID[:]) // never fails (crypto/rand, Go 1.24+)
	m.HasID = true
}

// lifetime is the absolute lifetime of a session whose own is d (0: none):
// d, but never past the store's ceiling, else Options.MaxAge.
func (c *core) lifetime(d time.Duration) time.Duration {
	if d == 0 {
		return c.maxAge
	}
	return min(d, c.ceiling)
}
