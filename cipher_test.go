package cookiesession

import (
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// TestCipherIsSuite checks that each Cipher is its suite byte in the
// format, under the same name.
func TestCipherIsSuite(t *testing.T) {
	for c, s := range map[Cipher]format.Suite{XChaCha20Poly1305: format.XChaCha20Poly1305, AES256GCM: format.AES256GCM, 3: 3} {
		if uint8(c) != uint8(s) || c.String() != s.String() {
			t.Errorf("Cipher %v (%#02x) against suite %v (%#02x)", c, uint8(c), s, uint8(s))
		}
	}
}
