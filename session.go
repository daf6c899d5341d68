package cookiesession

// The session a handler holds: its accessors, and the save path that turns
// its changes into Set-Cookie lines (sealed, chunked, or in a legacy format
// during a transition).

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/chunks"
)

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

	store      *Store[T]
	r          *http.Request
	w          *responseWriter // nil without the middleware
	present    presence        // chunk cookies the request carried
	foreign    []string        // malformed chunk names the request carried
	legacyIdx  int             // 1 + index of the legacy format loaded from, or 0
	legacyOrig any             // that format's own values, for a faithful write-back
	err        error

	opened         []byte // data JSON as opened or last saved; nil if new
	flashes        []string
	created        time.Time
	sealed         time.Time
	isNew          bool
	browserSession bool

	failed *failedSave // what an explicit Save failed to write
	told   bool        // an explicit Save returned ErrAlreadyWritten

	meta meta // lifetime, identifier, subject

	changed   change // what the methods changed since the last save
	wrote     change // what this request's saves wrote
	reseal    bool   // rotation, refresh, legacy upgrade or a missing identifier
	rotated   bool   // sealed under an older key or the other cipher
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
	changedLifetime
	changedSubject
)

// String names the changes, for reports that must not carry the data.
func (c change) String() string {
	var parts []string
	for _, n := range [...]struct {
		c    change
		name string
	}{{changedDestroy, "Destroy"}, {changedRenew, "Renew"}, {changedData, "Data"}, {changedFlashes, "flash messages"}, {changedPersistence, "SetBrowserSession"}, {changedLifetime, "SetMaxAge"}, {changedSubject, "SetSubject"}} {
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
	if sealed.IsZero() { // loaded from a legacy cookie, not sealed yet
		sealed = created
	}
	return s.expiry(created, sealed)
}

// ID returns the session's random identifier (128 bits, base64url), sealed
// encrypted in its value: what Revocations revokes a session by. It is kept
// across saves and replaced by Renew and Destroy. Without
// Options.Revocations sessions carry none, and ID returns "".
func (s *Session[T]) ID() string {
	if !s.meta.hasID {
		return ""
	}
	return s.meta.id.String()
}

// Subject returns what SetSubject bound the session to, or "".
func (s *Session[T]) Subject() string { return s.meta.subject }

// SetSubject binds the session to a subject, such as a user id, sealed
// encrypted in its value, so that Revocations can refuse every session of
// that subject at once ("log out all my devices"). It is kept by Renew and
// cleared by Destroy; "" unbinds. A subject longer than MaxSubjectBytes,
// or not UTF-8, makes the save fail with ErrEncode.
func (s *Session[T]) SetSubject(subject string) {
	if s.meta.subject != subject {
		s.meta.subject = subject
		s.changed |= changedSubject
	}
}

// SetMaxAge gives this session its own absolute lifetime, d from its
// creation (or its last Renew), enforced on the server and sealed in its
// value: "remember me for 30 days". Renew keeps it; Destroy drops it; zero
// returns to Options.MaxAge. d is counted in whole seconds and must lie
// between 1 s and Options.MaxAgeCeiling; otherwise SetMaxAge returns an
// error matching ErrInvalidOptions and changes nothing.
func (s *Session[T]) SetMaxAge(d time.Duration) error {
	c := &s.store.c
	if d != 0 && (d < time.Second || d > c.ceiling) {
		return optionsError("SetMaxAge(%v) out of range: use 1s..%v (Options.MaxAgeCeiling), or 0 for MaxAge", d, c.ceiling)
	}
	if d = d.Truncate(time.Second); s.meta.maxAge != d {
		s.meta.maxAge = d
		s.changed |= changedLifetime
	}
	return nil
}

// Destroy ends the session: the response expires its cookies, and Data is
// reset. Using the session again after Destroy starts a new one.
func (s *Session[T]) Destroy() {
	s.destroyed = true
	s.Data = s.store.newData()
	s.flashes, s.opened, s.isNew = nil, nil, true
	s.created, s.sealed = time.Time{}, time.Time{}
	s.meta = meta{}
	s.store.c.newID(&s.meta)
}

// Renew gives the session a fresh creation time (so a fresh absolute
// lifetime), a new identifier and a new cookie value, keeping Data, its
// subject and its own lifetime (SetMaxAge). Call it after a privilege
// change such as login, so a value seen before cannot stand for the new
// privileges any longer than its own lifetime.
func (s *Session[T]) Renew() {
	s.created = time.Time{}
	s.changed |= changedRenew
	s.store.c.newID(&s.meta)
}

// Changed reports whether the session changed in this request, whether or
// not it was saved yet: its data, or through Destroy, Renew, flashes,
// SetBrowserSession, SetMaxAge or SetSubject. A re-seal the store does on
// its own (key rotation, refresh) is not a change. Like cookie-session's
// isChanged; it encodes Data to compare.
func (s *Session[T]) Changed() bool {
	if s.wrote != 0 {
		return true
	}
	dataJSON, err := s.store.c.marshal(&s.Data)
	return err != nil || s.pending(dataJSON) != 0
}

// Populated reports whether the session holds anything: data other than a
// new session's, or flash messages. Like cookie-session's isPopulated; it
// encodes Data to compare.
func (s *Session[T]) Populated() bool {
	if len(s.flashes) > 0 {
		return true
	}
	dataJSON, err := s.store.c.marshal(&s.Data)
	return err != nil || !bytes.Equal(dataJSON, s.store.zeroJSON)
}

// SetBrowserSession chooses, for this session, between a browser-session
// cookie, without Max-Age, that the browser drops when it closes (true:
// "remember me" unchecked), and a persistent one (false). The default is
// Options.BrowserSession. The server enforces MaxAge either way.
func (s *Session[T]) SetBrowserSession(on bool) {
	if s.browserSession != on {
		s.browserSession = on
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
		s.failed = s.snapshot(dataJSON)
	}
	return err
}

// failedSave is the state of a session whose explicit Save failed: the
// middleware leaves such a session to the handler while it stays so.
type failedSave struct {
	data    []byte // nil when Data did not even encode
	changed change
	flashes []string
	meta    meta
}

// snapshot records the session's state, with Data encoded as dataJSON.
func (s *Session[T]) snapshot(dataJSON []byte) *failedSave {
	return &failedSave{data: dataJSON, changed: s.changed, flashes: slices.Clone(s.flashes), meta: s.meta}
}

// handled reports whether the session is as an explicit Save that failed
// left it (dataJSON nil: Data does not encode), so that the middleware
// does not answer or report the same failure again.
func (s *Session[T]) handled(dataJSON []byte) bool {
	f := s.failed
	return f != nil && bytes.Equal(dataJSON, f.data) && (dataJSON == nil) == (f.data == nil) &&
		f.changed == s.changed && slices.Equal(f.flashes, s.flashes) && f.meta == s.meta
}

// commit is the middleware's save: like Save, but a session whose explicit
// Save failed, and which has not changed since, was the handler's to
// answer and is skipped.
func (s *Session[T]) commit(h http.Header) error {
	dataJSON, err := s.marshal()
	if s.handled(dataJSON) {
		return nil
	}
	if err != nil {
		return err
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
	if s.handled(dataJSON) {
		return nil
	}
	if err != nil {
		return &LostChangeError{What: changedData.String(), Err: err}
	}
	if c := s.pending(dataJSON); c != 0 {
		return &LostChangeError{What: c.String()}
	}
	return nil
}

// marshal encodes Data.
func (s *Session[T]) marshal() ([]byte, error) {
	dataJSON, err := s.store.c.marshal(&s.Data) // as Unmarshal: pointer methods apply
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrEncode, jsonProblem(err))
	}
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
		if err := s.writeLegacy(h, f, dataJSON, now); err != nil {
			return err
		}
		s.events(c, nil, false)
		s.wrote |= c
		s.isNew, s.destroyed, s.created, s.failed = false, false, created, nil
		return nil
	}
	n, warn, err := s.seal(h, dataJSON, created, now)
	if err != nil {
		return err
	}
	s.events(c, warn, s.legacyIdx > 0)
	s.opened, s.created, s.sealed, s.isNew, s.failed = dataJSON, created, now, false, nil
	s.wrote |= c
	s.changed, s.reseal, s.rotated, s.legacyIdx, s.destroyed = 0, false, false, 0, false
	s.foreign, s.present = nil, presence{}
	for i := 1; i <= n; i++ {
		s.present.set(i)
	}
	return nil
}

