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
// # A request, in order
//
//   - New compiles Options (keys, cookie attributes, budgets, Revocations,
//     Legacy formats, OnEvent) into a Store, once.
//   - Store.Middleware gives each request a slot; Store.Get (or
//     Store.FromContext, for code that has only the context) opens the
//     session on first use: Store.Request reads the Cookie lines and
//     decides HTTPS (Options.Secure, Options.TrustedProxies), and
//     Store.Open reassembles the chunks, opens the value (ErrAuthentication,
//     ErrExpired, ErrRevoked, ... through Session.Err and EventRejected),
//     or a Legacy format's cookie.
//   - The handler changes Session.Data, flashes (Session.AddFlashTo),
//     lifetime (Session.SetMaxAge), subject, or calls Renew or Destroy.
//   - Just before the response starts, Session.Commit plans the Set-Cookie
//     lines from what the client holds and what the handler wants (none
//     when nothing changed), and Update.Apply adds them with Vary and
//     Cache-Control. A change made too late is reported once
//     (Session.ReportLostChange, EventLostChange).
//
// Adapters for other servers use the same core without the middleware:
// Store.Open, Session.Commit, Update.Apply, Session.ReportLostChange
// (modules fasthttpsession and gorillastore).
//
// docs/FORMAT.md specifies the sealed format; docs/THREAT-MODEL.md the threat
// model.
package cookiesession

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/flash"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/jsonx"
	"github.com/cookiesession/cookiesession/internal/plainvalue"
	"github.com/cookiesession/cookiesession/internal/proxy"
	"github.com/cookiesession/cookiesession/internal/structjson"
)

// Store seals and opens sessions whose data is a T, encoded with
// encoding/json. It is safe for concurrent use. Create it with New.
type Store[T any] struct {
	c         core
	isMap     bool
	useNumber bool              // T holds interface values: decode numbers as json.Number
	plain     plainvalue.Layout // non-nil: T's bytes are all its content
}

// Map is the data of an untyped session, as in Express cookie-session's
// req.session.
//
// Values decode as encoding/json decodes into an interface, except numbers:
// every JSON number decodes as a json.Number holding its exact text, so
// integers beyond 2^53, uint64 values and long decimals survive any number
// of requests unchanged (a float64 would round them). Go numbers stored in
// a Map (int, int64, uint64, float64, ...) are encoded exactly; on the next
// request they come back as json.Number. The same holds for interface
// values anywhere inside a typed session's data.
//
// Int, Float, String and Bool read a top-level value the same way in the
// request that stores it and in the requests after, so a counter ported
// from Express or gorilla/sessions reads:
//
//	n, _ := s.Data.Int("views") // 0, false on the first visit
//	s.Data["views"] = n + 1
//
// Map is a defined type, so that it has these methods: a map[string]any
// assigns to and from it (s.Data = map[string]any{...}), but a type
// assertion must name Map, not map[string]any, and in text/template and
// html/template {{.Int}} names the method (reach a key named "Int",
// "Float", "String" or "Bool" with {{index . "Int"}}).
//
// A nil map (s.Data = nil) is the empty one: it is sealed as {}, and a
// session of a map type never opens with a nil map.
type Map map[string]any

// New checks the options and returns a store. Every configuration error
// matches ErrInvalidOptions and says which option to change.
func New[T any](o Options) (*Store[T], error) {
	s := &Store[T]{}
	if err := s.c.init(&o); err != nil {
		return nil, err
	}
	s.isMap = reflect.TypeFor[T]().Kind() == reflect.Map
	s.useNumber = holdsInterface(reflect.TypeFor[T](), map[reflect.Type]bool{})
	s.plain = plainvalue.LayoutOf(reflect.TypeFor[T]())
	if o.JSON == nil {
		s.c.structJSON = structjson.For(reflect.TypeFor[T]())
	}
	zeroData := s.newData()
	zero, err := s.c.marshal(&zeroData)
	if err != nil {
		return nil, optionsError("the session data type %v does not encode as JSON (%v): change the type, or set Options.JSON to a codec that encodes it", reflect.TypeFor[T](), err)
	}
	s.c.zeroJSON = zero
	return s, nil
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
	if s.c.unmarshal == nil && decodeMap(data, d) {
		return nil
	}
	if sj := s.c.structJSON; sj != nil {
		var zero T
		*d = zero
		if sj.Decode(data, reflect.ValueOf(d).Elem()) {
			return nil
		}
	}
	*d = s.newData()
	var err error
	switch {
	case s.c.unmarshal != nil:
		err = s.c.unmarshal(data, d)
	case s.useNumber:
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err = dec.Decode(d); err == nil && dec.More() {
			err = errors.New("data after the JSON value")
		}
	default:
		err = json.Unmarshal(data, d)
	}
	if err != nil {
		return fmt.Errorf("%w into %v: %s; if the data type changed, old sessions need a migration or a new cookie name", ErrDecode, reflect.TypeFor[T](), jsonx.Problem(err))
	}
	if s.isMap && reflect.ValueOf(d).Elem().IsNil() {
		*d = s.newMap() // JSON null, which earlier versions sealed for a nil map
	}
	return nil
}

