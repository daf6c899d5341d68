// Package cookiesession keeps a whole HTTP session, as JSON, encrypted and
// authenticated inside the cookie itself: no session database, and any
// instance that has the keys can serve any request.
//
// A Store seals sessions with XChaCha20-Poly1305 (or AES-256-GCM) under keys
// derived with HKDF-SHA256, binds each value to its cookie name, enforces an
// absolute lifetime and an optional idle timeout on the server, and refuses
// to write a cookie a browser would silently drop. Its middleware writes the
// cookie just before the response starts, and only when something changed.
//
//	store, err := cookiesession.New[Cart](cookiesession.Options{Keys: keys})
//	...
//	http.ListenAndServe(addr, store.Middleware(mux))
//
//	// in a handler:
//	s := store.Get(r)
//	s.Data.Items = append(s.Data.Items, item)
//
// docs/FORMAT.md specifies the sealed format; docs/SECURITY.md the threat
// model.
package cookiesession

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Defaults for the zero values of Options.
const (
	// DefaultName is the cookie name when Options.Name is empty.
	DefaultName = "session"
	// DefaultMaxAge is the absolute lifetime of a session when
	// Options.MaxAge is zero.
	DefaultMaxAge = 24 * time.Hour
	// MaxMaxAge is the longest lifetime New accepts: RFC 6265bis §5.6.1 caps
	// a cookie's Max-Age at 400 days, and a longer server-side lifetime would
	// outlive the cookie silently.
	MaxMaxAge = 400 * 24 * time.Hour
	// DefaultClockSkew is how far in the future a value's timestamps may lie
	// (servers' clocks differ) when Options.ClockSkew is zero.
	DefaultClockSkew = time.Minute
)

// Options configures a Store. The zero value of every field but Keys is a
// usable default.
type Options struct {
	// Keys are the master keys, each at least MinKeySize random bytes
	// (cookiesession keygen prints one; ParseKeys reads its output). Keys
	// that are obviously not random (too few distinct bytes, or text such
	// as a password or an undecoded hex string) are refused. The first key seals; every key
	// opens, so a new key goes first and an old one stays until sessions
	// sealed with it have expired. Sessions opened with an older key are
	// re-sealed with the first on the same response.
	Keys [][]byte

	// Cipher is the AEAD: XChaCha20Poly1305 (the default) or AES256GCM.
	Cipher Cipher

	// Name is the cookie name; DefaultName if empty. A "__Host-" prefix is
	// recommended in production: it requires Secure and Path "/" and forbids
	// Domain, so no sibling subdomain can set or shadow the session.
	Name string
	// Path is the cookie path; "/" if empty.
	Path string
	// Domain is the cookie domain; empty means host-only (recommended).
	Domain string

	// MaxAge is the absolute lifetime of a session, counted from its
	// creation (or its last Renew) and enforced on the server whatever the
	// browser sends. Zero means DefaultMaxAge; at most MaxMaxAge.
	MaxAge time.Duration
	// IdleTimeout ends a session not used for this long, enforced on the
	// server. Zero disables it.
	IdleTimeout time.Duration
	// RefreshAfter re-seals a session that is read at least this long after
	// it was last sealed, so an active session does not reach IdleTimeout.
	// Zero means IdleTimeout/4 (no refresh without IdleTimeout); negative
	// disables it.
	RefreshAfter time.Duration
	// ClockSkew is how far in the future a cookie's timestamps may lie
	// before it is rejected. Zero means DefaultClockSkew; negative means
	// none.
	ClockSkew time.Duration

	// BrowserSession makes cookies browser-session cookies (no Max-Age) by
	// default; a session can choose with Session.SetPersistent. The server
	// enforces MaxAge either way.
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
	// ScriptAccess drops the HttpOnly attribute, letting page scripts read
	// the cookie. Leave it false unless you need it.
	ScriptAccess bool
	// Partitioned sets the Partitioned attribute (CHIPS), for sessions in
	// third-party iframes. It requires Secure.
	Partitioned bool

	// MaxCookieBytes is the per-cookie budget for name plus value;
	// zero means DefaultMaxCookieBytes, at most MaxCookieBytesLimit.
	MaxCookieBytes int
	// MaxChunks is how many cookies one session may be split across; zero
	// or one disables chunking.
	MaxChunks int
	// MaxTotalBytes is the budget for all chunks together as they appear
	// in the Cookie header; zero means DefaultMaxTotalBytes when chunking.
	MaxTotalBytes int

	// ErrorHandler answers a request whose session could not be saved
	// (ErrTooLarge, ErrInsecureRequest, ErrEncode). The client's cookies
	// are left as they were, and the handler's own later writes are
	// discarded. Nil means: log the error with slog and answer 500.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// OnLostChange is called, at most once per request, when a session
	// change can no longer reach the client and no response can say so:
	// under the middleware, a change (Data, Destroy, Renew, flashes,
	// SetPersistent) made after the response started, or pending when the
	// handler hijacked the connection. err is a *LostChangeError naming
	// what was lost, never the data. Nil means: log it with slog's default
	// logger at level Error.
	OnLostChange func(r *http.Request, err error)
	// OnReject is called when a request's session cookie is rejected
	// (expired, tampered, unknown key, ...), so that the reason can be
	// logged; the request then gets a new, empty session. Session.Err
	// returns the same error.
	OnReject func(r *http.Request, err error)

	// Express reads sessions of Express's cookie-session middleware, so
	// that its users stay logged in: each is handed to handlers as ordinary
	// session data and replaced by this store's sealed cookie on the same
	// response (or kept in the old format, with Transition). Options.Name
	// must differ from the Express cookie's name. docs/MIGRATING.md.
	Express *ExpressSession
	// Gorilla does the same for sessions of a gorilla/sessions
	// CookieStore. docs/MIGRATING.md.
	Gorilla *GorillaSession

	// Now returns the current time; nil means time.Now. For tests.
	Now func() time.Time
}