// expire adds the lines that delete every cookie of a destroyed session.
func (s *Session[T]) expire(h http.Header) error {
	c := &s.store.c
	a, err := c.attrs(s.r, false, 0, time.Time{})
	if err != nil {
		return err
	}
	dropOwnLines(h, c.name)
	c.expireAll(h, s.present, s.foreign, 1, a)
	s.expireLegacy(h, a)
	keepFromSharedCaches(h)
	s.wrote |= changedDestroy
	s.destroyed, s.present, s.foreign, s.changed, s.failed = false, presence{}, nil, 0, nil
	c.event(s.r, Event{Kind: EventDestroyed})
	return nil
}

// seal adds the lines that store dataJSON (and the flashes and metadata)
// in the sealed format, replacing and deleting every other cookie of the
// session, and returns the number of chunks and a size warning, if due.
func (s *Session[T]) seal(h http.Header, dataJSON []byte, created, now time.Time) (int, *Event, error) {
	c := &s.store.c
	hdr := Header{Created: created, Sealed: now, BrowserSession: s.browserSession, Flashes: len(s.flashes) > 0, Meta: !s.meta.empty()}
	pt, err := sealEnvelope(&s.meta, dataJSON, s.flashes)
	if err != nil {
		return 0, nil, err
	}
	valueLen := c.codec.cipher.SealedLen(len(pt))
	n, err := planChunks(c.name, valueLen, c.limits)
	if err != nil {
		return 0, nil, err
	}
	hdr.Chunks = n
	maxAge := int(s.expiry(created, now).Sub(now) / time.Second)
	a, err := c.attrs(s.r, !s.browserSession, maxAge, now)
	if err != nil {
		return 0, nil, err
	}
	raw, err := c.codec.seal(c.name, hdr, pt)
	if err != nil {
		return 0, nil, err
	}
	dropOwnLines(h, c.name)
	if n == 1 {
		h.Add("Set-Cookie", a.lineRaw(c.name, raw))
	} else {
		parts := chunks.Split(c.name, strictBase64.EncodeToString(raw), n, c.limits.wire())
		for i, p := range parts {
			h.Add("Set-Cookie", a.line(chunks.Name(c.name, i+1), p))
		}
	}
	c.expireAll(h, s.present, s.foreign, n+1, a)
	s.expireLegacy(h, a)
	keepFromSharedCaches(h)
	return n, c.sizeWarningFor(valueLen, n), nil
}

// expiry is when a session created at created and sealed at sealed ends:
// its lifetime after creation, or earlier by the idle timeout.
func (s *Session[T]) expiry(created, sealed time.Time) time.Time {
	end := created.Add(s.store.c.lifetime(s.meta.maxAge))
	if idle := s.store.c.idle; idle > 0 && sealed.Add(idle).Before(end) {
		end = sealed.Add(idle)
	}
	return end
}

// writeLegacy saves in a legacy format during a transition.
func (s *Session[T]) writeLegacy(h http.Header, f legacyFormat, dataJSON []byte, now time.Time) error {
	c := &s.store.c
	a, err := c.attrs(s.r, !s.browserSession, int(s.expiry(now, now).Sub(now)/time.Second), now)
	if err != nil {
		return err
	}
	if err := f.write(h, s.r, dataJSON, s.legacyOrig, &a); err != nil {
		return err
	}
	keepFromSharedCaches(h)
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
			h.Add("Set-Cookie", a.expireLine(chunks.Name(c.name, i)))
		}
	}
	for _, name := range foreign {
		h.Add("Set-Cookie", a.expireLine(name))
	}
}
