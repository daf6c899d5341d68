// Package gorillastore is a gorilla/sessions Store that keeps each session
// in cookiesession's sealed cookies: encrypted and authenticated, bound to
// its name, its lifetime enforced on the server, split across several
// cookies when large, and refused loudly when too large for them. Code
// written for gorilla/sessions, and the libraries that take a
// sessions.Store (gin-contrib/sessions, echo-contrib's session), switch by
// changing the constructor:
//
//	store, err := gorillastore.New(cookiesession.Options{Keys: keys})
//	...
//	session, _ := store.Get(r, "session-name")
//	session.Values["user"] = "ada"
//	err = session.Save(r, w)
//
// Session values are encoded as JSON, not gob: string keys, and values that
// JSON gives back as themselves (see Store.Save). Numbers come back as
// json.Number; session.Options may lengthen or shorten a session's life but
// not change its cookie's attributes (see Store.Save). README.md lists what
// else differs from gorilla's CookieStore.
package gorillastore

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/gorilla/sessions"
)

// MaxNames is how many distinct session names a Store serves. Each name
// has a cookiesession store of its own; the bound keeps a name taken from
// a request from growing the Store without end.
const MaxNames = 64

// Store is a gorilla/sessions Store of sealed cookie sessions. It is safe
// for concurrent use. Create it with New.
type Store struct {
	opts    cookiesession.Options
	primary string // the name New checked the options with

	mu    sync.Mutex // serializes creating a name's store
	names sync.Map   // name → *cookiesession.Store[cookiesession.Map]
	count int        // names stored, under mu
}

var _ sessions.Store = (*Store)(nil)

// New checks opts as cookiesession.New does, with opts.Name (or
// "session", cookiesession's default) as the cookie name, and returns a Store. Every
// configuration error matches cookiesession.ErrInvalidOptions.
//
// Each session name given to Get or New is the name of its cookie, as with
// gorilla's CookieStore, and gets a cookiesession store of its own on first
// use: opts with that Name, checked the same way (a name the options do not
// allow, such as an invalid token, or a "__Host-" name with a Domain, fails
// Get with the error). opts.Legacy applies to opts.Name only, so that an
// old cookie is taken over by one session, not by every name.
func New(opts cookiesession.Options) (*Store, error) {
	s := &Store{opts: opts, primary: opts.Name}
	if s.primary == "" {
		s.primary = bounds.DefaultName
	}
	if _, err := s.store(s.primary); err != nil {
		return nil, err
	}
	return s, nil
}

// store returns the cookiesession store of the session name, creating it
// on first use.
func (s *Store) store(name string) (*cookiesession.Store[cookiesession.Map], error) {
	if st, ok := s.names.Load(name); ok {
		return st.(*cookiesession.Store[cookiesession.Map]), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.names.Load(name); ok {
		return st.(*cookiesession.Store[cookiesession.Map]), nil
	}
	if s.count >= MaxNames {
		return nil, fmt.Errorf("%w: session %q would be the %dth name of this Store, beyond MaxNames (%d): use fixed session names, not names taken from requests", ErrTooManyNames, name, s.count+1, MaxNames)
	}
	o := s.opts
	o.Name = name
	if name != s.primary {
		o.Legacy = nil
	}
	st, err := cookiesession.New[cookiesession.Map](o)
	if err != nil {
		return nil, fmt.Errorf("session %q: %w", name, err)
	}
	s.names.Store(name, st)
	s.count++
	return st, nil
}

// Get returns the session of that name for r, loaded once per request
// through gorilla's registry (sessions.GetRegistry), as CookieStore.Get
// does: a second Get of the name in the same request returns the same
// *sessions.Session, and sessions.Save(r, w) saves them all.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session of that name from r's cookies, or starts a new
// one (IsNew) when r carries none, or one that does not open: expired,
// altered, sealed under an unknown key, revoked. Unlike CookieStore.New,
// such a cookie is no error: the session is new, as if there had been
// none, and Options.OnEvent hears why (EventRejected, EventExpired). The
// error reports a name the options do not allow, or ErrTooManyNames;
// the session returned with it is new and cannot be saved.
//
// session.Values holds the session's data (cookiesession.Map's values:
// numbers as json.Number, arrays as []any, objects as map[string]any);
// session.Options the cookie's attributes as this store writes them in
// answer to r, its MaxAge the session's lifetime in seconds (0 for a
// browser-session cookie); session.ID the session's identifier when
// Options.Revocations is set, else "".
//
// New keeps the loaded session in r's context for Save, replacing *r with a
// copy that carries it, as sessions.GetRegistry does: Save must be given r,
// or a request made from r after New.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	gs := sessions.NewSession(s, name)
	gs.IsNew = true
	st, err := s.store(name)
	if err != nil {
		return gs, err
	}
	req := st.Request(r)
	cs := st.Open(req)
	fromMap(cs.Data, gs.Values)
	gs.IsNew, gs.ID = cs.IsNew(), cs.ID()
	o := s.cookieOptions(name, cs, req.HTTPS)
	gs.Options = &o
	pending(r).put(gs, cs)
	return gs, nil
}