// core is the part of a store that does not depend on the data type.
type core struct {
	name, path, domain string
	sameSite           http.SameSite
	secure             SecureMode
	trust              *proxyTrust
	mustBeSecure       bool // __Host- / __Secure- prefix, SameSite=None, Partitioned
	httpOnly           bool
	partitioned        bool
	browserSession     bool

	maxAge, idle, refresh, skew time.Duration
	limits                      limits
	codec                       *Codec

	legacy []legacyFormat

	suffix [2]string // attribute suffix without and with Secure

	errorHandler func(http.ResponseWriter, *http.Request, error)
	onReject     func(*http.Request, error)
	onLostChange func(*http.Request, error)
	now          func() time.Time
}

// Store seals and opens sessions whose data is a T, encoded with
// encoding/json. It is safe for concurrent use. Create it with New.
type Store[T any] struct {
	c         core
	zeroJSON  []byte // json.Marshal of a new session's data
	isMap     bool
	useNumber bool // T holds interface values: decode numbers as json.Number
}

// Map is the data of an untyped session, as in Express cookie-session's
// req.session.
//
// Values decode as encoding/json decodes into an interface, except numbers:
// every JSON number decodes as a json.Number holding its exact text, so
// integers beyond 2^53, uint64 values and long decimals survive any number
// of requests unchanged (a float64 would round them). Read one with its
// Int64, Float64 or String method. Go numbers stored in a Map (int, int64,
// uint64, float64, ...) are encoded exactly; on the next request they come
// back as json.Number. The same holds for interface values anywhere inside
// a typed session's data.
type Map = map[string]any

// NewMap returns a store of untyped sessions, New[Map].
func NewMap(o Options) (*Store[Map], error) { return New[Map](o) }

// New checks the options and returns a store. Every configuration error
// matches ErrInvalidOptions and says which option to change.
func New[T any](o Options) (*Store[T], error) {
	s := &Store[T]{}
	if err := s.c.init(&o); err != nil {
		return nil, err
	}
	s.isMap = reflect.TypeFor[T]().Kind() == reflect.Map
	s.useNumber = holdsInterface(reflect.TypeFor[T](), map[reflect.Type]bool{})
	zeroData := s.newData()
	zero, err := json.Marshal(&zeroData)
	if err != nil {
		return nil, optionsError("the session data type %v does not encode as JSON: %v", reflect.TypeFor[T](), err)
	}
	s.zeroJSON = zero
	return s, nil
}