// Request is what a store needs of an HTTP request, whatever the server
// framework: the request's cookies to open its session (Store.Open), and
// what decides the Secure attribute of the cookies set in answer to it
// (Session.Commit). For a net/http request, Store.Request makes one.
type Request struct {
	// Cookie holds the request's Cookie header lines, as received.
	Cookie []string
	// HTTPS reports whether the client reached the site over HTTPS:
	// directly over TLS, or through a proxy the adapter trusts that says
	// so (Store.Request applies Options.TrustedProxies). Under SecureAuto
	// it sets the Secure attribute; a cookie that must be Secure in
	// answer to a request that is not HTTPS fails with ErrInsecureRequest.
	HTTPS bool
	// Host is the request's host (the Host header or the URL's): browsers
	// store Secure cookies from http://localhost, 127.0.0.1 and [::1], so
	// a cookie that must be Secure may go out over plain HTTP to them.
	Host string
	// Context is the request's context, passed to Options.OnEvent; nil
	// means context.Background().
	Context context.Context

	from *http.Request // what Store.Request read, to explain ErrInsecureRequest
}

// Request returns what the store needs of r: its Cookie lines, its host
// and context, and whether it arrived over HTTPS, directly or through a
// proxy listed in Options.TrustedProxies (docs/PROXIES.md), for
// Store.Open. It keeps r, so that ErrInsecureRequest can say exactly why
// r does not count as HTTPS.
func (s *Store[T]) Request(r *http.Request) Request {
	return requestOf(r, s.c.trust)
}

// requestOf returns the Request of r, trusting t's proxies.
func requestOf(r *http.Request, t *proxy.Trust) Request {
	host := r.Host
	if host == "" && r.URL != nil {
		host = r.URL.Host
	}
	return Request{Cookie: r.Header["Cookie"], HTTPS: t.HTTPS(connOf(r)), Host: host, Context: r.Context(), from: r}
}

// Get returns the request's session, opening the cookie on first use. Under
// the store's Middleware it returns the same session for the whole request
// and saves it before the response starts. Without the middleware it opens
// the cookie anew on each call: keep the session and call Session.Save.
//
// Under the middleware, the session belongs to the request the middleware
// received, not to r: any r whose context carries the middleware's (r
// itself, r.WithContext, r.Clone, or a request made anew with that
// context, such as (&http.Request{}).WithContext(ctx)) gets that same
// session, opened from the middleware's request's cookies; r's own cookies
// are not read. So no request can give a handler a second, empty session
// that the save would write over the client's. Store.FromContext does the
// same from the context alone.
//
// Get never fails: a missing or rejected cookie gives a new, empty session,
// and Session.Err tells why a cookie was rejected.
func (s *Store[T]) Get(r *http.Request) *Session[T] {
	if sess, ok := s.FromContext(r.Context()); ok {
		return sess
	}
	return s.Open(s.Request(r))
}

// FromContext returns the session of the request whose context ctx is, or
// derives from, under the store's Middleware: the same *Session as Get
// gives the handlers of that request, opened from its cookies on first
// use. It is for code that receives only a context, such as connect-go or
// huma handlers and templ components. Outside the middleware (a context
// that no request of this store's middleware carries, or nil) it returns
// nil and false: open the session with Get or Open instead.
func (s *Store[T]) FromContext(ctx context.Context) (*Session[T], bool) {
	if ctx == nil {
		return nil, false
	}
	sl, _ := ctx.Value(ctxKey{&s.c}).(*slot[T])
	if sl == nil {
		return nil, false
	}
	return sl.get(s), true
}