// Save writes the session's cookies into w's header: its Set-Cookie lines,
// when anything changed, and Vary: Cookie. Like gorilla's stores, it cannot
// know whether w has already sent its header: a Save after the response
// started adds lines that never reach the client, and returns nil. Save
// before writing the body.
//
// session.Values must have string keys, and values that JSON gives back as
// themselves: nil, bool, string (UTF-8: JSON has no other strings), []any
// and map[string]any of such values, and numbers (Go's integer and float
// types, json.Number), which come back in later requests as json.Number,
// whatever their Go type was, so read them with cookiesession.Map's Int
// and Float (or json.Number's Int64) rather than a type assertion to int. Anything else (a non-string key, a
// struct, time.Time, []string, a named type, a func, a string of binary
// bytes) fails with a *ValueError naming the key; nothing is written.
//
// session.Options.MaxAge above 0 gives the session that lifetime in
// seconds (Session.SetMaxAge: at most Options.MaxAgeCeiling); 0 makes the
// cookie a browser-session cookie, its lifetime unchanged; below 0 deletes
// the session (Session.Destroy), whatever the other fields say. Otherwise
// the other attributes are the store's, and session.Options must agree
// with them: see ErrOptions. Save also fails with cookiesession's errors:
// ErrTooLarge (a *TooLargeError), ErrInsecureRequest, ErrEncode; then too
// nothing is written and the client keeps its cookies.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, gs *sessions.Session) error {
	st, err := s.store(gs.Name())
	if err != nil {
		return err
	}
	req := st.Request(r)
	cs, err := s.loaded(st, req, r, gs)
	if err != nil {
		return err
	}
	var data cookiesession.Map
	if gs.Options == nil || gs.Options.MaxAge >= 0 {
		if data, err = toMap(gs.Values); err != nil {
			return fmt.Errorf("session %q: %w", gs.Name(), err)
		}
	}
	if err := s.applyOptions(cs, gs, req.HTTPS); err != nil {
		return err
	}
	if gs.Options.MaxAge >= 0 {
		cs.Data = data
	}
	u, err := cs.Commit()
	if err != nil {
		return fmt.Errorf("session %q: %w", gs.Name(), err)
	}
	u.Apply(w.Header())
	gs.ID = cs.ID()
	return nil
}

// loaded returns the cookiesession session New loaded for gs, or, for a
// request r that does not carry it, the session r's cookies (req) open now,
// which r then carries for a later Save.
func (s *Store) loaded(st *cookiesession.Store[cookiesession.Map], req cookiesession.Request, r *http.Request, gs *sessions.Session) (*cookiesession.Session[cookiesession.Map], error) {
	if cs := lookup(r, gs); cs != nil {
		return cs, nil
	}
	cs := st.Open(req)
	if !gs.IsNew && cs.IsNew() && (gs.Options == nil || gs.Options.MaxAge >= 0) {
		why := "r carries no such cookie: pass Save the request given to Get or New"
		if cs.Err() != nil {
			why = cs.Err().Error()
		}
		return nil, fmt.Errorf("%w: session %q: %s", ErrSessionGone, gs.Name(), why)
	}
	pending(r).put(gs, cs)
	return cs, nil
}

// reqKey is the context key of a request's loaded sessions.
type reqKey struct{}

// loadedSessions maps the sessions New returned for a request to the
// cookiesession sessions behind them.
type loadedSessions struct {
	mu sync.Mutex
	m  map[*sessions.Session]*cookiesession.Session[cookiesession.Map]
}

// pending returns r's loaded sessions, adding an empty set to r's context
// first if it has none.
func pending(r *http.Request) *loadedSessions {
	if l, ok := r.Context().Value(reqKey{}).(*loadedSessions); ok {
		return l
	}
	l := &loadedSessions{m: map[*sessions.Session]*cookiesession.Session[cookiesession.Map]{}}
	*r = *r.WithContext(context.WithValue(r.Context(), reqKey{}, l))
	return l
}

func (l *loadedSessions) put(gs *sessions.Session, cs *cookiesession.Session[cookiesession.Map]) {
	l.mu.Lock()
	l.m[gs] = cs
	l.mu.Unlock()
}

// lookup returns the session New loaded for gs in r, or nil.
func lookup(r *http.Request, gs *sessions.Session) *cookiesession.Session[cookiesession.Map] {
	l, ok := r.Context().Value(reqKey{}).(*loadedSessions)
	if !ok {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m[gs]
}