func (c *core) init(o *Options) error {
	codec, err := NewCodec(o.Cipher, o.Keys...)
	if err != nil {
		return err
	}
	c.codec = codec
	if c.limits, err = resolveLimits(o); err != nil {
		return err
	}
	c.name, c.path, c.domain = o.Name, o.Path, o.Domain
	if c.name == "" {
		c.name = DefaultName
	}
	if c.path == "" {
		c.path = "/"
	}
	if err := checkAttributes(c.name, c.path, c.domain); err != nil {
		return err
	}
	c.httpOnly, c.partitioned, c.browserSession = !o.ScriptAccess, o.Partitioned, o.BrowserSession
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
	if c.trust, err = parseTrustedProxies(o.TrustedProxies); err != nil {
		return err
	}
	if err := c.checkPrefix(); err != nil {
		return err
	}
	c.suffix = [2]string{c.attrSuffix(false), c.attrSuffix(true)}

	c.maxAge = o.MaxAge
	switch {
	case c.maxAge == 0:
		c.maxAge = DefaultMaxAge
	case c.maxAge < time.Second || c.maxAge > MaxMaxAge:
		return optionsError("MaxAge %v out of range: use 1s..%v (400 days, the most a browser keeps a cookie); 0 means %v", o.MaxAge, MaxMaxAge, DefaultMaxAge)
	}
	c.idle = o.IdleTimeout
	if c.idle < 0 || (c.idle > 0 && c.idle < time.Second) {
		return optionsError("IdleTimeout %v out of range: use 0 (none) or at least 1s", o.IdleTimeout)
	}
	c.refresh = o.RefreshAfter
	if c.refresh == 0 {
		c.refresh = c.idle / 4
	}
	c.skew = o.ClockSkew
	if c.skew == 0 {
		c.skew = DefaultClockSkew
	} else if c.skew < 0 {
		c.skew = 0
	}
	c.errorHandler, c.onReject, c.onLostChange, c.now = o.ErrorHandler, o.OnReject, o.OnLostChange, o.Now
	if c.errorHandler == nil {
		c.errorHandler = defaultErrorHandler
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c.initLegacy(o)
}

// The cookie-name prefixes of RFC 6265bis §4.1.3. Browsers match them in
// any case (the storage model, §5.7, since draft 13), so "__host-" and
// "__SECURE-" carry the same rules.
const (
	hostPrefix   = "__Host-"
	securePrefix = "__Secure-"
)

// hasPrefixFold reports whether name begins with prefix, ignoring case.
func hasPrefixFold(name, prefix string) bool {
	return len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix)
}

// checkPrefix enforces the cookie-name prefixes of RFC 6265bis §4.1.3, in
// any case, and the attributes that need Secure.
func (c *core) checkPrefix() error {
	var why string // the first reason the cookie must be Secure
	switch {
	case hasPrefixFold(c.name, hostPrefix):
		if c.path != "/" || c.domain != "" {
			return optionsError("cookie %q: the __Host- prefix (in any case) requires Path \"/\" and no Domain", c.name)
		}
		why = "its __Host- prefix"
	case hasPrefixFold(c.name, securePrefix):
		why = "its __Secure- prefix"
	case c.sameSite == http.SameSiteNoneMode:
		why = "SameSite=None"
	case c.partitioned:
		why = "Partitioned"
	}
	c.mustBeSecure = why != ""
	if c.mustBeSecure && c.secure == SecureNever {
		return optionsError("cookie %q needs the Secure attribute because of %s, but Secure is SecureNever: use SecureAuto or SecureAlways", c.name, why)
	}
	return nil
}

// newData returns the data of a new session: the zero T, or an empty map
// when T is a map type, so that s.Data["k"] = v works at once.
func (s *Store[T]) newData() T {
	if s.isMap {
		return s.newMap()
	}
	var d T
	return d
}

// newMap returns an empty map of type T, which must be a map type.
func (s *Store[T]) newMap() T {
	var d T
	reflect.ValueOf(&d).Elem().Set(reflect.MakeMap(reflect.TypeFor[T]()))
	return d
}

