package cookiesession

// The session a handler holds: its accessors, and the save path that turns
// its changes into Set-Cookie lines (sealed, chunked, or in a legacy format
// during a transition).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
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
	}{{changedDestroy, "Destroy"}, {changedRenew, "Renew"}, {changedData, "Data"}, {changedFlashes, "flash messages"}, {changedPersistence, "SetBrowserSession"}} {
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
		parts := chunks.Split(c.name, strictBase64.EncodeToString(raw), n, c.limits.wire())
		for i, p := range parts {
			h.Add("Set-Cookie", a.line(chunks.Name(c.name, i+1), p))
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
			h.Add("Set-Cookie", a.expireLine(chunks.Name(c.name, i)))
		}
	}
	for _, name := range foreign {
		h.Add("Set-Cookie", a.expireLine(name))
	}
}
