package cookiesession

import (
	"errors"
	"io"
	"net/http"
)

// errDiscarded is returned by the wrapped writer's Write and ReadFrom after
// the session could not be saved and the error handler answered instead.
var errDiscarded = errors.New("cookiesession: response discarded: the session could not be saved and the error handler answered")

// committer saves a request's session into the response header.
type committer interface {
	save(h http.Header) error
}

// Response states of the wrapped writer.
const (
	statePending   = iota // nothing sent yet; the session may still change
	stateCommitted        // the session was saved; writes pass through
	stateFailed           // the error handler answered; writes are dropped
)

// responseWriter commits the session just before the response starts.
type responseWriter struct {
	http.ResponseWriter
	r            *http.Request
	commit       committer
	errorHandler func(http.ResponseWriter, *http.Request, error)
	state        int
}

// before commits the session if it has not been; it reports whether the
// handler's output may go out.
func (w *responseWriter) before() bool {
	if w.state == statePending {
		w.state = stateCommitted
		if err := w.commit.save(w.Header()); err != nil {
			w.state = stateFailed
			h := w.Header()
			for k := range h {
				delete(h, k) // the handler's headers described another response
			}
			w.errorHandler(w.ResponseWriter, w.r, err)
		}
	}
	return w.state == stateCommitted
}

// finish commits after the handler returned, if it wrote nothing.
func (w *responseWriter) finish() { w.before() }

// WriteHeader commits the session, then sends the status, unless the
// session failed to save. Informational (1xx) statuses pass through
// without committing: the final header is still to come.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		if w.state != stateFailed {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if w.before() {
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write commits the session, then writes p.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.before() {
		return 0, errDiscarded
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom commits the session, then copies from src, keeping the
// underlying writer's sendfile path when it has one.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.before() {
		return 0, errDiscarded
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w.ResponseWriter}, src)
}

// writerOnly hides every method but Write, so io.Copy cannot recurse.
type writerOnly struct{ io.Writer }

// Flush commits the session, then flushes.
func (w *responseWriter) Flush() {
	if w.before() {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// FlushError is Flush for http.ResponseController, reporting the error.
func (w *responseWriter) FlushError() error {
	if !w.before() {
		return errDiscarded
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