// holdsInterface reports whether a value of type t can hold an interface
// value that encoding/json would fill: only then do numbers need
// json.Number to survive exactly. seen breaks cycles of recursive types.
func holdsInterface(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsInterface(t.Elem(), seen)
	case reflect.Map:
		return holdsInterface(t.Key(), seen) || holdsInterface(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsInterface(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// decodeData decodes a session's JSON into d, which it resets first; numbers
// in interface values become json.Number (see Map).
func (s *Store[T]) decodeData(data []byte, d *T) error {
	*d = s.newData()
	var err error
	if s.useNumber {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err = dec.Decode(d); err == nil && dec.More() {
			err = errors.New("data after the JSON value")
		}
	} else {
		err = json.Unmarshal(data, d)
	}
	if err != nil {
		return fmt.Errorf("%w into %v: %s; if the data type changed, old sessions need a migration or a new cookie name", ErrDecode, reflect.TypeFor[T](), jsonProblem(err))
	}
	return nil
}

// Get returns the request's session, opening the cookie on first use. Under
// the store's Middleware it returns the same session for the whole request
// and saves it before the response starts. Without the middleware it opens
// the cookie anew on each call: keep the session and call Session.Save.
//
// Get never fails: a missing or rejected cookie gives a new, empty session,
// and Session.Err tells why a cookie was rejected.
func (s *Store[T]) Get(r *http.Request) *Session[T] {
	if sl, _ := r.Context().Value(ctxKey{&s.c}).(*slot[T]); sl != nil {
		return sl.get(s, r)
	}
	return s.load(r)
}

// load opens the session in r's cookies, or starts a new one.
func (s *Store[T]) load(r *http.Request) *Session[T] {
	now := s.c.now()
	sess := &Session[T]{store: s, r: r, isNew: true, browserSession: s.c.browserSession}
	in, err := readChunks(r, s.c.name, s.c.limits)
	sess.present, sess.foreign = in.present, in.foreign
	if err == nil && in.chunks > 0 {
		err = s.open(sess, in, now)
		if err == nil {
			return sess
		}
	}
	if err == nil && in.chunks == 0 {
		err = s.loadLegacy(sess)
		if err == nil && !sess.isNew {
			return sess
		}
	}
	sess.Data = s.newData()
	sess.isNew, sess.opened, sess.flashes = true, nil, nil
	if err != nil {
		sess.err = err
		if s.c.onReject != nil {
			s.c.onReject(r, err)
		}
	}
	return sess
}

// open authenticates in.value and fills sess, or returns why it cannot.
func (s *Store[T]) open(sess *Session[T], in incoming, now time.Time) error {
	raw, err := decodeValue(in.value, headerSize+1+len(s.c.name))
	if err != nil {
		return err
	}
	h, pt, keyIdx, err := s.c.codec.openRaw(s.c.name, in.chunks, raw)
	if err != nil {
		return err
	}
	if err := s.c.checkTimes(&h, now); err != nil {
		return err
	}
	dataJSON := pt
	if h.Flashes {
		var arr [2]json.RawMessage
		if err := json.Unmarshal(pt, &arr); err != nil || arr[0] == nil {
			return fmt.Errorf("%w: flash envelope is not [data, [messages]]", ErrDecode)
		}
		if err := json.Unmarshal(arr[1], &sess.flashes); err != nil {
			return fmt.Errorf("%w: flash messages: %s", ErrDecode, jsonProblem(err))
		}
		dataJSON = arr[0]
	}
	// Decode in place; on error load resets Data, so no partial data
	// survives.
	if err := s.decodeData(dataJSON, &sess.Data); err != nil {
		return err
	}
	sess.opened = dataJSON
	sess.isNew = false
	sess.created, sess.sealed = h.Created, h.Sealed
	sess.browserSession = h.BrowserSession
	sess.reseal = keyIdx > 0 || (s.c.refresh > 0 && now.Sub(h.Sealed) >= s.c.refresh)
	return nil
}

// checkTimes enforces the lifetimes on a value's header.
func (c *core) checkTimes(h *Header, now time.Time) error {
	future := now.Add(c.skew)
	switch {
	case h.Created.After(future) || h.Sealed.After(future):
		return fmt.Errorf("%w: sealed at %s, now %s: check the servers' clocks", ErrFromFuture, h.Sealed.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case !now.Before(h.Created.Add(c.maxAge)):
		return fmt.Errorf("%w: created %s, past the %v lifetime", ErrExpired, h.Created.UTC().Format(time.RFC3339), c.maxAge)
	case c.idle > 0 && !now.Before(h.Sealed.Add(c.idle)):
		return fmt.Errorf("%w: last sealed %s, idle longer than %v", ErrIdleTimeout, h.Sealed.UTC().Format(time.RFC3339), c.idle)
	}
	return nil
}

// loadLegacy tries the configured legacy formats, in order.
func (s *Store[T]) loadLegacy(sess *Session[T]) error {
	for i, f := range s.c.legacy {
		data, found, err := f.load(sess.r)
		if !found {
			continue
		}
		sess.legacyIdx = i + 1
		if err != nil {
			return err
		}
		var d T
		if err := s.decodeData(data, &d); err != nil {
			return err
		}
		sess.Data, sess.isNew = d, false
		sess.created = s.c.now()
		if !f.transition() {
			sess.reseal = true // upgrade to the sealed format now
		} else if sess.opened, err = json.Marshal(d); err != nil {
			return fmt.Errorf("%w: %s", ErrEncode, jsonProblem(err))
		}
		return nil
	}
	return nil
}

// Session is one request's session. Data is yours to read and change; the
// other state changes through methods.
//
// Concurrency: under the middleware, Store.Get may be called from several
// goroutines of one request and returns the same *Session. The Session
// itself is not safe for concurrent use: goroutines that share it must
// synchronize their use of Data and of its methods, and must be done with
// it before the handler starts the response (the middleware reads it then
// to save it, and again when the handler returns to report late changes).
type Session[T any] struct {
	// Data is the session's data, encoded as JSON in the cookie.
	Data T

	store     *Store[T]
	r         *http.Request
	w         *responseWriter // nil without the middleware
	present   presence        // chunk cookies the request carried
	foreign   []string        // malformed chunk names the request carried
	legacyIdx int             // 1 + index of the legacy format loaded from, or 0
	err       error

	opened         []byte // data JSON as opened or last saved; nil if new
	flashes        []string
	created        time.Time
	sealed         time.Time
	isNew          bool
	browserSession bool

	tried  []byte // data JSON of the last save attempt
	failed []byte // data JSON whose explicit Save failed
	told   bool   // an explicit Save returned ErrAlreadyWritten

	changed   change // what the methods changed since the last save
	reseal    bool   // rotation, refresh or legacy upgrade
	destroyed bool
}

// change is a set of changes a session's cookie does not yet carry.
type change uint8

const (
	changedData change = 1 << iota
	changedFlashes
	changedPersistence
	changedRenew
	changedDestroy
)

// String names the changes, for reports that must not carry the data.
func (c change) String() string {
	var parts []string
	for _, n := range [...]struct {
		c    change
		name string
	}{{changedDestroy, "Destroy"}, {changedRenew, "Renew"}, {changedData, "Data"}, {changedFlashes, "flash messages"}, {changedPersistence, "SetPersistent"}} {
		if c&n.c != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, ", ")
}

// IsNew reports whether the request carried no valid session: the session
// was created for this request.
func (s *Session[T]) IsNew() bool { return s.isNew }

// Err returns why the request's session cookie was rejected (ErrExpired,
// ErrAuthentication, ...), or nil if there was none or it opened.
func (s *Session[T]) Err() error { return s.err }

// Created returns when the session began, or the zero time if it is new.
func (s *Session[T]) Created() time.Time { return s.created }

// ExpiresAt returns when the server stops accepting the session as it now
// stands: the end of its absolute lifetime, or earlier by the idle timeout.
func (s *Session[T]) ExpiresAt() time.Time {
	created, sealed := s.created, s.sealed
	if s.isNew || created.IsZero() {
		created = s.store.c.now()
		sealed = created
	}
	end := created.Add(s.store.c.maxAge)
	if idle := s.store.c.idle; idle > 0 && sealed.Add(idle).Before(end) {
		end = sealed.Add(idle)
	}
	return end
}

// Destroy ends the session: the response expires its cookies, and Data is
// reset. Using the session again after Destroy starts a new one.
func (s *Session[T]) Destroy() {
	s.destroyed = true
	s.Data = s.store.newData()
	s.flashes, s.opened, s.isNew = nil, nil, true
	s.created, s.sealed = time.Time{}, time.Time{}
}

// Renew gives the session a fresh creation time (so a fresh absolute
// lifetime) and a new cookie value, keeping Data. Call it after a privilege
// change such as login, so a value seen before cannot stand for the new
// privileges any longer than its own lifetime.
func (s *Session[T]) Renew() {
	s.created = time.Time{}
	s.changed |= changedRenew
}

// SetPersistent chooses, for this session, between a persistent cookie that
// outlives the browser (true, the default unless Options.BrowserSession)
// and a browser-session cookie dropped when the browser closes ("remember
// me" unchecked). The server enforces MaxAge either way.
func (s *Session[T]) SetPersistent(persistent bool) {
	if s.browserSession == persistent {
		s.browserSession = !persistent
		s.changed |= changedPersistence
	}
}

// AddFlash queues a message to be read once, by Flashes, on a later request.
func (s *Session[T]) AddFlash(msg string) {
	s.flashes = append(s.flashes, msg)
	s.changed |= changedFlashes
}

// Flashes returns the queued flash messages and removes them from the
// session.
func (s *Session[T]) Flashes() []string {
	f := s.flashes
	if len(f) > 0 {
		s.flashes = nil
		s.changed |= changedFlashes
	}
	return f
}

// Save writes the session's Set-Cookie headers to w now, and returns why it
// cannot: ErrTooLarge, ErrInsecureRequest, ErrEncode, or ErrAlreadyWritten
// when the middleware has already sent the response header. On error
// nothing is added to w, so the client keeps its previous cookies. Under the
// middleware Save is optional; it lets a handler handle the error itself.
// Nothing is written when nothing changed.
//
// Without the middleware, Save cannot know whether w has already sent its
// header: a Save after the handler's first Write, WriteHeader or Flush adds
// Set-Cookie lines that never reach the client, and returns nil. Call Save
// before writing the response.
func (s *Session[T]) Save(w http.ResponseWriter) error {
	if s.w != nil && s.w.state != statePending {
		s.told = true
		return ErrAlreadyWritten
	}
	dataJSON, err := s.marshal()
	if err == nil {
		err = s.writeTo(w.Header(), dataJSON)
	}
	if err != nil {
		// The handler has the error; the middleware will not report the
		// same unchanged session again through Options.ErrorHandler.
		s.failed = s.tried
	}
	return err
}

// commit is the middleware's save: like Save, but a session whose explicit
// Save failed, and which has not changed since, was the handler's to
// answer and is skipped.
func (s *Session[T]) commit(h http.Header) error {
	dataJSON, err := s.marshal()
	if err != nil {
		return err
	}
	if s.failed != nil && bytes.Equal(dataJSON, s.failed) {
		return nil
	}
	return s.writeTo(h, dataJSON)
}

// unsaved returns a *LostChangeError naming the changes the client was not
// sent, or nil: for the middleware, once the response has started.
func (s *Session[T]) unsaved() *LostChangeError {
	if s.told {
		return nil // the handler's Save was told ErrAlreadyWritten
	}
	dataJSON, err := s.marshal()
	if err != nil {
		return &LostChangeError{What: changedData.String(), Err: err}
	}
	if s.failed != nil && bytes.Equal(dataJSON, s.failed) {
		return nil
	}
	if c := s.pending(dataJSON); c != 0 {
		return &LostChangeError{What: c.String()}
	}
	return nil
}

// marshal encodes Data and records it as the last save attempt.
func (s *Session[T]) marshal() ([]byte, error) {
	dataJSON, err := json.Marshal(&s.Data) // as Unmarshal: pointer methods apply
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrEncode, jsonProblem(err))
	}
	s.tried = dataJSON
	return dataJSON, nil
}

// pending returns the changes the client's cookies do not carry, given
// Data encoded as dataJSON. A key rotation, refresh or legacy upgrade due
// is not among them: a later request does it as well.
func (s *Session[T]) pending(dataJSON []byte) change {
	c := s.changed
	empty := bytes.Equal(dataJSON, s.store.zeroJSON) && len(s.flashes) == 0
	switch {
	case s.destroyed && empty:
		return changedDestroy // whatever else changed goes with it
	case s.destroyed:
		c |= changedDestroy | changedData // used again: a new session
	case s.isNew:
		if !empty {
			c |= changedData
		}
	case !bytes.Equal(dataJSON, s.opened):
		c |= changedData
	}
	return c
}

// writeTo adds the Set-Cookie lines the session needs, if any, to h; on
// error it adds nothing.
func (s *Session[T]) writeTo(h http.Header, dataJSON []byte) error {
	c := s.pending(dataJSON)
	switch {
	case c == changedDestroy:
		return s.expire(h)
	case c == 0 && !s.reseal:
		return nil
	}
	now := s.store.c.now().Truncate(time.Second)
	created := s.created
	if created.IsZero() || s.isNew || c&changedDestroy != 0 {
		created = now
	}
	if now.Before(created) { // a clock behind the one that sealed
		now = created
	}
	if f := s.transitionFormat(); f != nil {
		return s.writeLegacy(h, f, dataJSON, now)
	}
	n, err := s.seal(h, dataJSON, created, now)
	if err != nil {
		return err
	}
	s.opened, s.created, s.sealed, s.isNew = dataJSON, created, now, false
	s.changed, s.reseal, s.legacyIdx, s.destroyed = 0, false, 0, false
	s.foreign, s.present = nil, presence{}
	for i := 1; i <= n; i++ {
		s.present.set(i)
	}
	return nil
}

// expire adds the lines that delete every cookie of a destroyed session.
func (s *Session[T]) expire(h http.Header) error {
	c := &s.store.c
	a, err := c.attrs(s.r, false, 0)
	if err != nil {
		return err
	}
	dropOwnLines(h, c.name)
	c.expireAll(h, s.present, s.foreign, 1, a)
	s.expireLegacy(h, a)
	noStore(h)
	s.destroyed, s.present, s.foreign, s.changed = false, presence{}, nil, 0
	return nil
}

// seal adds the lines that store dataJSON (and the flashes) in the sealed
// format, replacing and deleting every other cookie of the session, and
// returns the number of chunks.
func (s *Session[T]) seal(h http.Header, dataJSON []byte, created, now time.Time) (int, error) {
	c := &s.store.c
	hdr := Header{Created: created, Sealed: now, BrowserSession: s.browserSession, Flashes: len(s.flashes) > 0}
	pt, err := s.plaintext(dataJSON, hdr.Flashes)
	if err != nil {
		return 0, err
	}
	n, err := planChunks(c.name, c.codec.cipher.SealedLen(len(pt)), c.limits)
	if err != nil {
		return 0, err
	}
	hdr.Chunks = n
	maxAge := int(s.expiry(created, now).Sub(now) / time.Second)
	a, err := c.attrs(s.r, !s.browserSession, maxAge)
	if err != nil {
		return 0, err
	}
	raw, err := c.codec.seal(c.name, hdr, pt)
	if err != nil {
		return 0, err
	}
	dropOwnLines(h, c.name)
	if n == 1 {
		h.Add("Set-Cookie", a.lineRaw(c.name, raw))
	} else {
		parts := splitValue(c.name, strictBase64.EncodeToString(raw), n, c.limits)
		for i, p := range parts {
			h.Add("Set-Cookie", a.line(chunkName(c.name, i+1), p))
		}
	}
	c.expireAll(h, s.present, s.foreign, n+1, a)
	s.expireLegacy(h, a)
	noStore(h)
	return n, nil
}

// plaintext is what is sealed: the data JSON, or with flashes the envelope
// [data, [messages]] (docs/FORMAT.md).
func (s *Session[T]) plaintext(dataJSON []byte, flashes bool) ([]byte, error) {
	if !flashes {
		return dataJSON, nil
	}
	fl, err := json.Marshal(s.flashes)
	if err != nil {
		return nil, fmt.Errorf("%w: flash messages: %s", ErrEncode, jsonProblem(err))
	}
	pt := make([]byte, 0, len(dataJSON)+len(fl)+3)
	return append(append(append(append(append(pt, '['), dataJSON...), ','), fl...), ']'), nil
}

// expiry is when a session created at created and sealed at now ends.
func (s *Session[T]) expiry(created, now time.Time) time.Time {
	end := created.Add(s.store.c.maxAge)
	if idle := s.store.c.idle; idle > 0 && now.Add(idle).Before(end) {
		end = now.Add(idle)
	}
	return end
}

// writeLegacy saves in a legacy format during a transition.
func (s *Session[T]) writeLegacy(h http.Header, f legacyFormat, dataJSON []byte, now time.Time) error {
	c := &s.store.c
	a, err := c.attrs(s.r, !s.browserSession, int(s.expiry(now, now).Sub(now)/time.Second))
	if err != nil {
		return err
	}
	if err := f.write(h, s.r, dataJSON, &a); err != nil {
		return err
	}
	noStore(h)
	s.opened, s.changed, s.reseal = dataJSON, 0, false
	return nil
}

// expireLegacy deletes the cookies of every legacy format the request
// carried, once the session is saved in this store's own format.
func (s *Session[T]) expireLegacy(h http.Header, a cookieAttrs) {
	for _, f := range s.store.c.legacy {
		la := a // a copy per call keeps the common no-legacy path allocation-free
		f.expire(h, s.r, &la)
	}
}

// expireAll deletes the chunk cookies from index from on: those the request
// carried and, when chunking is on, every possible one, so that no response
// racing with another (two tabs) can leave an orphan chunk behind; and the
// malformed chunk names the request carried.
func (c *core) expireAll(h http.Header, present presence, foreign []string, from int, a cookieAttrs) {
	last := c.limits.chunks
	for i, end := from, max(last, present.highest()); i <= end; i++ {
		if i <= last || present.has(i) {
			h.Add("Set-Cookie", a.expireLine(chunkName(c.name, i)))
		}
	}
	for _, name := range foreign {
		h.Add("Set-Cookie", a.expireLine(name))
	}
}

// dropOwnLines removes Set-Cookie lines an earlier Save of this response
// added for the cookie name or its chunks, so that a second Save replaces
// the first.
func dropOwnLines(h http.Header, name string) {
	dropLines(h, func(l string) bool {
		return strings.HasPrefix(l, name) && len(l) > len(name) && (l[len(name)] == '=' || l[len(name)] == chunkSep)
	})
}

// dropLines removes the Set-Cookie lines for which drop is true.
func dropLines(h http.Header, drop func(line string) bool) {
	lines := h["Set-Cookie"]
	if len(lines) == 0 {
		return
	}
	kept := lines[:0]
	for _, l := range lines {
		if !drop(l) {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		delete(h, "Set-Cookie")
	} else {
		h["Set-Cookie"] = kept
	}
}

// noStore keeps shared caches from storing a response that sets a session
// cookie: Vary: Cookie, and Cache-Control "private" in place of "public" or
// s-maxage (RFC 9111 §5.2.2.7).
func noStore(h http.Header) {
	cc := h.Get("Cache-Control")
	if cc == "" && len(h["Vary"]) == 0 {
		// The common case, in one allocation for both headers.
		v := [2]string{"Cookie", `private, no-cache="Set-Cookie"`}
		h["Vary"], h["Cache-Control"] = v[0:1:1], v[1:2:2]
		return
	}
	addVary(h)
	if cc == "" {
		h.Set("Cache-Control", `private, no-cache="Set-Cookie"`)
		return
	}
	var out []string
	private := false
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(strings.ToLower(d), "=")
		switch name {
		case "public", "s-maxage", "proxy-revalidate":
			continue
		case "private", "no-store":
			private = true
		}
		if d != "" {
			out = append(out, d)
		}
	}
	if !private {
		out = append([]string{"private"}, out...)
	}
	h.Set("Cache-Control", strings.Join(out, ", "))
}

// addVary adds Cookie to the Vary header unless it is there.
func addVary(h http.Header) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, "Cookie") {
				return
			}
		}
	}
	h.Add("Vary", "Cookie")
}

