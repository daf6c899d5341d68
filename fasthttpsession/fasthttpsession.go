// Package fasthttpsession runs cookiesession's sessions on fasthttp, and
// on frameworks built on it such as Fiber, with the guarantees of the
// net/http middleware: the session opens lazily, its Set-Cookie lines
// (chunks included) go out with the response, a failed save answers with
// an error instead of a response without the cookie, a change that can no
// longer reach the client is reported, and Secure follows the store's
// TrustedProxies and Secure rules.
//
// The adapter is a user of the store's request-independent core: it opens
// the session with Store.Open, saves it with Session.Commit, writes the
// Update's lines into the fasthttp response, and reports what the response
// could not carry with Session.ReportLostChange. Whether a request is
// HTTPS is decided by Store.Request on a minimal *http.Request made from
// the RequestCtx, so the proxy rules are the root package's, not a copy.
package fasthttpsession

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"

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
// ErrEncode) is logged with slog at level Error, and the whole response,
// the handler's headers included, is replaced by a 500 with a fixed plain
// text body that never carries the error; a pending Hijack is cancelled.
// The client's cookies are left as they were. Options.ErrorHandler, typed
// for net/http, is not called.
//
// A body set with SetBodyStreamWriter, and a hijack handler (Hijack), run
// after the response header is sent: a change they make to the session
// cannot reach the client, and is reported by Session.ReportLostChange
// (ErrAlreadyWritten, or ErrHijacked), through Options.OnEvent
// (EventLostChange) or slog, with context.Background(), when fasthttp
// releases the request, once the stream or hijack handler ended. fasthttp
// starts a stream writer as soon as SetBodyStreamWriter is called, while
// next still runs and before the save: a stream writer must not touch the
// session. With HijackSetNoResponse(true) no response goes out at all, a
// setting the middleware cannot see: the session it saved into that
// response is lost unreported. If next panics, its session changes are
// reported with ErrPanicked and the panic goes on.
//
// fasthttp's default Server.ReadBufferSize, 4,096 bytes, is too small for
// a request carrying a full session cookie: fasthttp answers 431 before
// any handler runs. Set it to 16 KiB.
//
// Applied again inside itself with the same store, the inner one passes
// the request through.
func Middleware[T any](s *cookiesession.Store[T], next fasthttp.RequestHandler) fasthttp.RequestHandler {
	key := ctxKey[T]{s}
	return func(ctx *fasthttp.RequestCtx) {
		if ctx.UserValue(key) != nil {
			next(ctx)
			return
		}
		st := &state[T]{}
		ctx.SetUserValue(key, st) // fasthttp calls st.Close when it releases ctx
		returned := false
		defer func() {
			if !returned { // a panic or runtime.Goexit, which goes on
				if sess := st.session(); sess != nil {
					_ = sess.ReportLostChange(ctx, cookiesession.ErrPanicked)
				}
			}
		}()
		next(ctx)
		returned = true
		st.save(ctx)
	}
}

