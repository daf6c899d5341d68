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
// Errors match ErrInvalidOptions and name the key by position, never by
// content.
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
			k, err := decodeKey(s)
			if err != nil {
				return nil, optionsError("key %d is not base64url (cookiesession keygen prints one)", len(keys)+1)
			}
			if len(k) < MinKeySize {
				return nil, optionsError("key %d has %d bytes: each key needs at least %d random bytes (cookiesession keygen prints one); a space or line break inside a key splits it in two", len(keys)+1, len(k), MinKeySize)
			}
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// decodeKey decodes one key: base64url or standard base64, with or
// without padding. Go's decoders skip '\r' and '\n'; a key that held any
// decodes to fewer bytes than its length implies and is refused, so that
// no line break ever merges two pieces into one key.
func decodeKey(s string) ([]byte, error) {
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
