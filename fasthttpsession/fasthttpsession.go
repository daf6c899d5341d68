// Package fasthttpsession runs cookiesession's sessions on fasthttp, and
// on frameworks built on it such as Fiber, with the guarantees of the
// net/http middleware: the session opens lazily, its Set-Cookie lines
// (chunks included) go out with the response, a failed save answers with
// an error instead of a response without the cookie, a change that can no
// longer reach the client is reported, and Secure follows the store's
// TrustedProxies and Secure rules.
//
// The adapter runs the store's own net/http middleware around the
// fasthttp handler, on a minimal *http.Request made from the RequestCtx
// (the connection's TLS state and remote address, the Host, Cookie,
// Forwarded and X-Forwarded-Proto headers), so every rule is the root
// package's, not a copy.
package fasthttpsession

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cookiesession/cookiesession"
	"github.com/valyala/fasthttp"
)

// Middleware returns a handler that runs next with the store's sessions
// available through Get, and saves the session after next returns, which
// is before fasthttp sends the response: its Set-Cookie lines are added as
// raw header lines (a handler's own Set-Cookie for the same name is
// replaced), with Vary: Cookie and Cache-Control private as Update.Apply
// sets them.
//
// A session that cannot be saved (ErrTooLarge, ErrInsecureRequest,
// ErrEncode) is answered by Options.ErrorHandler (nil: logged with slog,
// 500), called with a net/http writer whose status, header and body then
// replace the whole fasthttp response; if it writes no status, the answer
// is 500. The client's cookies are left as they were.
//
// A body set with SetBodyStreamWriter, and a hijack handler (Hijack), run
// after the response header is sent: a change they make to the session
// cannot reach the client, and is reported as the net/http middleware
// reports it, through Options.OnEvent (EventLostChange, a
// *LostChangeError; Hijacked for a hijacked connection), or logged with
// slog at level Error when OnEvent is nil. The report is made when fasthttp
// releases the request, once the stream or hijack handler ended, with
// context.Background(). fasthttp starts a stream writer as soon as
// SetBodyStreamWriter is called, while next still runs and before the
// save: a stream writer must not touch the session. With
// HijackSetNoResponse(true) no response goes out at all, a setting the
// middleware cannot see: the session it saved into that response is lost
// unreported. If next panics, its session changes are reported with
// ErrPanicked and the panic goes on.
//
// fasthttp's default Server.ReadBufferSize, 4,096 bytes, is too small for
// a request carrying a full session cookie: fasthttp answers 431 before
// any handler runs. Set it to 16 KiB.
//
// Applied again inside itself with the same store, the inner one passes
// the request through.
func Middleware[T any](s *cookiesession.Store[T], next fasthttp.RequestHandler) fasthttp.RequestHandler {
	mw := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// r's context ends in the RequestCtx, whose Value reads its user values.
		st := r.Context().Value(ctxKey[T]{s}).(*state[T])
		st.r = r // carries the middleware's session slot
		next(st.ctx)
		st.commit(w)
	}))
	return func(ctx *fasthttp.RequestCtx) {
		key := ctxKey[T]{s}
		if ctx.UserValue(key) != nil {
			next(ctx)
			return
		}
		st := &state[T]{s: s, ctx: ctx}
		ctx.SetUserValue(key, st)
		// The request's fields are filled in by the first Get: a request
		// that does not use the session does not pay for them.
		mw.ServeHTTP(&st.w, (&http.Request{}).WithContext(ctx))
		st.finish()
	}
}

