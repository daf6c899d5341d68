// Package migrate reads the session cookies of other libraries, so that a
// cookiesession Store (Options.Legacy) takes their users over without
// logging them out: Express for Express's cookie-session, Gorilla for
// gorilla/sessions. Each type is a cookiesession.Legacy.
// docs/MIGRATING.md describes a migration.
package migrate

import (
	"fmt"

	"github.com/cookiesession/cookiesession"
)

// optionsError returns an error wrapping cookiesession.ErrInvalidOptions.
func optionsError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", cookiesession.ErrInvalidOptions, fmt.Sprintf(format, args...))
}
