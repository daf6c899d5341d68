package cookiesession

// The session a handler holds: what the client's cookies hold, what the
// handler wants, and the accessors that change the latter. commit.go turns
// the difference into Set-Cookie lines.

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/cookiesession/cookiesession/internal/jsonx"
	"github.com/cookiesession/cookiesession/internal/mapjson"
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
	// Data is the session's data, encoded as JSON in the cookie. Its strings
	// (values, fields, map keys, at any depth) must be valid UTF-8: JSON
	// would give invalid bytes back as U+FFFD, so saving fails with
	// ErrEncode naming where such a string is (Data.Items[2].Name); keep
	// bytes as []byte. What MarshalJSON and MarshalText methods write is
	// theirs, and not checked.
	Data T

	store *Store[T]
	req   Request
	err   error  // why the request's cookie was refused
	noted bool   // ReportLostChange reported a lost change: it reports once
	held  held   // what the client's cookies hold
	want  wanted // what the handler wants besides Data
	wrote change // the changes this request's commits sent
	told  *told  // the state an explicit Save last returned an error for
	w     *responseWriter

	// Data as marshal last encoded it, and that encoding (nil: none); memo
	// is nil unless the store's T is plain (internal/plainvalue).
	memo     *T
	memoJSON []byte
}

// held is what the client's cookies hold, as the request carried them or
// as the last commit wrote them. Open and apply are its only writers.
type held struct {
	data           []byte // data JSON; nil when the client holds no session
	flashes        flashSet
	created        time.Time
	sealed         time.Time // zero for a legacy cookie
	meta           meta
	browserSession bool

	chunks  presence // chunk cookies present, for expiring them
	foreign []string // malformed chunk names present, for expiring them
	cookie  []string // the Cookie lines, for expiring legacy cookies; nil once expired
	legacy  legacyRef
	stale   stale // re-seals the store chose
}

// legacyRef is the legacy cookie a session was read from.
type legacyRef struct {
	idx  int // 1 + index of the format in core.legacy; 0: none
	orig any // that format's own values, for a faithful write-back
}

// stale is a set of reasons the store has to re-seal a session on its own:
// none of them is a change the handler made.
type stale uint8

const (
	staleKey     stale = 1 << iota // sealed under an older key or the other cipher
	staleRefresh                   // sealed a quarter of IdleTimeout ago or more
	staleID                        // sealed without the identifier Revocations needs
	staleLegacy                    // a legacy cookie to upgrade, or to re-sign under the first key
)

// wanted is what the handler asked for, besides Data.
type wanted struct {
	flashes        flashSet
	meta           meta
	browserSession bool
	destroy        bool // expire the client's cookies (Destroy)
	renew          bool // a fresh creation time and identifier (Renew)
}

// equal reports whether w and o ask for the same.
func (w *wanted) equal(o *wanted) bool {
	return w.meta == o.meta && w.browserSession == o.browserSession && w.destroy == o.destroy &&
		w.renew == o.renew && w.flashes.Equal(&o.flashes)
}

