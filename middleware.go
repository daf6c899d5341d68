package cookiesession

// The middleware: a per-request slot for the session, and a response
// writer that saves the session just before the response starts, reports
// what can no longer be saved, and exposes exactly the optional interfaces
// (http.Flusher, http.Hijacker, http.Pusher, io.ReaderFrom,
// http.CloseNotifier) of the writer it wraps.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/cookiesession/cookiesession/internal/httpwrap"
)

// errDiscarded is returned by the wrapped writer's Write and ReadFrom after
// the session could not be saved and the error handler answered instead.
var errDiscarded = errors.New("cookiesession: response discarded: the session could not be saved and the error handler answered")

// Middleware opens sessions lazily (on the first Store.Get or
// Store.FromContext) and writes the cookie just before the response
// starts: on the handler's first WriteHeader, Write, ReadFrom or Flush, or
// after it returns if it wrote nothing. If the session cannot be saved, Options.ErrorHandler answers
// instead and the handler's later writes are discarded; the headers that
// handlers outside the middleware set (Strict-Transport-Security, ...) are
// kept. A change made after the response started, or pending when the
// connection is hijacked, cannot reach the client: it is reported once,
// through Options.OnEvent (EventLostChange); so are the changes of a
// handler that panics (ErrPanicked), whose panic then goes on.
//
// Applied again inside itself (a global store.Middleware and a sub-route
// wrapped again), the inner one passes the request through: the outer one
// holds the request's session and saves it.
func (s *Store[T]) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, nested := r.Context().Value(ctxKey{&s.c}).(*slot[T]); nested {
			next.ServeHTTP(w, r)
			return
		}
		one := &struct { // one allocation for the five
			sl   slot[T]
			sw   responseWriter
			ctx  slotContext[T]
			room sessionRoom[T]
			wrap httpwrap.Room[*responseWriter]
		}{}
		sl, sw := &one.sl, &one.sw
		*sw = responseWriter{ResponseWriter: w, sess: sl, c: &s.c}
		if len(w.Header()) > 0 {
			sw.outer = w.Header().Clone()
		}
		sl.w, sl.room = sw, &one.room
		one.ctx = slotContext[T]{Context: r.Context(), key: ctxKey{&s.c}, sl: sl}
		r = r.WithContext(&one.ctx)
		sw.r, sl.r = r, r
		returned := false
		defer func() {
			if !returned { // a panic or runtime.Goexit, which goes on
				sw.reportUnsaved(true)
			}
		}()
		next.ServeHTTP(httpwrap.WrapIn(sw, &one.wrap), r)
		returned = true
		sw.finish()
	})
}

// ctxKey keys a request's session slot in its context; one per store.
type ctxKey struct{ c *core }

// slotContext is context.WithValue(parent, key, sl), without an
// allocation of its own: the middleware's request context.
type slotContext[T any] struct {
	context.Context
	key ctxKey
	sl  *slot[T]
}

// Value returns the slot for its key, and asks the parent for any other.
func (c *slotContext[T]) Value(key any) any {
	if k, ok := key.(ctxKey); ok && k == c.key {
		return c.sl
	}
	return c.Context.Value(key)
}

// slot holds one request's session for the middleware. Its mutex makes
// Store.Get and Store.FromContext safe from several goroutines of one
// handler.
type slot[T any] struct {
	mu      sync.Mutex
	session *Session[T]
	r       *http.Request // the request the middleware received: the session's
	w       *responseWriter
	room    *sessionRoom[T] // where the session is opened
}

// get returns the request's session, loading it on first use from the
// middleware's own request, whatever request or context led here.
func (sl *slot[T]) get(s *Store[T]) *Session[T] {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.session == nil {
		s.openInto(&sl.room.s, &sl.room.memo, s.Request(sl.r))
		sl.session = &sl.room.s
		sl.session.w = sl.w
	}
	return sl.session
}

// commit implements requestSession.
func (sl *slot[T]) commit(h http.Header) error {
	sl.mu.Lock()
	sess := sl.session
	sl.mu.Unlock()
	if sess == nil {
		return nil
	}
	if sess.told != nil {
		if dataJSON, _ := sess.marshal(); sess.toldOf(dataJSON) {
			return nil // the handler's own Save failed: its to answer
		}
	}
	u, err := sess.Commit()
	if err != nil {
		return err
	}
	u.Apply(h) // Vary: Cookie even without lines: the response was made with the session
	return nil
}

