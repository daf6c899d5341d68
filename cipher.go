package cookiesession

import (
	"strings"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Cipher selects the AEAD that seals sessions. Its value is the first byte
// of every sealed value (the suite byte of docs/FORMAT.md).
type Cipher uint8

const (
	// XChaCha20Poly1305 is the default: a random 24-byte nonce per seal, so
	// there is no practical limit on how many cookies one key seals.
	XChaCha20Poly1305 Cipher = 0x01
	// AES256GCM uses only FIPS 140-approved algorithms (AES-256-GCM with a
	// random 96-bit nonce, HKDF-SHA256). One key must not seal more than
	// 2^32 values; rotate keys well before that. A store still opens
	// XChaCha20Poly1305 values with XChaCha20-Poly1305 unless
	// Options.RefuseOtherCipher is set.
	AES256GCM Cipher = 0x02
)

// String returns the cipher's name as docs/FORMAT.md writes it.
func (c Cipher) String() string { return format.Suite(c).String() }

// newCodec derives the subkeys of keys for sealing with c (0: the
// default); with only, it refuses values of the other cipher. Its errors
// name the option to change, Cipher or Keys.
func newCodec(c Cipher, only bool, keys ...[]byte) (*format.Codec, error) {
	if c > AES256GCM {
		return nil, optionsError("Cipher %d unknown: use XChaCha20Poly1305 or AES256GCM", c)
	}
	codec, err := format.NewCodec(format.Suite(c), only, keys...)
	if err != nil {
		// Every other refusal is of a key, named by position (format's
		// messages also serve the command's -keys).
		return nil, optionsError("Keys: %s", strings.TrimPrefix(err.Error(), ErrInvalidOptions.Error()+": "))
	}
	return codec, nil
}
