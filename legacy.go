package cookiesession

// Legacy formats: another library's session cookies that a store reads,
// upgrades to its own sealed format and, during a transition, keeps writing
// (package migrate has Express's and gorilla's). docs/MIGRATING.md
// explains.

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
)

// Legacy is the configuration of another library's session cookie format
// (Options.Legacy): package migrate has Express's cookie-session and
// gorilla/sessions. A format for another library can be written outside
// this package.
type Legacy interface {
	// Compile checks the configuration and returns the format as a store
	// uses it. New calls it once, so later changes to the configuration
	// have no effect; an error makes New fail with ErrInvalidOptions.
	Compile() (LegacyFormat, error)
}

// LegacyFormat is a compiled Legacy: what a store calls to read another
// library's cookies, replace them with its own sealed cookie, and, during
// a transition, keep writing them. Its methods are called concurrently.
type LegacyFormat interface {
	// Format names the format in events (Event.From) and messages, such
	// as "express" or "gorilla".
	Format() string
	// Cookies returns the names of the format's cookies, which New checks
	// against the store's name and the other formats', and the Path and
	// Domain they were set with ("" means the store's Options.Path or
	// Options.Domain).
	Cookies() (names []string, path, domain string)
	// Transition reports whether the store keeps writing this format, for
	// services not yet migrated, instead of its own sealed cookie.
	Transition() bool
	// Load returns the session that the request's Cookie header lines
	// carry in this format, at time now. LegacyLoad.Found is false when
	// none of the format's cookies is present; with Found true, an error
	// reports an unusable cookie (ErrLegacySignature, ErrLegacyPayload,
	// ErrExpired, ErrChunks) and the request gets a new session.
	Load(cookie []string, now time.Time) (LegacyLoad, error)
	// Write returns the Set-Cookie lines that store data, a JSON object,
	// in this format, with attributes a. orig is LegacyLoad.Orig of the
	// session being written, or nil for a new one. An error wraps
	// ErrEncode or is a *TooLargeError.
	Write(data []byte, orig any, a CookieAttrs) ([]string, error)
	// Expire returns the Set-Cookie lines that delete the format's
	// cookies that the Cookie header lines carry, with attributes a.
	Expire(a CookieAttrs, cookie []string) []string
}

// LegacyLoad is what a LegacyFormat found in a request.
type LegacyLoad struct {
	Data  []byte // the session as a JSON object
	Found bool   // false when none of the format's cookies is present
	Stale bool   // verified with an older key than the first: re-sign it
	Orig  any    // the format's own decoded values, handed back to Write
}

// legacyFormat is a compiled legacy format and its checked attributes.
type legacyFormat struct {
	LegacyFormat
	path, domain string
}

// write returns f's Set-Cookie lines for data under the store's
// attributes a.
func (f *legacyFormat) write(data []byte, orig any, a CookieAttrs) ([]string, error) {
	return f.Write(data, orig, legacyAttrs(a, f.path, f.domain))
}

// expire returns f's lines that delete its cookies in cookie.
func (f *legacyFormat) expire(a CookieAttrs, cookie []string) []string {
	return f.Expire(legacyAttrs(a, f.path, f.domain), cookie)
}

// initLegacy compiles the legacy formats of o, after the rest of c is set.
func (c *core) initLegacy(o *Options) error {
	var names []string
	for i, l := range o.Legacy {
		if l == nil {
			return optionsError("Options.Legacy[%d] is nil", i)
		}
		f, err := l.Compile()
		if err != nil {
			if !errors.Is(err, ErrInvalidOptions) {
				err = fmt.Errorf("%w: Options.Legacy[%d]: %w", ErrInvalidOptions, i, err)
			}
			return err
		}
		fnames, path, domain := f.Cookies()
		if err := checkLegacyAttributes(i, f.Format(), fnames, path, domain); err != nil {
			return err
		}
		c.legacy = append(c.legacy, &legacyFormat{LegacyFormat: f, path: path, domain: domain})
		names = append(names, fnames...)
	}
	for i, n := range names {
		if c.secure == SecureNever && (cookie.HasPrefix(n, cookie.HostPrefix) || cookie.HasPrefix(n, cookie.SecurePrefix)) {
			return optionsError("the legacy cookie %q needs the Secure attribute because of its prefix, but Options.Secure is SecureNever: use SecureAuto or SecureAlways", n)
		}
		if n == c.name || strings.HasPrefix(n, c.name+string(chunks.Sep)) {
			return optionsError("the legacy cookie %q is also this store's cookie name %q: give Options.Name a new name (for instance \"__Host-session\"), so that old and new cookies can live side by side during the migration", n, c.name)
		}
		for _, m := range names[:i] {
			if m == n {
				return optionsError("two formats of Options.Legacy use the cookie %q: they cannot both have written it", n)
			}
		}
	}
	return nil
}

// transitionFormat returns the legacy format a session whose client holds
// h is written in during a transition, or nil for the sealed format: the
// format it was loaded from if that one is in transition, else, for a
// session that no sealed cookie carried, the first format in transition.
// A session once sealed stays sealed.
func (c *core) transitionFormat(h *held) *legacyFormat {
	if i := h.legacy.idx; i > 0 && c.legacy[i-1].Transition() {
		return c.legacy[i-1]
	}
	if !h.sealed.IsZero() {
		return nil
	}
	for _, f := range c.legacy {
		if f.Transition() {
			return f
		}
	}
	return nil
}

// checkLegacyAttributes checks the names of the cookies of a legacy format,
// Options.Legacy[i], their Path and Domain, and the rules of a "__Host-"
// name in any case.
func checkLegacyAttributes(i int, format string, names []string, path, domain string) error {
	if len(names) == 0 {
		return optionsError("Options.Legacy[%d] (%s) names no cookie", i, format)
	}
	if path != "" && !cookie.ValidPath(path) {
		return optionsError("Options.Legacy[%d] (%s): Path %q must start with / and contain no ';' or control characters", i, format, path)
	}
	if domain != "" && !cookie.ValidDomain(domain) {
		return optionsError("Options.Legacy[%d] (%s): Domain %q is not a host name", i, format, domain)
	}
	for _, name := range names {
		if !cookie.ValidLegacyName(name) {
			return optionsError("Options.Legacy[%d] (%s): cookie name %q: use printable ASCII without spaces, ';', '=', ',', '\"' or '\\'", i, format, name)
		}
		if !cookie.HostPrefixAllows(name, path, domain) {
			return optionsError("Options.Legacy[%d] (%s): cookie %q: the __Host- prefix (in any case) requires Path \"/\" and no Domain", i, format, name)
		}
	}
	return nil
}

// legacyAttrs returns a with its Path and Domain replaced by path and
// domain where those are set.
func legacyAttrs(a CookieAttrs, path, domain string) CookieAttrs {
	if path == "" && domain == "" {
		return a
	}
	return CookieAttrs{a.l.WithScope(path, domain)}
}