// defaultErrorHandler logs err and answers 500 without details.
func defaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "cookiesession: session not saved", "err", err, "path", r.URL.Path)
	http.Error(w, http.StatusText(http.StatusInternalServerError)+": the session could not be saved", http.StatusInternalServerError)
}

// cookieAttrs are the attributes of one response's Set-Cookie lines.
type cookieAttrs struct {
	suffix string // "; Path=/; ...", without Max-Age
	maxAge int    // seconds; 0 means a browser-session cookie
}

// attrs returns the attributes of the Set-Cookie lines answering r (RFC
// 6265bis §4.1): a persistent cookie gets Max-Age maxAge (at least 1).
func (c *core) attrs(r *http.Request, persistent bool, maxAge int) (cookieAttrs, error) {
	secure, err := secureAttribute(r, c.secure, c.trust, c.mustBeSecure)
	if err != nil {
		return cookieAttrs{}, err
	}
	a := cookieAttrs{suffix: c.suffix[0]}
	if secure {
		a.suffix = c.suffix[1]
	}
	if persistent {
		a.maxAge = max(maxAge, 1)
	}
	return a, nil
}

// attrSuffix formats the attributes every line of the store shares.
func (c *core) attrSuffix(secure bool) string {
	var b strings.Builder
	b.WriteString("; Path=")
	b.WriteString(c.path)
	if c.domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(c.domain)
	}
	if c.httpOnly {
		b.WriteString("; HttpOnly")
	}
	if secure {
		b.WriteString("; Secure")
	}
	switch c.sameSite {
	case http.SameSiteStrictMode:
		b.WriteString("; SameSite=Strict")
	case http.SameSiteNoneMode:
		b.WriteString("; SameSite=None")
	default:
		b.WriteString("; SameSite=Lax")
	}
	if c.partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String()
}

