package cookiesession

import (
	"encoding/base64"
	"strings"
)

// ParseKeys parses master keys from configuration text: comma-separated
// base64url keys as "cookiesession keygen" prints them (padding and the
// standard alphabet are accepted too; spaces around keys are ignored). The
// order is kept: the first key seals, all open. Errors match
// ErrInvalidOptions and name the key by position, never by content.
func ParseKeys(list string) ([][]byte, error) {
	var keys [][]byte
	for i, s := range strings.Split(list, ",") {
		s = strings.TrimRight(strings.TrimSpace(s), "=")
		if s == "" {
			if strings.TrimSpace(list) == "" {
				break
			}
			return nil, optionsError("key %d is empty", i+1)
		}
		k, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			if k, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				return nil, optionsError("key %d is not base64url (cookiesession keygen prints one)", i+1)
			}
		}
		if len(k) < MinKeySize {
			return nil, optionsError("key %d has %d bytes: each key needs at least %d random bytes (cookiesession keygen prints one)", i+1, len(k), MinKeySize)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, optionsError("no keys: give at least one key of %d random bytes (cookiesession keygen prints one)", MinKeySize)
	}
	return keys, nil
}
