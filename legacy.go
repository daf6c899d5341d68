package cookiesession

// Legacy formats: another library's session cookies that a store reads,
// upgrades to its own sealed format and, during a transition, keeps writing
// (legacy_express.go, legacy_gorilla.go). docs/MIGRATING.md explains.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/chunks"
)

// legacyFormat is another library's cookie format that a store can read,
// upgrade and, in a transition period, keep writing (legacy_*.go).
type legacyFormat interface {
	// formatName is the format's name for events: "express" or "gorilla".
	formatName() string
	// load returns the session found in the Cookie header lines, if any.
	load(cookie []string) (legacyLoad, error)
	// transition reports whether the store writes this format instead of
	// its own.
	transition() bool
	// write returns the Set-Cookie lines that store data in this format;
	// orig is what load returned for this session, if anything.
	write(data []byte, orig any, a *cookieAttrs) ([]string, error)
	// expire returns the Set-Cookie lines that delete this format's
	// cookies that the Cookie header lines carry.
	expire(a *cookieAttrs, cookie []string) []string
}

// legacyLoad is what a legacy format found in a request.
type legacyLoad struct {
	data  []byte // the session's JSON object
	found bool   // false when none of the format's cookies is present
	stale bool   // verified with an older key than the first: re-sign it
	orig  any    // the format's own decoded values, for a faithful write-back
}

// initLegacy builds the legacy formats of o, after the rest of c is set.
func (c *core) initLegacy(o *Options) error {
	var names []string
	if o.Express != nil {
		f, err := o.Express.compile()
		if err != nil {
			return err
		}
		if err := checkLegacyAttributes("ExpressSession", f.name, f.path, f.domain); err != nil {
			return err
		}
		c.legacy = append(c.legacy, f)
		names = append(names, f.name, f.sigName)
	}
	if o.Gorilla != nil {
		f, err := o.Gorilla.compile()
		if err != nil {
			return err
		}
		if err := checkLegacyAttributes("GorillaSession", f.name, f.path, f.domain); err != nil {
			return err
		}
		f.now = c.now
		c.legacy = append(c.legacy, f)
		names = append(names, f.name)
	}
	for i, n := range names {
		if c.secure == SecureNever && (hasPrefixFold(n, hostPrefix) || hasPrefixFold(n, securePrefix)) {
			return optionsError("the legacy cookie %q needs the Secure attribute because of its prefix, but Secure is SecureNever: use SecureAuto or SecureAlways", n)
		}
		if n == c.name || strings.HasPrefix(n, c.name+string(chunks.Sep)) {
			return optionsError("the legacy cookie %q is also this store's cookie name %q: give Options.Name a new name (for instance \"__Host-session\"), so that old and new cookies can live side by side during the migration", n, c.name)
		}
		for _, m := range names[:i] {
			if m == n {
				return optionsError("ExpressSession and GorillaSession both use the cookie %q: they cannot both have written it", n)
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
func (c *core) transitionFormat(h *held) legacyFormat {
	if i := h.legacy.idx; i > 0 && c.legacy[i-1].transition() {
		return c.legacy[i-1]
	}
	if !h.sealed.IsZero() {
		return nil
	}
	for _, f := range c.legacy {
		if f.transition() {
			return f
		}
	}
	return nil
}

// checkLegacyAttributes checks the Path and Domain overrides of a legacy
// format, and the rules of a "__Host-" name in any case.
func checkLegacyAttributes(what, name, path, domain string) error {
	if path != "" && (path[0] != '/' || strings.ContainsAny(path, ";\x00\r\n") || !printable(path) || len(path) > maxAttributeBytes) {
		return optionsError("%s.Path %q must start with / and contain no ';' or control characters", what, path)
	}
	if domain != "" && (!validDomain(domain) || len(domain) > maxAttributeBytes) {
		return optionsError("%s.Domain %q is not a host name", what, domain)
	}
	if hasPrefixFold(name, hostPrefix) && (domain != "" || (path != "" && path != "/")) {
		return optionsError("%s cookie %q: the __Host- prefix (in any case) requires Path \"/\" and no Domain", what, name)
	}
	return nil
}

// legacyAttrs returns a with its Path and Domain replaced by path and
// domain where those are set.
func legacyAttrs(a *cookieAttrs, path, domain string) *cookieAttrs {
	if path == "" && domain == "" {
		return a
	}
	var b strings.Builder
	for _, part := range strings.Split(a.suffix, "; ") {
		switch {
		case part == "":
			continue
		case domain != "" && strings.HasPrefix(part, "Domain="):
			continue
		case strings.HasPrefix(part, "Path="):
			if path != "" {
				part = "Path=" + path
			}
			if domain != "" {
				part += "; Domain=" + domain
			}
		}
		b.WriteString("; ")
		b.WriteString(part)
	}
	return &cookieAttrs{suffix: b.String(), maxAge: a.maxAge, expires: a.expires}
}

// validLegacyName accepts the names another library may have used: visible
// ASCII without the characters that break a Cookie header. It allows ':'
// (cookie-session 1.x's "express:sess") which is not an RFC 6265 token.
func validLegacyName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`;=,"\`, c) >= 0 {
			return false
		}
	}
	return true
}

// legacyJSONObject checks that b, the decoded content of a legacy cookie,
// is one JSON object, and returns it without surrounding whitespace.
// Invalid UTF-8 (which neither library writes) becomes U+FFFD first, as
// Node.js's Buffer.toString does.
func legacyJSONObject(b []byte, what string) ([]byte, error) {
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("%w: %s does not hold JSON (or not base64 JSON)", ErrLegacyPayload, what)
	}
	b = bytes.Trim(b, " \t\r\n")
	if b[0] != '{' {
		return nil, fmt.Errorf("%w: %s holds JSON that is not an object (%s)", ErrLegacyPayload, what, jsonKind(b[0]))
	}
	return b, nil
}

// jsonKind names the JSON type that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