// line formats a Set-Cookie line that stores value under name.
func (a cookieAttrs) line(name, value string) string {
	var b strings.Builder
	b.Grow(len(name) + len(value) + len(a.suffix) + 24)
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(value)
	a.finish(&b)
	return b.String()
}

// lineRaw is line for a value still to be base64-encoded: it encodes
// straight into the line, in one allocation.
func (a cookieAttrs) lineRaw(name string, raw []byte) string {
	var b strings.Builder
	b.Grow(len(name) + strictBase64.EncodedLen(len(raw)) + len(a.suffix) + 24)
	b.WriteString(name)
	b.WriteByte('=')
	appendBase64(&b, raw)
	a.finish(&b)
	return b.String()
}

// finish appends Max-Age, if any, and the shared attributes.
func (a cookieAttrs) finish(b *strings.Builder) {
	if a.maxAge > 0 {
		var num [20]byte
		b.WriteString("; Max-Age=")
		b.Write(strconv.AppendInt(num[:0], int64(a.maxAge), 10))
	}
	b.WriteString(a.suffix)
}

// expireLine formats a Set-Cookie line that deletes the cookie name.
func (a cookieAttrs) expireLine(name string) string {
	return name + "=; Max-Age=0" + a.suffix
}

// checkAttributes rejects a name, path or domain a browser would not take.
func checkAttributes(name, path, domain string) error {
	if !validCookieName(name) {
		return optionsError("cookie name %q is not an RFC 6265 token: use letters, digits and !#$%%&'*+-.^_`|~ only", name)
	}
	if strings.IndexByte(name, chunkSep) >= 0 {
		return optionsError("cookie name %q contains %q, which chunk names use: choose another name", name, chunkSep)
	}
	if len(path) > maxAttributeBytes || len(domain) > maxAttributeBytes {
		return optionsError("Path or Domain longer than %d bytes: browsers ignore such attributes (RFC 6265bis §5.6)", maxAttributeBytes)
	}
	if path[0] != '/' || strings.ContainsAny(path, ";\x00\r\n") || !printable(path) {
		return optionsError("Path %q must start with / and contain no ';' or control characters", path)
	}
	if domain != "" && !validDomain(domain) {
		return optionsError("Domain %q is not a host name", domain)
	}
	return nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// validCookieName reports whether name is a token (RFC 6265 §4.1.1, RFC
// 9110 §5.6.2).
func validCookieName(name string) bool { return isToken(name) }

// validDomain reports whether d is a plausible host name for Domain=.
func validDomain(d string) bool {
	d = strings.TrimPrefix(d, ".")
	if d == "" || len(d) > 253 {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