// Get returns the request's session. Under Middleware it opens the cookie
// on first use and returns the same session for the whole request, which
// the middleware saves; it may be called from several goroutines of the
// handler, which must synchronize their use of the session. Outside it,
// Get opens the cookie anew on each call, as Store.Get does without the
// net/http middleware, and nothing saves it: call Session.Commit and add
// its lines to the response yourself.
func Get[T any](s *cookiesession.Store[T], ctx *fasthttp.RequestCtx) *cookiesession.Session[T] {
	st, ok := ctx.UserValue(ctxKey[T]{s}).(*state[T])
	if !ok {
		return s.Open(request(s, ctx))
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.sess == nil {
		st.sess = s.Open(request(s, ctx))
	}
	return st.sess
}

// ctxKey keys a request's state among the RequestCtx's user values; one
// per store.
type ctxKey[T any] struct{ s *cookiesession.Store[T] }

// request returns the store's Request for ctx: Store.Request on a
// minimal *http.Request holding what it reads (the Cookie, Forwarded and
// X-Forwarded-Proto lines, the Host, the peer's address, the TLS state),
// so that its TrustedProxies and Secure rules decide HTTPS; ctx is the
// Request's context.
func request[T any](s *cookiesession.Store[T], ctx *fasthttp.RequestCtx) cookiesession.Request {
	h := make(http.Header, 3)
	for _, k := range [...]string{"Cookie", "Forwarded", "X-Forwarded-Proto"} {
		for _, v := range ctx.Request.Header.PeekAll(k) {
			h[k] = append(h[k], string(v))
		}
	}
	req := s.Request(&http.Request{Host: string(ctx.Host()), Header: h, RemoteAddr: ctx.RemoteAddr().String(), TLS: ctx.TLSConnectionState()})
	req.Context = ctx // not through r.WithContext: a second *http.Request
	return req
}

// state is one request's session slot. fasthttp closes it (io.Closer)
// when it releases the request.
type state[T any] struct {
	mu   sync.Mutex
	sess *cookiesession.Session[T] // what Get returned, if it was called
	late error                     // ErrAlreadyWritten or ErrHijacked: a change may still come
}

// session returns the request's session, or nil if Get was not called.
func (st *state[T]) session() *cookiesession.Session[T] {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sess
}

// save commits the session into ctx's response after next returned, or
// answers the error; a streamed body or a hijack handler still to run is
// noted for Close.
func (st *state[T]) save(ctx *fasthttp.RequestCtx) {
	sess := st.session()
	if sess == nil {
		return // no session: nothing to save
	}
	u, err := sess.Commit()
	if err != nil {
		answerError(ctx, err)
		return
	}
	writeUpdate(&ctx.Response.Header, u)
	var late error
	switch {
	case ctx.Hijacked():
		late = cookiesession.ErrHijacked
	case ctx.IsBodyStream():
		late = cookiesession.ErrAlreadyWritten
	default:
		return
	}
	st.mu.Lock()
	st.late = late
	st.mu.Unlock()
}

// Close is called by fasthttp when it releases the request, after the
// response, its stream writer and its hijack handler: it reports a change
// they made that never reached the client.
func (st *state[T]) Close() error {
	st.mu.Lock()
	sess, late := st.sess, st.late
	st.late = nil
	st.mu.Unlock()
	if late != nil {
		_ = sess.ReportLostChange(context.Background(), late)
	}
	return nil
}

// writeUpdate adds u to the response header resp: Update.Apply runs on an
// http.Header holding resp's Vary and Cache-Control, which then replace
// resp's, so the values are the root package's; the Set-Cookie lines go
// in raw, one header line each, replacing the handler's cookies of the
// same names.
func writeUpdate(resp *fasthttp.ResponseHeader, u cookiesession.Update) {
	h := make(http.Header, 3)
	for _, k := range [...]string{"Vary", "Cache-Control"} {
		for _, v := range resp.PeekAll(k) {
			h[k] = append(h[k], string(v))
		}
	}
	u.Apply(h)
	for _, k := range [...]string{"Vary", "Cache-Control"} {
		if vs, ok := h[k]; ok {
			resp.Del(k)
			for _, v := range vs {
				resp.Add(k, v)
			}
		}
	}
	for _, l := range u.SetCookie {
		if i := strings.IndexByte(l, '='); i > 0 {
			resp.DelCookie(l[:i])
		}
	}
	for _, l := range u.SetCookie {
		resp.Add("Set-Cookie", l) // kept raw, as its own line
	}
}

// errorBody is the body of the answer to a session that cannot be saved,
// the net/http middleware's default answer; never the error's text.
const errorBody = "Internal Server Error: the session could not be saved\n"

// answerError logs err, as the net/http middleware's default ErrorHandler
// does, and replaces the response with a 500 that sets no cookie; a
// pending hijack, which would follow that answer, is cancelled.
func answerError(ctx *fasthttp.RequestCtx, err error) {
	slog.ErrorContext(ctx, "cookiesession: session not saved", "err", err, "path", string(ctx.Path()))
	ctx.Hijack(nil)
	ctx.Response.Reset()
	ctx.Response.SetStatusCode(fasthttp.StatusInternalServerError)
	ctx.Response.Header.SetContentType("text/plain; charset=utf-8")
	ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
	ctx.Response.SetBodyString(errorBody)
}