// Open opens the session that req's cookies hold, or starts a new one. It
// never fails: a missing or rejected cookie gives a new, empty session,
// Session.Err says why a cookie was rejected, and Options.OnEvent hears of
// it (EventRejected, EventExpired). Session.Commit then returns the lines
// to send. This is the request-independent core that Store.Get and the
// middleware use, for adapters to other server frameworks.
func (s *Store[T]) Open(req Request) *Session[T] {
	if s.plain == nil {
		sess := new(Session[T])
		s.openInto(sess, nil, req)
		return sess
	}
	both := new(sessionRoom[T]) // room for Data's copy, in the same allocation
	s.openInto(&both.s, &both.memo, req)
	return &both.s
}

// sessionRoom is a Session and the room for its memo (Data's copy, when
// T is plain), to be allocated as one.
type sessionRoom[T any] struct {
	s    Session[T]
	memo T
}

// openInto is Open, into sess, a zero Session (freshly allocated), with
// memo as the room for Data's copy when T is plain.
func (s *Store[T]) openInto(sess *Session[T], memo *T, req Request) {
	if req.Context == nil {
		req.Context = context.Background()
	}
	sess.store, sess.req = s, req // the rest stays zero: no copy of a whole Session
	if s.plain != nil {
		sess.memo = memo
	}
	h := &sess.held
	if err := s.read(&req, &sess.Data, h); err != nil {
		sess.err = err
		s.c.reportRejected(req.Context, err)
	}
	sess.want.flashes, sess.want.meta, sess.want.browserSession = h.flashes, h.meta, h.browserSession
	if s.c.revocations != nil && !h.meta.HasID && (h.legacy.idx == 0 || !s.c.legacy[h.legacy.idx-1].Transition()) {
		s.c.newID(&sess.want.meta) // sealed before revocation was on, legacy, or new
	}
}

// read sets h, zero, to what req's cookies hold, decoding the data into d;
// on error it returns why, and d and h are those of a new session (with
// the cookies present, for a save to expire them). Results go through
// pointers: held is large, and copies of it on the way from the cookie to
// the JSON decoder would deepen the request's stack past its size.
func (s *Store[T]) read(req *Request, d *T, h *held) error {
	in, err := readChunks(req.Cookie, s.c.name, s.c.limits)
	switch {
	case err != nil:
	case in.Chunks > 0:
		err = s.open(&in, d, h)
	default:
		err = s.openLegacy(req.Cookie, d, h)
	}
	if err != nil || h.data == nil {
		*d = s.newData()
		*h = held{browserSession: s.c.browserSession}
	}
	h.chunks, h.foreign = in.Present, in.Foreign
	if len(s.c.legacy) > 0 {
		h.cookie = req.Cookie
	}
	return err
}

// reportRejected reports why a request's cookie was refused: one event,
// EventExpired for its age, else EventRejected.
func (c *core) reportRejected(ctx context.Context, err error) {
	kind := EventRejected
	if errors.Is(err, ErrExpired) || errors.Is(err, ErrIdleTimeout) {
		kind = EventExpired
	}
	c.event(ctx, Event{Kind: kind, Err: err})
}

// unseal decodes and authenticates value, received in n chunks.
func (s *Store[T]) unseal(value string, n int) (format.Header, []byte, int, error) {
	raw, err := format.DecodeValue(value, format.HeaderSize+1+len(s.c.name))
	if err != nil {
		return format.Header{}, nil, 0, err
	}
	return s.c.codec.OpenRaw(s.c.name, n, raw)
}

