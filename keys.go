package cookiesession

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/cookiesession/cookiesession/internal/format"
)

// strictBase64 is base64url without padding, rejecting non-zero trailing
// bits, so that each key, session identifier and value has exactly one
// encoding.
var strictBase64 = base64.RawURLEncoding.Strict()

// ParseKeys parses master keys from configuration text: each key exactly
// as "cookiesession keygen" prints it (43 base64url characters, no
// padding: 32 bytes), or in hex, 64 or 128 digits (32 or 64 bytes, as
// "openssl rand -hex 32" prints it), separated by commas, by whitespace
// (spaces, tabs, line breaks: one key per line works), or both. Whitespace
// never joins two pieces into one key. Text of only hex digits is read as
// hex; any other text (a passphrase, padded or standard base64, base64 of
// another length) is refused. The order is kept: the first key seals, all
// open. Like New, it refuses keys that are obviously not random bytes.
// Errors match ErrInvalidOptions and name the key by position, never by
// content.
func ParseKeys(list string) ([][]byte, error) { return format.ParseKeys(list) }

// GenerateKey returns a new master key of 32 random bytes from
// crypto/rand, for tests and development: a store built with it is ready to
// use, and its sessions last as long as the process keeps the key. The key
// always passes the checks of New and ParseKeys (the rare draw that would
// not, about 4.6e-14, is drawn again). Production keys come from
// "cookiesession keygen", kept in a secret store and read with ParseKeys,
// so that every instance and every restart shares them.
func GenerateKey() []byte {
	k := make([]byte, format.MinKeySize)
	for {
		rand.Read(k) // never fails (crypto/rand, Go 1.24+)
		if format.CheckKey(1, k) == nil {
			return k
		}
	}
}
