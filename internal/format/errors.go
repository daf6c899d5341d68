package format

import (
	"errors"
	"fmt"
)

// The errors of the format. The library exports each under the same name
// (its errors.go documents them), so errors.Is matches them either way.
var (
	ErrInvalidOptions = errors.New("cookiesession: invalid options")
	ErrMalformed      = errors.New("cookiesession: malformed cookie value")
	ErrUnknownKey     = errors.New("cookiesession: cookie sealed with an unknown key")
	ErrCipherRefused  = errors.New("cookiesession: cookie sealed with a refused cipher")
	ErrAuthentication = errors.New("cookiesession: cookie failed authentication")
	ErrEncode         = errors.New("cookiesession: session data does not encode")
)

// optionsError returns an error wrapping ErrInvalidOptions.
func optionsError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOptions, fmt.Sprintf(format, args...))
}