// open authenticates in.Value, or else in.Whole, into h and decodes its
// data into d.
func (s *Store[T]) open(in *incoming, d *T, h *held) error {
	hdr, pt, keyIdx, err := s.unseal(in.Value, in.Chunks)
	switch {
	case err != nil && in.Whole != "":
		// Neither opens: the whole's error is the one every part explains.
		if hdr, pt, keyIdx, err = s.unseal(in.Whole, in.WholeChunks); err != nil {
			return err
		}
	case err != nil:
		return lost(in, err, s.c.name, s.c.limits)
	}
	if hdr.Meta {
		if h.meta, pt, err = format.ParseMeta(pt); err != nil {
			return err
		}
	}
	now := s.c.now()
	if err := s.c.checkTimes(&hdr, s.c.lifetime(h.meta.MaxAge), now); err != nil {
		return err
	}
	if err := s.c.checkRevoked(&h.meta, hdr.Created); err != nil {
		return err
	}
	dataJSON := pt
	if hdr.Flashes {
		if dataJSON, h.flashes, err = flash.Open(pt); err != nil {
			return fmt.Errorf("%w: %v", ErrDecode, err)
		}
	}
	if err := s.decodeData(dataJSON, d); err != nil {
		return err
	}
	if s.c.unmarshal == nil && jsonx.MayHaveHTMLEscapes(dataJSON) {
		// Perhaps sealed with HTML escapes: what a save would write now is
		// no change.
		if again, err := s.c.marshal(d); err == nil {
			dataJSON = again
		}
	}
	h.data, h.created, h.sealed, h.browserSession = dataJSON, hdr.Created, hdr.Sealed, hdr.BrowserSession
	if keyIdx > 0 || hdr.Suite != s.c.codec.Suite() {
		h.stale |= staleKey
	}
	if s.c.refresh > 0 && now.Sub(hdr.Sealed) >= s.c.refresh {
		h.stale |= staleRefresh
	}
	if s.c.revocations != nil && !h.meta.HasID {
		h.stale |= staleID
	}
	return nil
}

// checkRevoked asks the revocation list, if any, about an opened session;
// a store without one drops the identifier (it seals none).
func (c *core) checkRevoked(m *meta, created time.Time) error {
	if c.revocations == nil {
		m.HasID = false
		return nil
	}
	id := ""
	if m.HasID {
		id = m.ID.String()
	}
	if c.revocations.Revoked(id, m.Subject, created) {
		return fmt.Errorf("%w: by identifier, subject or a global cut-off (Options.Revocations)", ErrRevoked)
	}
	return nil
}

// checkTimes enforces the lifetimes on a value's header, maxAge being the
// session's absolute lifetime.
func (c *core) checkTimes(h *format.Header, maxAge time.Duration, now time.Time) error {
	future := now.Add(bounds.DefaultClockSkew)
	switch {
	case h.Created.After(future) || h.Sealed.After(future):
		return fmt.Errorf("%w: sealed at %s, now %s: check the servers' clocks", ErrFromFuture, h.Sealed.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case !now.Before(h.Created.Add(maxAge)):
		return fmt.Errorf("%w: created %s, past the %v lifetime", ErrExpired, h.Created.UTC().Format(time.RFC3339), maxAge)
	case c.idle > 0 && !now.Before(h.Sealed.Add(c.idle)):
		return fmt.Errorf("%w: last sealed %s, idle longer than %v", ErrIdleTimeout, h.Sealed.UTC().Format(time.RFC3339), c.idle)
	}
	return nil
}

// openLegacy tries the configured legacy formats, in order, on the Cookie
// lines, and decodes the first session found into d and h.
func (s *Store[T]) openLegacy(cookie []string, d *T, h *held) error {
	for i, f := range s.c.legacy {
		l, err := f.Load(cookie, s.c.now())
		if !l.Found {
			continue
		}
		if err != nil {
			return err
		}
		// A legacy cookie's creation is unknown: only a global cut-off
		// can refuse it (Revocations).
		if s.c.revocations != nil && s.c.revocations.Revoked("", "", time.Time{}) {
			return fmt.Errorf("%w: a legacy session presented after a global cut-off (Options.Revocations)", ErrRevoked)
		}
		if err := s.decodeData(l.Data, d); err != nil {
			return err
		}
		data, err := s.c.marshal(d)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrEncode, jsonx.Problem(err))
		}
		*h = held{data: data, created: s.c.now(), browserSession: s.c.browserSession, legacy: legacyRef{idx: i + 1, orig: l.Orig}}
		// Upgrade to the sealed format now; in a transition, re-sign
		// under the first key, as Express does, so that the old key can
		// be dropped without logging out users who only reach this
		// service.
		if !f.Transition() || l.Stale {
			h.stale |= staleLegacy
		}
		return nil
	}
	return nil
}
