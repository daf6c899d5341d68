package gorillastore

// session.Options against the store's cookie: what a session may choose
// (its lifetime, through MaxAge) and what it must leave to the store (the
// attributes, fixed by cookiesession.Options so that every cookie of the
// session, chunks and deletions included, carries the same).

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/gorilla/sessions"
)

// cookieOptions returns the session.Options that describe the cookie the
// store writes for cs, in answer to cs's request.
func (s *Store) cookieOptions(name string, cs *cookiesession.Session[cookiesession.Map], https bool) sessions.Options {
	o := s.opts
	secure, _ := s.secure(name, https)
	return sessions.Options{
		Path:        cmp.Or(o.Path, "/"),
		Domain:      o.Domain,
		MaxAge:      s.maxAge(cs),
		Secure:      secure,
		HttpOnly:    !o.DisableHTTPOnly,
		Partitioned: o.Partitioned,
		SameSite:    s.sameSite(),
	}
}

// maxAge is session.Options.MaxAge for cs: 0 for a browser-session
// cookie, else its lifetime in whole seconds.
func (s *Store) maxAge(cs *cookiesession.Session[cookiesession.Map]) int {
	if cs.BrowserSession() {
		return 0
	}
	from := cs.Created()
	if from.IsZero() {
		from = s.now()
	}
	return int(cs.Deadline().Sub(from).Round(time.Second) / time.Second)
}

// now is the store's clock.
func (s *Store) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// sameSite is the SameSite attribute the store writes.
func (s *Store) sameSite() http.SameSite {
	if ss := s.opts.SameSite; ss != 0 && ss != http.SameSiteDefaultMode {
		return ss
	}
	return http.SameSiteLaxMode
}

// secure returns whether the store sets Secure on the cookie name in
// answer to a request that is HTTPS or not, and whether its options fix that whatever the
// request (cookiesession.SecureMode: only SecureAuto, for a cookie that
// does not need Secure, leaves it to the request).
func (s *Store) secure(name string, https bool) (secure, fixed bool) {
	o := s.opts
	must := hasPrefixFold(name, "__Host-") || hasPrefixFold(name, "__Secure-") ||
		o.SameSite == http.SameSiteNoneMode || o.Partitioned
	switch {
	case o.Secure == cookiesession.SecureAuto && !must:
		return https, false
	case o.Secure == cookiesession.SecureNever && !must:
		return false, true
	}
	return true, true
}

// hasPrefixFold reports whether name begins with prefix in any case, as
// browsers match the cookie-name prefixes (RFC 6265bis §4.1.3).
func hasPrefixFold(name, prefix string) bool {
	return len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix)
}

// applyOptions checks gs.Options against the store's cookie, then applies
// its MaxAge to cs. A MaxAge below 0 deletes the session whatever the other
// options: code such as gin-contrib/sessions' logout sets Options{MaxAge:
// -1}, every other field zero.
func (s *Store) applyOptions(cs *cookiesession.Session[cookiesession.Map], gs *sessions.Session, https bool) error {
	if gs.Options == nil {
		return fmt.Errorf("%w: session %q has nil Options: keep the *sessions.Options that Get returned", ErrOptions, gs.Name())
	}
	if gs.Options.MaxAge < 0 {
		// A deletion: the store's own attributes are the ones that
		// delete its cookies, whatever else the options say.
		cs.Destroy()
		return nil
	}
	if err := s.checkAttributes(cs, gs, https); err != nil {
		return err
	}
	switch maxAge := gs.Options.MaxAge; {
	case maxAge == s.maxAge(cs):
	case maxAge == 0:
		cs.SetBrowserSession(true)
	default:
		d := time.Duration(maxAge) * time.Second
		if d == s.lifetime() {
			d = 0 // the store's own: sealed as none
		}
		if err := cs.SetMaxAge(d); err != nil {
			return fmt.Errorf("%w: session %q: MaxAge %d: %w", ErrOptions, gs.Name(), maxAge, err)
		}
		cs.SetBrowserSession(false)
	}
	return nil
}

// lifetime is the store's session lifetime, Options.MaxAge.
func (s *Store) lifetime() time.Duration {
	return cmp.Or(s.opts.MaxAge, bounds.DefaultMaxAge)
}

// checkAttributes returns an ErrOptions error when gs.Options ask for an
// attribute other than the one the store writes. Secure false is accepted
// under SecureAuto, for a cookie that does not need Secure: the request
// then decides, as the store's options say.
func (s *Store) checkAttributes(cs *cookiesession.Session[cookiesession.Map], gs *sessions.Session, https bool) error {
	got, want := gs.Options, s.cookieOptions(gs.Name(), cs, https)
	field := ""
	switch secure, fixed := s.secure(gs.Name(), https); {
	case got.Path != want.Path:
		field = fmt.Sprintf("Path %q, the store's is %q", got.Path, want.Path)
	case got.Domain != want.Domain:
		field = fmt.Sprintf("Domain %q, the store's is %q", got.Domain, want.Domain)
	case got.HttpOnly != want.HttpOnly:
		field = fmt.Sprintf("HttpOnly %t, the store's is %t (Options.DisableHTTPOnly)", got.HttpOnly, want.HttpOnly)
	case got.Partitioned != want.Partitioned:
		field = fmt.Sprintf("Partitioned %t, the store's is %t", got.Partitioned, want.Partitioned)
	case got.SameSite != 0 && got.SameSite != want.SameSite:
		field = fmt.Sprintf("SameSite %d, the store's is %d", got.SameSite, want.SameSite)
	case got.Secure != secure && (fixed || got.Secure):
		field = fmt.Sprintf("Secure %t, the store writes %t for this cookie and request (Options.Secure %v, the name's prefix, SameSite=None or Partitioned decide)", got.Secure, secure, s.opts.Secure)
	}
	if field == "" {
		return nil
	}
	return fmt.Errorf("%w: session %q asks for %s: set the attribute in the cookiesession.Options given to gorillastore.New, and change only MaxAge in session.Options", ErrOptions, gs.Name(), field)
}
