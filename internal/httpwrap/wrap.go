// Package httpwrap gives a response writer that wraps another exactly the
// optional interfaces (http.Flusher, http.Hijacker, http.Pusher,
// io.ReaderFrom, http.CloseNotifier) of the writer it wraps, so that type
// assertions such as w.(http.Hijacker) answer as they would without it.
package httpwrap

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// Writer is a wrapping response writer: Unwrap returns the writer it
// wraps; FlushError, Hijack and ReadFrom are what its Flush, Hijack and
// ReadFrom do, offered only when the wrapped writer has them. Push and
// CloseNotify go to the wrapped writer.
type Writer interface {
	http.ResponseWriter
	Unwrap() http.ResponseWriter
	FlushError() error
	Hijack() (net.Conn, *bufio.ReadWriter, error)
	ReadFrom(src io.Reader) (int64, error)
}

// Wrap returns w with exactly the optional interfaces of the writer it
// wraps (see optional), so that type assertions such as w.(http.Hijacker)
// answer as they would without w.
func Wrap[W Writer](w W) http.ResponseWriter { return wrap(w, optional(w.Unwrap())) }

// The optional interfaces of the most common writers: net/http's
// HTTP/1.x and HTTP/2 ones, and httptest.ResponseRecorder's.
const (
	http1    = hasFlush | hasHijack | hasReadFrom | hasCloseNotify
	http2    = hasFlush | hasPush | hasCloseNotify
	recorder = hasFlush
)

// Room holds the wrapper of the most common writers (net/http's HTTP/1.x
// and HTTP/2 ones, httptest.ResponseRecorder), so that WrapIn can return
// it without an allocation of its own: a caller keeps a Room in memory it
// allocates anyway.
type Room[W Writer] struct {
	http1 struct {
		base[W]
		flusher[W]
		hijacker[W]
		readerFrom[W]
		closeNotifier[W]
	}
	http2 struct {
		base[W]
		flusher[W]
		pusher[W]
		closeNotifier[W]
	}
	recorder struct {
		base[W]
		flusher[W]
	}
}

// WrapIn is Wrap, keeping the wrapper in room when the wrapped writer has
// exactly the optional interfaces of one of the writers Room names; room
// must live as long as the wrapper.
func WrapIn[W Writer](w W, room *Room[W]) http.ResponseWriter {
	b, f, cn := base[W]{w}, flusher[W]{w}, closeNotifier[W]{w}
	switch bits := optional(w.Unwrap()); bits {
	case http1:
		r := &room.http1
		r.base, r.flusher, r.hijacker, r.readerFrom, r.closeNotifier = b, f, hijacker[W]{w}, readerFrom[W]{w}, cn
		return r
	case http2:
		r := &room.http2
		r.base, r.flusher, r.pusher, r.closeNotifier = b, f, pusher[W]{w}, cn
		return r
	case recorder:
		r := &room.recorder
		r.base, r.flusher = b, f
		return r
	default:
		return wrap(w, bits)
	}
}

// base exposes only w's http.ResponseWriter methods and Unwrap (for
// http.ResponseController); wrap (wrap_gen.go) adds the optional ones.
type base[W Writer] struct{ w W }

func (b base[W]) Header() http.Header         { return b.w.Header() }
func (b base[W]) Write(p []byte) (int, error) { return b.w.Write(p) }
func (b base[W]) WriteHeader(code int)        { b.w.WriteHeader(code) }

// Unwrap returns the wrapped writer, for http.ResponseController.
func (b base[W]) Unwrap() http.ResponseWriter { return b.w.Unwrap() }

// The optional interfaces, one small type each, combined by Wrap
// (wrap_gen.go).
//
//go:generate go run gen_wrap.go
type (
	flusher[W Writer]       struct{ w W }
	hijacker[W Writer]      struct{ w W }
	pusher[W Writer]        struct{ w W }
	readerFrom[W Writer]    struct{ w W }
	closeNotifier[W Writer] struct{ w W }
)

// Flush implements http.Flusher.
func (f flusher[W]) Flush() { _ = f.w.FlushError() }

// FlushError is Flush for http.ResponseController, reporting the error.
func (f flusher[W]) FlushError() error { return f.w.FlushError() }

// ReadFrom implements io.ReaderFrom.
func (rf readerFrom[W]) ReadFrom(src io.Reader) (int64, error) { return rf.w.ReadFrom(src) }

// Hijack implements http.Hijacker.
func (h hijacker[W]) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.w.Hijack() }

// Push implements http.Pusher; a push promise does not start the response.
func (p pusher[W]) Push(target string, opts *http.PushOptions) error {
	return p.w.Unwrap().(http.Pusher).Push(target, opts)
}

// CloseNotify implements the deprecated http.CloseNotifier, which some
// frameworks' writers still call.
func (c closeNotifier[W]) CloseNotify() <-chan bool {
	//lint:ignore SA1019 deliberate: passed through because the wrapped writer has it
	return c.w.Unwrap().(http.CloseNotifier).CloseNotify()
}

// Optional interfaces of a writer, as bits.
const (
	hasFlush = 1 << iota
	hasHijack
	hasPush
	hasReadFrom
	hasCloseNotify
)

// optional returns the optional interfaces rw offers: Flush and Hijack
// wherever http.ResponseController reaches them (rw, or what it unwraps
// to), the others only when rw has them itself.
func optional(rw http.ResponseWriter) int {
	bits := 0
	for u := rw; u != nil; {
		if _, ok := u.(http.Flusher); ok {
			bits |= hasFlush
		}
		if _, ok := u.(interface{ FlushError() error }); ok {
			bits |= hasFlush // http.ResponseController flushes through it
		}
		if _, ok := u.(http.Hijacker); ok {
			bits |= hasHijack
		}
		uw, ok := u.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		u = uw.Unwrap()
	}
	if _, ok := rw.(http.Pusher); ok {
		bits |= hasPush
	}
	if _, ok := rw.(io.ReaderFrom); ok {
		bits |= hasReadFrom
	}
	//lint:ignore SA1019 deliberate: detected to be passed through
	if _, ok := rw.(http.CloseNotifier); ok {
		bits |= hasCloseNotify
	}
	return bits
}