// reportLost implements requestSession.
func (sl *slot[T]) reportLost(ctx context.Context, hijacked, panicked bool, path string) {
	sl.mu.Lock()
	sess := sl.session
	sl.mu.Unlock()
	if sess != nil {
		_ = sess.reportLost(ctx, hijacked, panicked, path)
	}
}

// requestSession is the middleware's view of a request's session.
type requestSession interface {
	// commit adds the session's Set-Cookie lines, if any, to h.
	commit(h http.Header) error
	// reportLost reports the changes the client has not been sent, if
	// any (Session.ReportLostChange); after a panic, those in the
	// response's header too.
	reportLost(ctx context.Context, hijacked, panicked bool, path string)
}

// Response states of the wrapped writer.
const (
	statePending   = iota // nothing sent yet; the session may still change
	stateCommitted        // the session was saved; writes pass through
	stateFailed           // the error handler answered; writes are dropped
	stateHijacked         // the handler took over the connection
)

// responseWriter commits the session just before the response starts.
type responseWriter struct {
	http.ResponseWriter
	r     *http.Request
	c     *core
	sess  requestSession
	outer http.Header // the header as the middleware received it
	state int
}

// saveBeforeResponse commits the session if it has not been; it reports whether the
// handler's output may go out.
func (w *responseWriter) saveBeforeResponse() bool {
	if w.state == statePending {
		w.state = stateCommitted
		if err := w.sess.commit(w.Header()); err != nil {
			w.state = stateFailed
			w.restoreHeader()
			w.c.errorHandler(w.ResponseWriter, w.r, err)
		}
	}
	return w.state == stateCommitted
}

// restoreHeader drops what the handlers inside the middleware set, keeping
// the header as it was when the request reached the middleware.
func (w *responseWriter) restoreHeader() {
	h := w.Header()
	for k := range h {
		if _, ok := w.outer[k]; !ok {
			delete(h, k)
		}
	}
	for k, v := range w.outer {
		h[k] = v
	}
}

// finish runs after the handler returned: it commits if nothing was
// written, and otherwise reports a change the client was never sent.
func (w *responseWriter) finish() {
	switch w.state {
	case statePending:
		w.saveBeforeResponse()
	case stateCommitted, stateHijacked:
		w.reportUnsaved(false)
	}
}

// reportUnsaved reports, at most once per request, a session change that
// can no longer reach the client; panicked when the handler did not
// return. A failed save was the error handler's to answer.
func (w *responseWriter) reportUnsaved(panicked bool) {
	if w.state != stateFailed {
		w.sess.reportLost(w.r.Context(), w.state == stateHijacked, panicked, w.r.URL.Path)
	}
}

// WriteHeader commits the session, then sends the status, unless the
// session failed to save. Informational (1xx) statuses pass through
// without committing: the final header is still to come.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		if w.state == statePending || w.state == stateCommitted {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if w.saveBeforeResponse() {
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write commits the session, then writes p.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.saveBeforeResponse() {
		return 0, w.discarded()
	}
	return w.ResponseWriter.Write(p)
}

// discarded is the error of a write that cannot go out.
func (w *responseWriter) discarded() error {
	if w.state == stateHijacked {
		return http.ErrHijacked
	}
	return errDiscarded
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ReadFrom commits the session, then copies from src, keeping the
// underlying writer's sendfile path. httpwrap.WrapIn offers it only when
// the wrapped writer has it.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.saveBeforeResponse() {
		return 0, w.discarded()
	}
	return w.ResponseWriter.(io.ReaderFrom).ReadFrom(src)
}

// FlushError commits the session, then flushes. httpwrap.WrapIn offers it
// (and Flush) only when the wrapped writer can flush.
func (w *responseWriter) FlushError() error {
	if !w.saveBeforeResponse() {
		return w.discarded()
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection to the handler (offered by httpwrap.WrapIn
// only when the wrapped writer can hijack). A pending change cannot be
// sent any more (an upgrader such as gorilla/websocket writes its own
// response): it is reported, and nothing is ever written afterwards.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	switch w.state {
	case stateFailed:
		return nil, nil, errDiscarded
	case stateHijacked:
		return nil, nil, http.ErrHijacked
	}
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.state = stateHijacked
	w.reportUnsaved(false)
	return conn, rw, nil
}
