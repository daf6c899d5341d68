package format

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
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/bounds"
)

// Metadata tags and sizes.
const (
	metaMaxAge  = 0x01
	metaID      = 0x02
	metaSubject = 0x03

	// IDSize is the size of a session identifier.
	IDSize = 16 // 128 random bits; the issue of revocation asks for 96 or more
)

// SessionID is a session's random identifier.
type SessionID [IDSize]byte

// String returns the identifier as base64url without padding.
func (id SessionID) String() string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// Meta is a session's metadata.
type Meta struct {
	MaxAge  time.Duration // 0: the store's MaxAge
	ID      SessionID
	HasID   bool
	Subject string
}

// Empty reports whether m seals nothing.
func (m *Meta) Empty() bool { return m.MaxAge == 0 && !m.HasID && m.Subject == "" }

// Size is the number of bytes AppendMeta writes.
func (m *Meta) Size() int {
	n := 1
	if m.MaxAge > 0 {
		n += 2 + 4
	}
	if m.HasID {
		n += 2 + IDSize
	}
	if m.Subject != "" {
		n += 2 + len(m.Subject)
	}
	return n
}

// AppendMeta appends m's encoding to dst.
func AppendMeta(dst []byte, m *Meta) ([]byte, error) {
	if len(m.Subject) > bounds.MaxSubjectBytes || !utf8.ValidString(m.Subject) {
		return nil, fmt.Errorf("%w: the subject must be valid UTF-8 of at most %d bytes (Session.SetSubject)", ErrEncode, bounds.MaxSubjectBytes)
	}
	count := 0
	for _, present := range []bool{m.MaxAge > 0, m.HasID, m.Subject != ""} {
		if present {
			count++
		}
	}
	dst = append(dst, byte(count))
	if m.MaxAge > 0 {
		dst = append(dst, metaMaxAge, 4)
		dst = binary.BigEndian.AppendUint32(dst, uint32(m.MaxAge/time.Second))
	}
	if m.HasID {
		dst = append(append(dst, metaID, IDSize), m.ID[:]...)
	}
	if m.Subject != "" {
		dst = append(append(dst, metaSubject, byte(len(m.Subject))), m.Subject...)
	}
	return dst, nil
}

// ParseMeta splits a plaintext with the M flag into its metadata and the
// rest. The plaintext authenticated, so a malformed one comes from a writer
// that does not follow the format: ErrMalformed.
func ParseMeta(pt []byte) (Meta, []byte, error) {
	var m Meta
	bad := func(what string) (Meta, []byte, error) {
		return Meta{}, nil, fmt.Errorf("%w: session metadata: %s", ErrMalformed, what)
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
			m.MaxAge = time.Duration(binary.BigEndian.Uint32(val)) * time.Second
		case tag == metaID && len(val) == IDSize:
			m.HasID = true
			copy(m.ID[:], val)
		case tag == metaSubject && len(val) > 0 && utf8.Valid(val):
			m.Subject = string(val)
		default:
			return bad(fmt.Sprintf("tag %#02x of %d bytes unknown or invalid", tag, len(val)))
		}
	}
	return m, rest, nil
}