// told is a session's state when an explicit Save returned an error
// (ErrTooLarge, ErrEncode, ErrAlreadyWritten, ...): as long as the session
// stays so, it is the handler's to answer, and the middleware neither
// answers nor reports it again.
type told struct {
	data []byte // nil when Data did not encode
	want wanted
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

// IsNew reports whether the request carried no valid session, or the
// handler destroyed it: the session was created for this request.
func (s *Session[T]) IsNew() bool { return s.held.data == nil || s.want.destroy }

// Err returns why the request's session cookie was rejected (ErrExpired,
// ErrAuthentication, ...), or nil if there was none or it opened.
func (s *Session[T]) Err() error { return s.err }

// Created returns when the session began, or the zero time if it is new or
// renewed and not yet saved.
func (s *Session[T]) Created() time.Time {
	if s.IsNew() || s.want.renew {
		return time.Time{}
	}
	return s.held.created
}

// ExpiresAt returns when the server stops accepting the session as it now
// stands: the end of its absolute lifetime, or earlier by the idle timeout.
func (s *Session[T]) ExpiresAt() time.Time {
	created, sealed := s.Created(), s.held.sealed
	if created.IsZero() {
		created = s.store.c.now()
		sealed = created
	}
	if sealed.IsZero() { // loaded from a legacy cookie, not sealed yet
		sealed = created
	}
	return s.store.c.expiry(s.want.meta.MaxAge, created, sealed)
}

// Deadline returns the absolute end of the session's life: its creation
// plus its lifetime (its own, from SetMaxAge, else Options.MaxAge), past
// which the server refuses it whatever the idle timeout. For a session that
// is new, destroyed or renewed and not yet saved, it is the deadline a save
// now would seal: now plus that lifetime. Pass it to
// memrevoke.List.RevokeSession, which must refuse the session until then;
// not ExpiresAt, which an idle timeout makes earlier, while a copy of the
// cookie used elsewhere since has idled out later.
//
// It reflects the lifetime the session now has: a copy of the cookie sealed
// before a SetMaxAge that shortened it keeps its longer one, up to
// Options.MaxAgeCeiling.
func (s *Session[T]) Deadline() time.Time {
	created := s.Created()
	if created.IsZero() {
		created = s.store.c.now()
	}
	return created.Add(s.store.c.lifetime(s.want.meta.MaxAge))
}

// ID returns the session's random identifier (128 bits, base64url), sealed
// encrypted in its value: what Revocations revokes a session by. It is kept
// across saves and replaced by Renew and Destroy. Without
// Options.Revocations sessions carry none, and ID returns "". A session
// sealed before Revocations was turned on gets one when it is next saved;
// while that save is skipped as too large (EventResealSkipped), its cookie
// carries none, and ID names one it does not carry.
func (s *Session[T]) ID() string {
	if !s.want.meta.HasID {
		return ""
	}
	return s.want.meta.ID.String()
}

// Subject returns what SetSubject bound the session to, or "".
func (s *Session[T]) Subject() string { return s.want.meta.Subject }

// SetSubject binds the session to a subject, such as a user id, sealed
// encrypted in its value, so that Revocations can refuse every session of
// that subject at once ("log out all my devices"). It is kept by Renew and
// cleared by Destroy; "" unbinds. A subject longer than 255 bytes,
// or not UTF-8, makes the save fail with ErrEncode.
func (s *Session[T]) SetSubject(subject string) { s.want.meta.Subject = subject }

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
	s.want.meta.MaxAge = d.Truncate(time.Second)
	return nil
}

// Destroy ends the session: the response expires its cookies, and Data is
// reset. Using the session again after Destroy starts a new one.
func (s *Session[T]) Destroy() {
	s.Data = s.store.newData()
	s.want = wanted{browserSession: s.want.browserSession, destroy: true}
	s.store.c.newID(&s.want.meta)
}

// Renew gives the session a fresh creation time (so a fresh absolute
// lifetime), a new identifier and a new cookie value, keeping Data, its
// subject and its own lifetime (SetMaxAge). Call it after a privilege
// change such as login, so a value seen before cannot stand for the new
// privileges any longer than its own lifetime.
func (s *Session[T]) Renew() {
	s.want.renew = true
	s.store.c.newID(&s.want.meta)
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
	dataJSON, err := s.marshal()
	return err != nil || s.store.c.changes(&s.held, &s.want, dataJSON) != 0
}

// Populated reports whether the session holds anything: data other than a
// new session's, or flash messages. Like cookie-session's isPopulated; it
// encodes Data to compare.
func (s *Session[T]) Populated() bool {
	if !s.want.flashes.Empty() {
		return true
	}
	dataJSON, err := s.marshal()
	return err != nil || !bytes.Equal(dataJSON, s.store.c.zeroJSON)
}

// BrowserSession reports whether the session's cookie is to be a
// browser-session cookie, without Max-Age: SetBrowserSession's choice, or
// else the cookie's, or else Options.BrowserSession's. An adapter that
// exposes a cookie's Max-Age (package gorillastore) reads it.
func (s *Session[T]) BrowserSession() bool { return s.want.browserSession }

// SetBrowserSession chooses, for this session, between a browser-session
// cookie, without Max-Age, that the browser drops when it closes (true:
// "remember me" unchecked), and a persistent one (false). The default is
// Options.BrowserSession. The server enforces MaxAge either way.
func (s *Session[T]) SetBrowserSession(on bool) { s.want.browserSession = on }

// AddFlash queues a message to be read once, by Flashes, on a later
// request: AddFlashTo("", msg).
func (s *Session[T]) AddFlash(msg string) { s.want.flashes.Add("", msg) }

// Flashes returns the queued flash messages of the default category and
// removes them from the session: FlashesOf("").
func (s *Session[T]) Flashes() []string { return s.want.flashes.Take("") }

// AddFlashTo queues a message in a category ("error", "info"; "" is the
// default category of AddFlash and Flashes), to be read once, by
// FlashesOf, on a later request. A category is any valid UTF-8 of at most
// 255 bytes; the session takes any other too, and Save
// (or the middleware's commit) then refuses it with ErrEncode, so that it
// is never dropped in silence.
func (s *Session[T]) AddFlashTo(category, message string) { s.want.flashes.Add(category, message) }

