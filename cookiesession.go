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
	"net/http"
	"reflect"
	"time"
)

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
	zero, err := s.c.marshal(&zeroData)
	if err != nil {
		return nil, optionsError("the session data type %v does not encode as JSON: %v", reflect.TypeFor[T](), err)
	}
	s.zeroJSON = zero
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
	sess.isNew, sess.opened, sess.flashes, sess.meta = true, nil, nil, meta{}
	sess.legacyIdx, sess.legacyOrig = 0, nil
	sess.reseal, sess.rotated, sess.created, sess.sealed = false, false, time.Time{}, time.Time{}
	s.c.newID(&sess.meta)
	if err != nil {
		sess.err = err
		s.c.reportRejected(r, err)
	}
	return sess
}

// reportRejected reports why a request's cookie was refused: one event,
// EventExpired for its age, else EventRejected.
func (c *core) reportRejected(r *http.Request, err error) {
	kind := EventRejected
	if errors.Is(err, ErrExpired) || errors.Is(err, ErrIdleTimeout) {
		kind = EventExpired
	}
	c.event(r, Event{Kind: kind, Err: err})
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
	if h.Meta {
		if sess.meta, pt, err = parseMeta(pt); err != nil {
			return err
		}
	}
	if err := s.c.checkTimes(&h, s.c.lifetime(sess.meta.maxAge), now); err != nil {
		return err
	}
	if err := s.c.checkRevoked(&sess.meta, h.Created); err != nil {
		return err
	}
	dataJSON := pt
	if h.Flashes {
		if dataJSON, sess.flashes, err = openEnvelope(pt); err != nil {
			return err
		}
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
	sess.rotated = keyIdx > 0 || h.Cipher != s.c.codec.cipher
	sess.reseal = sess.rotated || (s.c.refresh > 0 && now.Sub(h.Sealed) >= s.c.refresh)
	if s.c.revocations != nil && !sess.meta.hasID {
		s.c.newID(&sess.meta) // sealed before revocation was on
		sess.reseal = true
	}
	return nil
}

// checkRevoked asks the revocation list, if any, about an opened session;
// a store without one drops the identifier (it seals none).
func (c *core) checkRevoked(m *meta, created time.Time) error {
	if c.revocations == nil {
		m.hasID = false
		return nil
	}
	id := ""
	if m.hasID {
		id = m.id.String()
	}
	if c.revocations.Revoked(id, m.subject, created) {
		return fmt.Errorf("%w: by identifier, subject or a global cut-off (Options.Revocations)", ErrRevoked)
	}
	return nil
}

// checkTimes enforces the lifetimes on a value's header, maxAge being the
// session's absolute lifetime.
func (c *core) checkTimes(h *Header, maxAge time.Duration, now time.Time) error {
	future := now.Add(c.skew)
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

// loadLegacy tries the configured legacy formats, in order.
func (s *Store[T]) loadLegacy(sess *Session[T]) error {
	for i, f := range s.c.legacy {
		l, err := f.load(sess.r)
		if !l.found {
			continue
		}
		if err != nil {
			return err
		}
		data, stale := l.data, l.stale
		// A legacy cookie's creation is unknown: only a global cut-off
		// can refuse it (Revocations).
		if s.c.revocations != nil && s.c.revocations.Revoked("", "", time.Time{}) {
			return fmt.Errorf("%w: a legacy session presented after a global cut-off (Options.Revocations)", ErrRevoked)
		}
		var d T
		if err := s.decodeData(data, &d); err != nil {
			return err
		}
		opened, err := s.c.marshal(&d)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrEncode, jsonProblem(err))
		}
		sess.Data, sess.isNew, sess.opened = d, false, opened
		sess.created = s.c.now()
		sess.legacyIdx, sess.legacyOrig = i+1, l.orig
		if !f.transition() {
			sess.reseal = true // upgrade to the sealed format now
			s.c.newID(&sess.meta)
			return nil
		}
		// Re-sign under the first key, as Express does, so that the old
		// key can be dropped without logging out users who only reach
		// this service. The legacy formats hold no identifier.
		sess.reseal = stale
		return nil
	}
	return nil
}
