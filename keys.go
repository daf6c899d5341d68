package cookiesession

import (
	"encoding/base64"
	"strings"
)

// ParseKeys parses master keys from configuration text: base64url keys as
// "cookiesession keygen" prints them (padding and the standard alphabet are
// accepted too), separated by commas, by whitespace (spaces, tabs, line
// breaks: one key per line works), or both. Whitespace never joins two
// pieces into one key. The order is kept: the first key seals, all open.
// Like New, it refuses keys that are obviously not random bytes. Errors
// match ErrInvalidOptions and name the key by position, never by content.
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
			k, err := parseKey(s)
			if err != nil {
				return nil, optionsError("key %d is not base64url (cookiesession keygen prints one)", len(keys)+1)
			}
			if len(k) < MinKeySize {
				return nil, optionsError("key %d has %d bytes: each key needs at least %d random bytes (cookiesession keygen prints one); a space or line break inside a key splits it in two", len(keys)+1, len(k), MinKeySize)
			}
			if err := checkKeyQuality(len(keys)+1, k); err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// parseKey decodes one key: base64url or standard base64, with or
// without padding. Go's decoders skip '\r' and '\n'; a key that held any
// decodes to fewer bytes than its length implies and is refused, so that
// no line break ever merges two pieces into one key.
func parseKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	k, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		if k, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, err
		}
	}
	if base64.RawURLEncoding.EncodedLen(len(k)) != len(s) {
		return nil, base64.CorruptInputError(0)
	}
	return k, nil
}

// Master keys that are obviously not random are refused by NewCodec (so by
// New) and by ParseKeys. Looking at the bytes cannot prove a key random;
// these checks catch the usual mistakes: a constant or a short repeated
// pattern, a password, or a hex or base64 key passed as its text instead of
// decoded. Both checks are set so that a key of MinKeySize or more uniformly
// random bytes is refused with negligible probability: a longer key fails
// a check only if its first MinKeySize bytes do, so 32 bytes is the worst
// case. Together: at most about 4.6e-14.
//
// minDistinctKeyBytes is the fewest distinct byte values a master key must
// hold. 32 uniformly random bytes hold about 30.1 on average; fewer than 16
// occur with probability about 3.2e-17 (the exact occupancy distribution of
// 32 draws from 256 values).
const minDistinctKeyBytes = 16

// checkKeyQuality refuses the i-th master key (counted from 1) when it is
// obviously not random (see minDistinctKeyBytes and isText). It runs once
// per key, at configuration time. Its errors name the key by position only.
func checkKeyQuality(i int, k []byte) error {
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
