package cookiesession

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/cookiesession/cookiesession/internal/format"
)

// strictBase64 is base64url without padding, rejecting non-zero trailing
// bits, so that each key, session identifier and value has exactly one
// encoding.
var strictBase64 = base64.RawURLEncoding.Strict()

// The text forms of a master key that ParseKeys reads. No other form is
// tried: text is never reinterpreted as base64 by accident.
const (
	// keygenKeyLen is the length of a key as cookiesession keygen prints
	// it: format.MinKeySize (32) random bytes in base64url without padding
	// (RFC 4648 §5), 43 characters.
	keygenKeyLen = (format.MinKeySize*8 + 5) / 6
	// hexKeyLen and hexKeyLen2 are the lengths of a key of 32 or 64 bytes
	// (format.MinKeySize, or twice it) in hex, as "openssl rand -hex 32" (or 64)
	// prints it.
	hexKeyLen  = 2 * format.MinKeySize
	hexKeyLen2 = 4 * format.MinKeySize
	// keyForms names the forms in error messages.
	keyForms = "give 43 base64url characters as cookiesession keygen prints them, or 64 or 128 hex digits as openssl rand -hex 32 (or 64) prints them; a password or passphrase is not a key"
)

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
func ParseKeys(list string) ([][]byte, error) {
	if strings.TrimSpace(list) == "" {
		return nil, optionsError("no keys: give at least one key of %d random bytes (cookiesession keygen prints one)", format.MinKeySize)
	}
	var keys [][]byte
	for _, entry := range strings.Split(list, ",") {
		fields := strings.Fields(entry)
		if len(fields) == 0 {
			return nil, optionsError("key %d is empty: separate keys by one comma, or by whitespace", len(keys)+1)
		}
		for _, s := range fields {
			k, err := decodeKey(len(keys)+1, s)
			if err != nil {
				return nil, err
			}
			if err := format.CheckKey(len(keys)+1, k); err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
	}
	return keys, nil
}

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

// decodeKey decodes the i-th key (counted from 1) from one of the forms
// ParseKeys reads. Its errors name the form expected, never the text.
func decodeKey(i int, s string) ([]byte, error) {
	switch {
	case isHexText(s):
		if len(s) != hexKeyLen && len(s) != hexKeyLen2 {
			return nil, optionsError("key %d is %d hex digits: a hex key has 64 or 128 (32 or 64 bytes); %s", i, len(s), keyForms)
		}
		return hex.DecodeString(s)
	case len(s) == keygenKeyLen && isBase64URLText(s):
		if k, err := strictBase64.DecodeString(s); err == nil && len(k) == format.MinKeySize {
			return k, nil
		}
		return nil, optionsError("key %d is not canonical base64url (its last character is not one keygen prints): %s", i, keyForms)
	case isBase64Text(s):
		return nil, optionsError("key %d is base64 of %d characters, not the 43 base64url characters without padding that cookiesession keygen prints: %s", i, len(s), keyForms)
	}
	return nil, optionsError("key %d is neither base64url nor hex: %s", i, keyForms)
}

// isHexText reports whether s is non-empty and only hex digits.
func isHexText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// isBase64URLText reports whether s is non-empty and only characters of the
// base64url alphabet (RFC 4648 §5), without padding.
func isBase64URLText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// isBase64Text reports whether s looks like base64 of either alphabet
// (RFC 4648 §4, §5), padded or not.
func isBase64Text(s string) bool {
	s = strings.TrimRight(s, "=")
	return isBase64URLText(strings.NewReplacer("+", "-", "/", "_").Replace(s))
}
