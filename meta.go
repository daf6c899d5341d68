package cookiesession

// Session metadata (docs/FORMAT.md, "Metadata"): what a session carries
// besides its data, sealed only when a session has any, so that a plain
// session pays no byte for it. With the header's M flag the plaintext
// starts with
//
//	meta  = count(1) || field{count}
//	field = tag(1) || length(1) || value(length)
//
// tag 0x01: the session's own lifetime, uint32 seconds (Session.SetMaxAge);
// tag 0x02: its identifier, 16 random bytes (Options.Revocations);
// tag 0x03: its subject, 1..255 bytes of UTF-8 (Session.SetSubject).
// Tags appear at most once, in increasing order.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"time"
	"unicode/utf8"
)

// Metadata tags and sizes.
const (
	metaMaxAge  = 0x01
	metaID      = 0x02
	metaSubject = 0x03

	idSize = 16 // 128 random bits; the issue of revocation asks for 96 or more
)

// sessionID is a session's random identifier.
type sessionID [idSize]byte

// String returns the identifier as base64url without padding.
func (id sessionID) String() string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// meta is a session's metadata.
type meta struct {
	maxAge  time.Duration // 0: the store's MaxAge
	id      sessionID
	hasID   bool
	subject string
}

// empty reports whether m seals nothing.
func (m *meta) empty() bool { return m.maxAge == 0 && !m.hasID && m.subject == "" }

// size is the number of bytes appendMeta writes.
func (m *meta) size() int {
	n := 1
	if m.maxAge > 0 {
		n += 2 + 4
	}
	if m.hasID {
		n += 2 + idSize
	}
	if m.subject != "" {
		n += 2 + len(m.subject)
	}
	return n
}

// appendMeta appends m's encoding to dst.
func appendMeta(dst []byte, m *meta) ([]byte, error) {
	if len(m.subject) > bounds.MaxSubjectBytes || !utf8.ValidString(m.subject) {
		return nil, fmt.Errorf("%w: the subject must be valid UTF-8 of at most %d bytes (Session.SetSubject)", ErrEncode, bounds.MaxSubjectBytes)
	}
	count := 0
	for _, present := range []bool{m.maxAge > 0, m.hasID, m.subject != ""} {
		if present {
			count++
		}
	}
	dst = append(dst, byte(count))
	if m.maxAge > 0 {
		dst = append(dst, metaMaxAge, 4)
		dst = binary.BigEndian.AppendUint32(dst, uint32(m.maxAge/time.Second))
	}
	if m.hasID {
		dst = append(append(dst, metaID, idSize), m.id[:]...)
	}
	if m.subject != "" {
		dst = append(append(dst, metaSubject, byte(len(m.subject))), m.subject...)
	}
	return dst, nil
}

// parseMeta splits a plaintext with the M flag into its metadata and the
// rest. The plaintext authenticated, so a malformed one comes from a writer
// that does not follow the format: ErrMalformed.
func parseMeta(pt []byte) (meta, []byte, error) {
	var m meta
	bad := func(what string) (meta, []byte, error) {
		return meta{}, nil, fmt.Errorf("%w: session metadata: %s", ErrMalformed, what)
	}
	if len(pt) < 1 {
		return bad("missing")
	}
	count, rest, last := int(pt[0]), pt[1:], 0
	for range count {
		if len(rest) < 2 || len(rest) < 2+int(rest[1]) {
			return bad("truncated")
		}
		tag, val := int(rest[0]), rest[2:2+int(rest[1])]
		rest = rest[2+len(val):]
		if tag <= last {
			return bad("tags out of order or repeated")
		}
		last = tag
		switch {
		case tag == metaMaxAge && len(val) == 4 && binary.BigEndian.Uint32(val) > 0:
			m.maxAge = time.Duration(binary.BigEndian.Uint32(val)) * time.Second
		case tag == metaID && len(val) == idSize:
			m.hasID = true
			copy(m.id[:], val)
		case tag == metaSubject && len(val) > 0 && utf8.Valid(val):
			m.subject = string(val)
		default:
			return bad(fmt.Sprintf("tag %#02x of %d bytes unknown or invalid", tag, len(val)))
		}
	}
	return m, rest, nil
}

// newID gives m a fresh random identifier when the store revokes sessions.
func (c *core) newID(m *meta) {
	if c.revocations == nil {
		return
	}
	rand.Read(m.id[:]) // never fails (crypto/rand, Go 1.24+)
	m.hasID = true
}

// lifetime is the absolute lifetime of a session whose own is d (0: none):
// d, but never past the store's ceiling, else Options.MaxAge.
func (c *core) lifetime(d time.Duration) time.Duration {
	if d == 0 {
		return c.maxAge
	}
	return min(d, c.ceiling)
}
