package format

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
