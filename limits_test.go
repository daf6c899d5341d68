package cookiesession

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/bounds"
)

// TestOneCookieCapacity checks the documented capacity: at least 3,000
// bytes of JSON in one cookie under the default budget.
func TestOneCookieCapacity(t *testing.T) {
	for _, name := range []string{"session", "__Host-session"} {
		s := newStore[Map](t, Options{Name: name, Secure: SecureAlways})
		fits := 0
		for n := 2900; n < 3200; n++ {
			sess := s.Get(httptest.NewRequest("GET", "https://x/", nil))
			sess.Data["v"] = strings.Repeat("a", n-len(`{"v":""}`))
			if err := sess.Save(httptest.NewRecorder()); err != nil {
				break
			}
			fits = n
		}
		if fits < 3000 {
			t.Errorf("%s: %d bytes of JSON fit one cookie, want >= 3000", name, fits)
		}
		t.Logf("%s: %d bytes of JSON fit one %d-byte cookie", name, fits, bounds.DefaultMaxCookieBytes)
	}
}