// Get returns the request's session. Under Middleware it opens the cookie
// on first use and returns the same session for the whole request, which
// the middleware saves; it may be called from several goroutines of the
// handler, which must synchronize their use of the session. Outside it, Get opens the cookie anew on each
// call, as Store.Get does without the net/http middleware, and nothing
// saves it: call Session.Commit and add its lines to the response
// yourself.
func Get[T any](s *cookiesession.Store[T], ctx *fasthttp.RequestCtx) *cookiesession.Session[T] {
	st, ok := ctx.UserValue(ctxKey[T]{s}).(*state[T])
	if !ok || st.r == nil {
		r := &http.Request{}
		fill(r, ctx)
		return s.Open(s.Request(r.WithContext(ctx)))
	}
	if sess := st.sess.Load(); sess != nil {
		return sess
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if sess := st.sess.Load(); sess != nil {
		return sess // another goroutine of the handler opened it
	}
	fill(st.r, ctx)
	sess := s.Get(st.r)
	st.sess.Store(sess)
	return sess
}

// ctxKey keys a request's state among the RequestCtx's user values; one
// per store.
type ctxKey[T any] struct{ s *cookiesession.Store[T] }

// fill sets what the store reads of a request on r, from ctx: the Cookie,
// Forwarded and X-Forwarded-Proto lines, the Host, the peer's address and
// the TLS state (Store.Request applies the TrustedProxies and Secure rules
// to them), and for log lines the method and path.
func fill(r *http.Request, ctx *fasthttp.RequestCtx) {
	h := make(http.Header, 3)
	for _, k := range [...]string{"Cookie", "Forwarded", "X-Forwarded-Proto"} {
		for _, v := range ctx.Request.Header.PeekAll(k) {
			h[k] = append(h[k], string(v))
		}
	}
	r.Method, r.URL, r.Host, r.Header = string(ctx.Method()), &url.URL{Path: string(ctx.Path())}, string(ctx.Host()), h
	r.RemoteAddr, r.TLS = ctx.RemoteAddr().String(), ctx.TLSConnectionState()
}

// state is one request's passage through Middleware. fasthttp closes it
// (io.Closer) when it releases the request.
type state[T any] struct {
	s    *cookiesession.Store[T]
	ctx  *fasthttp.RequestCtx
	r    *http.Request // the net/http middleware's request
	w    writer
	mu   sync.Mutex                               // held by Get while it opens the session
	sess atomic.Pointer[cookiesession.Session[T]] // what Get returned, if it was called

	// after the response: a stream writer or hijack handler still to run
	late     bool
	hijacked bool
	path     string
}

// commit saves the session into the response, through the net/http
// middleware's writer w, after next returned. It runs inside the
// middleware, so that a failed save is answered by its error handler.
func (st *state[T]) commit(w http.ResponseWriter) {
	if st.sess.Load() == nil {
		return // no session: nothing to save
	}
	st.w.h = make(http.Header, 3) // w.Header() from now on
	h := w.Header()
	resp := &st.ctx.Response.Header
	for _, k := range [...]string{"Vary", "Cache-Control"} {
		for _, v := range resp.PeekAll(k) {
			h[k] = append(h[k], string(v))
		}
	}
	if _, err := w.Write(nil); err != nil { // the first write commits
		st.w.failed = true
		return
	}
	for _, k := range [...]string{"Vary", "Cache-Control"} {
		if vs, ok := h[k]; ok {
			resp.Del(k)
			for _, v := range vs {
				resp.Add(k, v)
			}
		}
	}
	lines := h["Set-Cookie"]
	for _, l := range lines {
		if i := strings.IndexByte(l, '='); i > 0 {
			resp.DelCookie(l[:i]) // a handler's cookie of the same name
		}
	}
	for _, l := range lines {
		resp.Add("Set-Cookie", l) // raw lines: fasthttp keeps each one
	}
}

// finish runs after the middleware returned: it answers a failed save, or
// marks a session that a stream writer or hijack handler may still change.
func (st *state[T]) finish() {
	if st.w.failed {
		st.answerError()
		return
	}
	if st.sess.Load() != nil && (st.ctx.IsBodyStream() || st.ctx.Hijacked()) {
		st.late, st.hijacked, st.path = true, st.ctx.Hijacked(), st.r.URL.Path
	}
}

// answerError replaces the response with the error handler's answer.
func (st *state[T]) answerError() {
	resp := &st.ctx.Response
	resp.Reset()
	code := st.w.status
	if code == 0 {
		code = http.StatusInternalServerError
	}
	resp.SetStatusCode(code)
	for k, vs := range st.w.h {
		for _, v := range vs {
			resp.Header.Add(k, v)
		}
	}
	resp.SetBody(st.w.body)
}

// Close is called by fasthttp when it releases the request, after the
// response, its stream writer and its hijack handler: it reports a change
// they made that never reached the client.
func (st *state[T]) Close() error {
	if st.late {
		st.late = false
		reportLate(st.s, st.sess.Load(), st.hijacked, st.path)
	}
	return nil
}

// reportLate reports sess's changes that the response did not carry,
// exactly as the net/http middleware reports a change made after the
// response started (or, hijacked, after a hijack): it runs that middleware
// on a request of its own, starts the response, and then gives the
// middleware's session sess's state, so that the middleware finds the
// changes and reports them through Options.OnEvent or slog.
func reportLate[T any](s *cookiesession.Store[T], sess *cookiesession.Session[T], hijacked bool, path string) {
	r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}, Header: http.Header{}}
	s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		late := s.Get(r) // a new, empty session: no cookie
		if hijacked {
			_, _, _ = http.NewResponseController(w).Hijack()
		} else {
			_, _ = w.Write(nil)
		}
		*late = *sess
	})).ServeHTTP(&hijackWriter{writer{h: http.Header{}}}, r)
}

// writer is the net/http writer the middleware writes to: it records the
// header (into which the session's lines are applied) and, after a failed
// save, the error handler's answer.
type writer struct {
	h      http.Header
	status int
	body   []byte
	failed bool
}

// Header implements http.ResponseWriter.
func (w *writer) Header() http.Header { return w.h }

// WriteHeader implements http.ResponseWriter.
func (w *writer) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// Write implements http.ResponseWriter.
func (w *writer) Write(p []byte) (int, error) {
	w.body = append(w.body, p...)
	return len(p), nil
}

// hijackWriter is a writer that can be hijacked, to report a change lost
// to a hijack.
type hijackWriter struct{ writer }

// Hijack implements http.Hijacker; there is no connection behind it.
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) { return nil, nil, nil }