// FlashesOf returns the queued flash messages of one category, in the
// order they were added, or nil, and removes them from the session; the
// other categories stay.
func (s *Session[T]) FlashesOf(category string) []string { return s.want.flashes.Take(category) }

// Save writes the session's Set-Cookie headers to w now, and returns why it
// cannot: ErrTooLarge, ErrInsecureRequest, ErrEncode (also for flash
// messages in a legacy format's transition mode, which has no place for
// them), or ErrAlreadyWritten when the middleware has already sent the
// response header. On error nothing is added to w, so the client keeps its
// previous cookies. Under the middleware Save is optional; it lets a
// handler handle the error itself: the middleware saves, answers for or
// reports (EventLostChange) only the changes made after the error.
// Nothing is written when nothing changed.
//
// Without the middleware, Save cannot know whether w has already sent its
// header: a Save after the handler's first Write, WriteHeader or Flush adds
// Set-Cookie lines that never reach the client, and returns nil. Call Save
// before writing the response.
func (s *Session[T]) Save(w http.ResponseWriter) error {
	var u Update
	err := ErrAlreadyWritten
	if s.w == nil || s.w.state == statePending {
		u, err = s.Commit()
	}
	if err != nil {
		// The handler has the error: the middleware will not answer or
		// report the same unchanged session again.
		dataJSON, _ := s.marshal()
		s.told = &told{data: dataJSON, want: s.want}
		return err
	}
	if len(u.SetCookie) > 0 {
		u.Apply(w.Header())
	}
	return nil
}

// toldOf reports whether the handler was told an error for the session as
// it now stands, Data encoded as dataJSON (nil: it does not encode).
func (s *Session[T]) toldOf(dataJSON []byte) bool {
	t := s.told
	return t != nil && bytes.Equal(dataJSON, t.data) && (dataJSON == nil) == (t.data == nil) && t.want.equal(&s.want)
}

// lost returns a *LostChangeError naming the changes the client was not
// sent, or nil: for the middleware, once the response has started, or
// after a panic, when the changes this request's commits sent count too
// (in a response that may never go out). Those an explicit Save's error
// told the handler about do not.
func (s *Session[T]) lost(panicked bool) *LostChangeError {
	var c change
	if panicked {
		c = s.wrote
	}
	dataJSON, err := s.marshal()
	switch {
	case s.toldOf(dataJSON):
	case err != nil:
		return &LostChangeError{What: (c | changedData).String(), Err: err}
	default:
		c |= s.store.c.changes(&s.held, &s.want, dataJSON)
	}
	if c == 0 {
		return nil
	}
	return &LostChangeError{What: c.String()}
}

// marshal encodes Data. A nil map is the empty one: {}, never null. The
// result is read only, never appended to: when the store's T is plain and
// Data has the same bytes as when it was last encoded, it is that encoding
// again (the middleware's check for late changes, after a commit, costs a
// compare).
func (s *Session[T]) marshal() ([]byte, error) {
	if s.store.isMap && reflect.ValueOf(&s.Data).Elem().IsNil() {
		return s.store.c.zeroJSON, nil
	}
	plain := s.store.plain
	if s.memo != nil && s.memoJSON != nil && plain.Equal(unsafe.Pointer(&s.Data), unsafe.Pointer(s.memo)) {
		return s.memoJSON, nil
	}
	dataJSON, err := s.store.c.marshalData(&s.Data, s.held.data) // as Unmarshal: pointer methods apply
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrEncode, jsonx.Problem(err))
	}
	if err := checkUTF8(dataJSON, &s.Data); err != nil {
		return nil, err
	}
	if s.memo != nil {
		*s.memo, s.memoJSON = s.Data, dataJSON
	}
	return dataJSON, nil
}

// marshalData encodes a session's data, *v, as c.marshal does. Without
// Options.JSON, the data of a Map or map[string]any session goes through
// mapjson, which writes the same bytes as jsonx.Marshal without reflection
// (taking the order of the keys from prev, the data JSON the client holds,
// when they are the same keys), that of a flat struct through structjson,
// likewise, and whatever those refuse through c.marshal, for
// encoding/json's own result or error.
func (c *core) marshalData(v any, prev []byte) ([]byte, error) {
	if p := mapPointer(v); p != nil && c.unmarshal == nil {
		if b, err := mapjson.MarshalAfter(*p, prev); err == nil {
			return b, nil
		}
	}
	if sj := c.structJSON; sj != nil {
		d := reflect.ValueOf(v).Elem()
		if b, ok := sj.Append(make([]byte, 0, sj.Size(d)), d); ok {
			return b, nil
		}
	}
	return c.marshal(v)
}
