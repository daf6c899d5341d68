package chunks

import (
	"errors"
	"fmt"

	"github.com/cookiesession/cookiesession/internal/cookie"
)

// ErrChunks reports a chunked session whose cookies do not fit together,
// or a request carrying more than cookie.MaxCookies cookies (the
// library's ErrChunks).
var ErrChunks = errors.New("cookiesession: session cookies inconsistent")

// TooManyCookies reports a request over cookie.MaxCookies: pairs that
// contain name when named, else pairs in all.
func TooManyCookies(name string, named bool) error {
	what := "cookies"
	if named {
		what = fmt.Sprintf("cookies that contain the name %q", name)
	}
	return fmt.Errorf("%w: the request carries more than %d %s, which no browser sends: session %q not read; clearing the site's cookies in the client fixes it, and if the app sets that many, it must set fewer", ErrChunks, cookie.MaxCookies, what, name)
}
