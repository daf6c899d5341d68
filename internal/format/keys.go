package format

// Master keys: their text forms (ParseKeys), and the checks that refuse
// keys that are obviously not random.

import (
	"encoding/hex"
	"strings"
)

// Master keys that are obviously not random are refused by CheckKey, so by
// NewCodec (so by the library's New) and by the library's ParseKeys.
// Looking at the bytes cannot prove a key random; these checks catch the
// usual mistakes: a constant or a short repeated pattern, a password, or a
// hex or base64 key passed as its text instead of decoded. Both checks are set so that a key of MinKeySize or more uniformly
// random bytes is refused with negligible probability: a longer key fails
// a check only if its first MinKeySize bytes do, so 32 bytes is the worst
// case. Together: at most about 4.6e-14.
//
// minDistinctKeyBytes is the fewest distinct byte values a master key must
// hold. 32 uniformly random bytes hold about 30.1 on average; fewer than 16
// occur with probability about 3.2e-17 (the exact occupancy distribution of
// 32 draws from 256 values).
const minDistinctKeyBytes = 16

// CheckKey refuses the i-th master key (counted from 1) when it is
// obviously not random (see minDistinctKeyBytes and isText), with an error
// matching ErrInvalidOptions. It runs once per key, at configuration time.
// Its errors name the key by position only.
func CheckKey(i int, k []byte) error {
	if isText(k) {
		return optionsError("key %d is printable text, not random bytes: a password is not a key, and a hex or base64 key must be decoded first (cookiesession.ParseKeys decodes what cookiesession keygen prints; keygen prints a new key)", i)
	}
	if distinctBytes(k) < minDistinctKeyBytes {
		return optionsError("key %d repeats a few byte values (fewer than %d distinct in its %d bytes), so it is not random: use a new key from cookiesession keygen", i, minDistinctKeyBytes, len(k))
	}
	return nil
}

// isText reports whether every byte of k is printable ASCII (0x20-0x7E), a
// tab, CR or LF. 32 uniformly random bytes are all among these 98 values
// with probability (98/256)^32 ≈ 4.5e-14.
func isText(k []byte) bool {
	for _, b := range k {
		if (b < 0x20 || b > 0x7e) && b != '\t' && b != '\r' && b != '\n' {
			return false
		}
	}
	return true
}

// distinctBytes returns the number of distinct byte values in k.
func distinctBytes(k []byte) int {
	var seen [256]bool
	n := 0
	for _, b := range k {
		if !seen[b] {
			seen[b] = true
			n++
		}
	}
	return n
}

// The text forms of a master key that ParseKeys reads. No other form is
// tried: text is never reinterpreted as base64 by accident.
const (
	// keygenKeyLen is the length of a key as cookiesession keygen prints
	// it: MinKeySize (32) random bytes in base64url without padding
	// (RFC 4648 §5), 43 characters.
	keygenKeyLen = (MinKeySize*8 + 5) / 6
	// hexKeyLen and hexKeyLen2 are the lengths of a key of 32 or 64 bytes
	// (MinKeySize, or twice it) in hex, as "openssl rand -hex 32" (or 64)
	// prints it.
	hexKeyLen  = 2 * MinKeySize
	hexKeyLen2 = 4 * MinKeySize
	// keyForms names the forms in error messages.
	keyForms = "give 43 base64url characters as cookiesession keygen prints them, or 64 or 128 hex digits as openssl rand -hex 32 (or 64) prints them; a password or passphrase is not a key"
)

// ParseKeys is the library's ParseKeys: master keys from configuration
// text, in the forms keyForms names, separated by commas, whitespace or
// both.
func ParseKeys(list string) ([][]byte, error) {
	if strings.TrimSpace(list) == "" {
		return nil, optionsError("no keys: give at least one key of %d random bytes (cookiesession keygen prints one)", MinKeySize)
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
			if err := CheckKey(len(keys)+1, k); err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
	}
	return keys, nil
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
		if k, err := strictBase64.DecodeString(s); err == nil && len(k) == MinKeySize {
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
