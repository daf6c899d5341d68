package cookiesession

// Options and their validation: what New accepts, the defaults of their
// zero values, and the checks that refuse a configuration a browser would
// not honour.

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/jsonx"
	"github.com/cookiesession/cookiesession/internal/proxy"
	"github.com/cookiesession/cookiesession/internal/structjson"
)

// Options configures a Store. The zero value of every field but Keys is a
// usable default.
type Options struct {
	// Keys are the master keys, each at least 32 random bytes
	// (cookiesession keygen prints one; ParseKeys reads its output). Keys
	// that are obviously not random (too few distinct bytes, or text such
	// as a password or an undecoded hex string) are refused. The first key seals; every key
	// opens, so a new key goes first and an old one stays until sessions
	// sealed with it have expired. Sessions opened with an older key are
	// re-sealed with the first on the same response.
	Keys [][]byte

	// Cipher is the AEAD that seals: XChaCha20Poly1305 (the default) or
	// AES256GCM. Values sealed with the other one still open, and are
	// re-sealed with this one on the same response, so the cipher can be
	// changed without logging anyone out.
	Cipher Cipher
	// RefuseOtherCipher opens only values sealed with Cipher: a value of
	// the other one fails with ErrCipherRefused, and its algorithm never
	// runs (no subkey for it is even derived). Set it once a cipher switch
	// is complete (MaxAge after it), for a FIPS deployment on AES256GCM,
	// or after a key leak (docs/THREAT-MODEL.md, "Key compromise and
	// rotation").
	RefuseOtherCipher bool

	// Name is the cookie name; "session" if empty. A "__Host-" prefix is
	// recommended in production: it requires Secure and Path "/" and forbids
	// Domain, so no sibling subdomain can set or shadow the session.
	Name string
	// Path is the cookie path; "/" if empty.
	Path string
	// Domain is the cookie domain; empty means host-only (recommended).
	Domain string

	// MaxAge is the absolute lifetime of a session, counted from its
	// creation (or its last Renew) and enforced on the server whatever the
	// browser sends. Zero means 24 hours; at most 400 days, the longest
	// Max-Age a browser keeps (RFC 6265bis §5.6.1). A session can choose
	// its own with Session.SetMaxAge.
	MaxAge time.Duration
	// MaxAgeCeiling is the longest lifetime Session.SetMaxAge may give a
	// session ("remember me for 30 days"). Zero means MaxAge: sessions may
	// only shorten theirs. At most 400 days.
	MaxAgeCeiling time.Duration
	// IdleTimeout ends a session not used for this long, enforced on the
	// server. Zero disables it. A session read a quarter of IdleTimeout or
	// more after it was last sealed is re-sealed on the same response, so
	// that an active session does not idle out.
	IdleTimeout time.Duration
	// BrowserSession makes cookies browser-session cookies (no Max-Age) by
	// default; a session can choose with Session.SetBrowserSession. The
	// server enforces MaxAge either way.
	BrowserSession bool

	// SameSite is the SameSite attribute; zero means http.SameSiteLaxMode.
	// http.SameSiteNoneMode requires Secure.
	SameSite http.SameSite
	// Secure decides the Secure attribute; see SecureMode. The default,
	// SecureAuto, sets it when the request came over TLS or through a
	// trusted proxy that says https.
	Secure SecureMode
	// TrustedProxies lists the peers whose Forwarded and X-Forwarded-Proto
	// headers are believed: IP addresses, CIDR prefixes and the names
	// "loopback", "private" (alias "uniquelocal") and "linklocal".
	// docs/PROXIES.md explains.
	TrustedProxies []string
	// DisableHTTPOnly drops the HttpOnly attribute, letting page scripts
	// read the cookie (and any script injected into the page steal it).
	// Leave it false unless you need it.
	DisableHTTPOnly bool
	// Partitioned sets the Partitioned attribute (CHIPS), for sessions in
	// third-party iframes. It requires Secure.
	Partitioned bool

	// MaxCookieBytes is the per-cookie budget for name plus value;
	// zero means 4092 (Chrome, Firefox and Safari keep it), at most 4096
	// (past it, Chrome and Firefox drop the cookie). docs/LIMITS.md has the
	// sources.
	MaxCookieBytes int
	// MaxChunks is how many cookies one session may be split across; zero
	// or one disables chunking.
	MaxChunks int
	// MaxTotalBytes is the budget for all chunks together as they appear
	// in the Cookie header; zero means 6144 when chunking (room for other
	// cookies under nginx's and Apache's 8 KB header line).
	MaxTotalBytes int

	// ErrorHandler answers a request whose session could not be saved
	// (ErrTooLarge, ErrInsecureRequest, ErrEncode). The client's cookies
	// are left as they were, and the handler's own later writes are
	// discarded. Nil means: log the error with slog and answer 500.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Revocations, when set, gives every session a random identifier
	// (Session.ID) sealed in the value, and refuses with ErrRevoked, on
	// every open, a session it reports revoked: by identifier, by subject
	// (Session.SetSubject) created before a cut-off, or every session
	// created before a global cut-off. Package memrevoke has one for a
	// single machine; package redisrevoke shares one between machines
	// through Redis. docs/THREAT-MODEL.md explains.
	Revocations Revocations

	// OnEvent, if set, is called with each session lifecycle event, ctx
	// being the request's context: a session created, renewed, destroyed,
	// re-sealed under a newer key or cipher, upgraded from a legacy format,
	// saved past 80% of its budget, a cookie refused (expired or
	// idle, or for another reason: Event.Err), and a change that can no
	// longer reach the client (EventLostChange). It runs in the request's
	// goroutine, after what it reports happened. Nil means: lost changes
	// are logged with slog's default logger at level Error, and nothing
	// else is reported.
	OnEvent func(ctx context.Context, e Event)

	// JSON replaces encoding/json for the session data: for instance a
	// faster encoder. Nil means encoding/json. It must produce
	// and accept standard JSON; Marshal must be deterministic, with map
	// keys sorted as encoding/json sorts them (the store compares encodings
	// to tell a change, so an unsorted encoder rewrites every untouched Map
	// session); and Unmarshal must decode numbers into interface values
	// exactly, as json.Number, for Map sessions to keep them exact. Saving
	// refuses a string that is not UTF-8 only when Marshal writes U+FFFD
	// for it, as encoding/json does (sonic: ValidateString).
	// bench/NOTES.md measures goccy/go-json (through a Decoder with
	// UseNumber) and sonic (ConfigStd with UseNumber).
	JSON JSONCodec

	// Legacy reads sessions of other libraries (migrate.Express for
	// Express's cookie-session, migrate.Gorilla for gorilla/sessions), so
	// that their users stay logged in: each is handed to handlers as
	// ordinary session data and replaced by this store's sealed cookie on
	// the same response (or kept in the old format, with Transition). The
	// formats are tried in order; the first that finds its cookie reads
	// the session. Options.Name must differ from their cookies' names.
	// docs/MIGRATING.md.
	Legacy []Legacy

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// JSONCodec encodes and decodes session data in place of encoding/json
// (Options.JSON), with encoding/json's signatures.
type JSONCodec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// core is the part of a store that does not depend on the data type.
type core struct {
	name, path, domain string
	sameSite           http.SameSite
	secure             SecureMode
	trust              *proxy.Trust
	secureWhy          string // why the cookie must be Secure (a prefix, SameSite=None, Partitioned), or ""
	httpOnly           bool
	partitioned        bool
	browserSession     bool

	maxAge, ceiling, idle, refresh time.Duration
	limits                         chunks.Limits
	codec                          *format.Codec

	legacy []*legacyFormat

	suffix [2]string // attribute suffix without and with Secure

	revocations Revocations
	onEvent     func(context.Context, Event)

	marshal   func(any) ([]byte, error)
	unmarshal func([]byte, any) error // nil: encoding/json, numbers exact
	zeroJSON  []byte                  // a new session's data, encoded

	structJSON *structjson.Codec // without Options.JSON, for a flat struct data type

	errorHandler func(http.ResponseWriter, *http.Request, error)
	now          func() time.Time
}

// init checks o and fills c from it.
func (c *core) init(o *Options) error {
	codec, err := newCodec(o.Cipher, o.RefuseOtherCipher, o.Keys...)
	if err != nil {
		return err
	}
	c.codec = codec
	if c.limits, err = resolveLimits(o); err != nil {
		return err
	}
	if err := c.initCookie(o); err != nil {
		return err
	}
	if err := c.initLifetimes(o); err != nil {
		return err
	}
	c.initHooks(o)
	c.errorHandler, c.now = o.ErrorHandler, o.Now
	if c.errorHandler == nil {
		c.errorHandler = defaultErrorHandler
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c.initLegacy(o)
}

// initCookie checks and sets the cookie's name and attributes.
func (c *core) initCookie(o *Options) error {
	c.name, c.path, c.domain = o.Name, o.Path, o.Domain
	if c.name == "" {
		c.name = bounds.DefaultName
	}
	if c.path == "" {
		c.path = "/"
	}
	if err := checkAttributes(c.name, c.path, c.domain); err != nil {
		return err
	}
	if n := chunks.NameLen(c.name, c.limits.Chunks); 2*(n+1) > c.limits.Cookie {
		return optionsError("Name of %d bytes leaves less than half of MaxCookieBytes (%d) for the value: choose a shorter Name", len(c.name), c.limits.Cookie)
	}
	c.httpOnly, c.partitioned, c.browserSession = !o.DisableHTTPOnly, o.Partitioned, o.BrowserSession
	c.sameSite = o.SameSite
	switch c.sameSite {
	case 0, http.SameSiteDefaultMode:
		c.sameSite = http.SameSiteLaxMode
	case http.SameSiteLaxMode, http.SameSiteStrictMode, http.SameSiteNoneMode:
	default:
		return optionsError("SameSite %d unknown: use http.SameSiteLaxMode, StrictMode or NoneMode", o.SameSite)
	}
	c.secure = o.Secure
	if c.secure > SecureTerminated {
		return optionsError("Secure %d unknown: use SecureAuto, SecureAlways, SecureNever or SecureTerminated", o.Secure)
	}
	var err error
	if c.trust, err = parseTrustedProxies(o.TrustedProxies); err != nil {
		return err
	}
	if err := c.checkPrefix(); err != nil {
		return err
	}
	c.suffix = [2]string{c.attrSuffix(false), c.attrSuffix(true)}
	return nil
}

// initLifetimes checks and sets the lifetimes the server enforces.
func (c *core) initLifetimes(o *Options) error {
	c.maxAge = o.MaxAge
	switch {
	case c.maxAge == 0:
		c.maxAge = bounds.DefaultMaxAge
	case c.maxAge < time.Second || c.maxAge > bounds.MaxAgeLimit:
		return optionsError("MaxAge %v out of range: use 1s..%v (400 days, the most a browser keeps a cookie); 0 means %v", o.MaxAge, bounds.MaxAgeLimit, bounds.DefaultMaxAge)
	}
	c.idle = o.IdleTimeout
	if c.idle < 0 || (c.idle > 0 && c.idle < time.Second) {
		return optionsError("IdleTimeout %v out of range: use 0 (none) or at least 1s", o.IdleTimeout)
	}
	c.refresh = c.idle / 4
	c.ceiling = o.MaxAgeCeiling
	switch {
	case c.ceiling == 0:
		c.ceiling = c.maxAge
	case c.ceiling < c.maxAge || c.ceiling > bounds.MaxAgeLimit:
		return optionsError("MaxAgeCeiling %v out of range: use MaxAge (%v) up to %v; 0 means MaxAge", o.MaxAgeCeiling, c.maxAge, bounds.MaxAgeLimit)
	}
	return nil
}

// initHooks sets the revocation list, the event hook and the JSON codec.
func (c *core) initHooks(o *Options) {
	c.revocations, c.onEvent = o.Revocations, o.OnEvent
	c.marshal = jsonx.Marshal
	if o.JSON != nil {
		c.marshal, c.unmarshal = o.JSON.Marshal, o.JSON.Unmarshal
	}
}

// checkPrefix enforces the cookie-name prefixes of RFC 6265bis §4.1.3, in
// any case, and the attributes that need Secure.
func (c *core) checkPrefix() error {
	var why string // the first reason the cookie must be Secure
	switch {
	case cookie.HasPrefix(c.name, cookie.HostPrefix):
		if !cookie.HostPrefixAllows(c.name, c.path, c.domain) {
			return optionsError("cookie %q: the __Host- prefix (in any case) requires Path \"/\" and no Domain", c.name)
		}
		why = "its __Host- prefix"
	case cookie.HasPrefix(c.name, cookie.SecurePrefix):
		why = "its __Secure- prefix"
	case c.sameSite == http.SameSiteNoneMode:
		why = "SameSite=None"
	case c.partitioned:
		why = "Partitioned"
	}
	c.secureWhy = why
	if why != "" && c.secure == SecureNever {
		return optionsError("cookie %q needs the Secure attribute because of %s, but Secure is SecureNever: use SecureAuto or SecureAlways", c.name, why)
	}
	return nil
}

// defaultErrorHandler logs err and answers 500 without details.
func defaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "cookiesession: session not saved", "err", err, "path", r.URL.Path)
	http.Error(w, http.StatusText(http.StatusInternalServerError)+": the session could not be saved", http.StatusInternalServerError)
}

// checkAttributes rejects a name, path or domain a browser would not take
// (package cookie has the rules and their sources).
func checkAttributes(name, path, domain string) error {
	if !cookie.ValidName(name) {
		return optionsError("Name %q is not an RFC 6265 token: use letters, digits and !#$%%&'*+-.^_`| only", name)
	}
	if strings.IndexByte(name, chunks.Sep) >= 0 {
		return optionsError("Name %q contains %q, which chunk names use: choose another Name", name, chunks.Sep)
	}
	if len(path) > cookie.MaxAttributeBytes || len(domain) > cookie.MaxAttributeBytes {
		return optionsError("Path or Domain longer than %d bytes: browsers ignore such attributes (RFC 6265bis §5.6)", cookie.MaxAttributeBytes)
	}
	if !cookie.ValidPath(path) {
		return optionsError("Path %q must start with / and contain no ';' or control characters", path)
	}
	if domain != "" && !cookie.ValidDomain(domain) {
		return optionsError("Domain %q is not a host name", domain)
	}
	return nil
}
