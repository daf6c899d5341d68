package cookiesession

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
)

// TestLateChangesReported checks that a change made after the response
// started is reported once, naming what was lost and never the data.
func TestLateChangesReported(t *testing.T) {
	const secret = "s3cret-value"
	cases := map[string]struct {
		change func(*Session[cart])
		want   string
	}{
		"data":       {func(s *Session[cart]) { s.Data.User = secret }, "Data"},
		"destroy":    {func(s *Session[cart]) { s.Destroy() }, "Destroy"},
		"renew":      {func(s *Session[cart]) { s.Renew() }, "Renew"},
		"flash":      {func(s *Session[cart]) { s.AddFlash(secret) }, "flash messages"},
		"persistent": {func(s *Session[cart]) { s.SetBrowserSession(true) }, "SetBrowserSession"},
	}
	starts := map[string]func(w http.ResponseWriter){
		"write":       func(w http.ResponseWriter) { io.WriteString(w, "body") },
		"flush":       func(w http.ResponseWriter) { w.(http.Flusher).Flush() },
		"writeheader": func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) },
	}
	for name, c := range cases {
		for startName, start := range starts {
			t.Run(name+"/"+startName, func(t *testing.T) {
				var lost lostRecorder
				s := newStore[cart](t, Options{OnEvent: onLost(lost.report)})
				j := jar{}
				j.do(t, counter(s)) // an existing session
				h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					sess := s.Get(r)
					start(w)
					c.change(sess)
					c.change(sess) // twice: still one report
				}))
				rec := j.do(t, h)
				if len(rec.Header()["Set-Cookie"]) != 0 {
					t.Fatalf("late change set a cookie after the response started: %q", rec.Header()["Set-Cookie"])
				}
				if len(lost.errs) != 1 {
					t.Fatalf("%d reports, want 1: %v", len(lost.errs), lost.errs)
				}
				err := lost.errs[0]
				var lc *LostChangeError
				if !errors.Is(err, ErrAlreadyWritten) || !errors.As(err, &lc) || !strings.Contains(lc.What, c.want) {
					t.Fatalf("report %v, want ErrAlreadyWritten naming %q", err, c.want)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("report reveals session data: %v", err)
				}
			})
		}
	}
}

// TestLateChangeNotReportedWhenSaved checks the cases that lose nothing:
// changes before the response, reads after it, and a late explicit Save
// whose ErrAlreadyWritten the handler received.
func TestLateChangeNotReportedWhenSaved(t *testing.T) {
	var lost lostRecorder
	s := newStore[cart](t, Options{OnEvent: onLost(lost.report)})
	j := jar{}
	handlers := map[string]http.HandlerFunc{
		"before": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N++
			io.WriteString(w, "ok")
		},
		"read after": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "ok")
			_ = s.Get(r).Data.N
		},
		"equal after": func(w http.ResponseWriter, r *http.Request) {
			sess := s.Get(r)
			io.WriteString(w, "ok")
			sess.Data.N += 0
		},
		"told by Save": func(w http.ResponseWriter, r *http.Request) {
			sess := s.Get(r)
			io.WriteString(w, "ok")
			sess.Data.N++
			if err := sess.Save(w); !errors.Is(err, ErrAlreadyWritten) {
				t.Errorf("late Save = %v, want ErrAlreadyWritten", err)
			}
		},
	}
	for name, h := range handlers {
		j.do(t, s.Middleware(h))
		if len(lost.errs) != 0 {
			t.Fatalf("%s: reported %v", name, lost.errs)
		}
	}
}

// TestLateChangeFirstGetAfterStart covers a session first opened after the
// response started: its changes cannot be sent either.
func TestLateChangeFirstGetAfterStart(t *testing.T) {
	var lost lostRecorder
	s := newStore[cart](t, Options{OnEvent: onLost(lost.report)})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "body")
		s.Get(r).Data.N = 7
	}))
	if rec := (jar{}).do(t, h); len(rec.Header()["Set-Cookie"]) != 0 || len(lost.errs) != 1 {
		t.Fatalf("Set-Cookie %q, reports %v", rec.Header()["Set-Cookie"], lost.errs)
	}
}

// TestLateChangeLoggedWithoutHook checks the default report: slog's default
// logger at level Error, without the data.
func TestLateChangeLoggedWithoutHook(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	s := newStore[cart](t, Options{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		io.WriteString(w, "body")
		sess.Data.User = "topsecret"
	}))
	(jar{}).do(t, h)
	out := buf.String()
	if strings.Count(out, "level=ERROR") != 1 || !strings.Contains(out, "session change lost (Data)") || strings.Contains(out, "topsecret") {
		t.Fatalf("log: %s", out)
	}
}

// writerInterfaces lists the optional interfaces w has.
func writerInterfaces(w http.ResponseWriter) []string {
	var got []string
	if _, ok := w.(http.Flusher); ok {
		got = append(got, "Flusher")
	}
	if _, ok := w.(http.Hijacker); ok {
		got = append(got, "Hijacker")
	}
	if _, ok := w.(http.Pusher); ok {
		got = append(got, "Pusher")
	}
	if _, ok := w.(io.ReaderFrom); ok {
		got = append(got, "ReaderFrom")
	}
	//lint:ignore SA1019 deliberate: checked as frameworks do
	if _, ok := w.(http.CloseNotifier); ok {
		got = append(got, "CloseNotifier")
	}
	return got
}

// bareWriter has none of the optional interfaces.
type bareWriter struct{ h http.Header }

func (b *bareWriter) Header() http.Header         { return b.h }
func (b *bareWriter) Write(p []byte) (int, error) { return len(p), nil }
func (b *bareWriter) WriteHeader(int)             {}

// TestWrapperInterfaces checks that the middleware's writer has exactly the
// optional interfaces of the writer it wraps: net/http's over HTTP/1.1 and
// HTTP/2, httptest's recorder, and a bare writer.
func TestWrapperInterfaces(t *testing.T) {
	s := newStore[cart](t, Options{})
	check := func(t *testing.T, w http.ResponseWriter, r *http.Request) {
		var inner []string
		s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inner = writerInterfaces(w)
		})).ServeHTTP(w, r)
		if outer := writerInterfaces(w); strings.Join(inner, ",") != strings.Join(outer, ",") {
			t.Fatalf("through the middleware %v, without %v", inner, outer)
		}
	}
	t.Run("recorder", func(t *testing.T) { check(t, httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)) })
	t.Run("bare", func(t *testing.T) { check(t, &bareWriter{h: http.Header{}}, httptest.NewRequest("GET", "/", nil)) })
	for _, h2 := range []bool{false, true} {
		name := map[bool]string{false: "http1", true: "http2"}[h2]
		t.Run(name, func(t *testing.T) {
			done := make(chan struct{})
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(done)
				check(t, w, r)
			}))
			srv.EnableHTTP2 = h2
			srv.StartTLS()
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			<-done
			if h2 && resp.ProtoMajor != 2 {
				t.Fatalf("proto %s", resp.Proto)
			}
		})
	}
}

// TestHijack checks a hijack through the middleware: the handler gets the
// connection, a change pending at the hijack is reported as ErrHijacked,
// a change saved before it is not, and nothing is written to the
// connection by the middleware or its error handler.
func TestHijack(t *testing.T) {
	for _, saveFirst := range []bool{false, true} {
		t.Run(map[bool]string{false: "pending", true: "saved"}[saveFirst], func(t *testing.T) {
			var lost lostRecorder
			var logBuf bytes.Buffer
			s := newStore[cart](t, Options{OnEvent: onLost(lost.report),
				ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) { t.Errorf("error handler called: %v", err) }})
			var saved http.Header
			done := make(chan struct{})
			mw := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sess := s.Get(r)
				sess.Data.N = 3
				if saveFirst {
					if err := sess.Save(w); err != nil {
						t.Error(err)
					}
					saved = w.Header().Clone()
				}
				conn, brw, err := w.(http.Hijacker).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				defer conn.Close()
				sess.Data.Items = []string{strings.Repeat("x", 5000)} // too large, after the hijack
				brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
				brw.Flush()
			}))
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(done)
				mw.ServeHTTP(w, r)
			}))
			srv.Config.ErrorLog = log.New(&logBuf, "", 0)
			srv.Start()
			defer srv.Close()
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			<-done // the middleware has finished
			if string(body) != "hi" || len(resp.Header["Set-Cookie"]) != 0 {
				t.Fatalf("response %q %v", body, resp.Header)
			}
			if strings.Contains(logBuf.String(), "hijacked") {
				t.Fatalf("server log: %s", logBuf.String())
			}
			if saveFirst && len(saved["Set-Cookie"]) != 1 {
				t.Fatalf("Save before the hijack added %q", saved["Set-Cookie"])
			}
			if len(lost.errs) != 1 || !errors.Is(lost.errs[0], ErrHijacked) {
				t.Fatalf("reports %v, want one ErrHijacked", lost.errs)
			}
			var lc *LostChangeError
			errors.As(lost.errs[0], &lc)
			if lc.What != "Data" {
				t.Fatalf("What = %q", lc.What)
			}
		})
	}
}

// TestFailedSaveKeepsOuterHeaders checks that the error answer keeps what
// middleware outside the store set, and drops what the handler set.
func TestFailedSaveKeepsOuterHeaders(t *testing.T) {
	s := newStore[cart](t, Options{})
	inner := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Inner", "1")
		w.Header().Set("Content-Security-Policy", "handler-changed")
		s.Get(r).Data.Items = []string{strings.Repeat("x", 5000)}
		io.WriteString(w, "body")
	}))
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=63072000")
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		w.Header().Add("Set-Cookie", "csrf=abc; Path=/")
		inner.ServeHTTP(w, r)
	})
	rec := httptest.NewRecorder()
	outer.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	h := rec.Result().Header
	if rec.Code != http.StatusInternalServerError || h.Get("X-Inner") != "" {
		t.Fatalf("status %d, header %v", rec.Code, h)
	}
	if h.Get("Strict-Transport-Security") != "max-age=63072000" || h.Get("Content-Security-Policy") != "default-src 'self'" || h.Get("Set-Cookie") != "csrf=abc; Path=/" {
		t.Fatalf("outer headers lost: %v", h)
	}
}

// TestConcurrentGet gets one request's session from two goroutines; run
// with -race.
func TestConcurrentGet(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var wg sync.WaitGroup
		got := make([]*Session[cart], 8)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i] = s.Get(r)
			}()
		}
		wg.Wait()
		for _, g := range got {
			if g != got[0] {
				t.Error("goroutines of one request got different sessions")
			}
		}
		got[0].Data.N++
	}))
	j := jar{}
	j.do(t, h)
	if n := s.Get(j.request("GET", "/")).Data.N; n != 1 {
		t.Fatalf("n = %d", n)
	}
}

// flushErrorWriter has FlushError but not Flush, as some wrappers do.
type flushErrorWriter struct {
	http.ResponseWriter // only the three methods: no Flush
	rec                 *httptest.ResponseRecorder
	flushedHeader       http.Header
}

func (f *flushErrorWriter) FlushError() error {
	f.flushedHeader = f.Header().Clone()
	f.rec.Flush()
	return nil
}

// TestFlushErrorOnlyCommitsFirst checks that a flush through
// http.ResponseController commits the session first even when the wrapped
// writer has only FlushError.
func TestFlushErrorOnlyCommitsFirst(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Get(r).Data.N = 1
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Error(err)
		}
	}))
	rec := httptest.NewRecorder()
	fw := &flushErrorWriter{ResponseWriter: rec, rec: rec}
	h.ServeHTTP(fw, httptest.NewRequest("GET", "/", nil))
	if len(fw.flushedHeader["Set-Cookie"]) != 1 {
		t.Fatalf("flushed header %v: the session was not committed before the flush", fw.flushedHeader)
	}
}

// TestMiddlewareCommitPoints checks that every way a handler can start the
// response carries the cookie.
func TestMiddlewareCommitPoints(t *testing.T) {
	s := newStore[cart](t, Options{})
	handlers := map[string]func(w http.ResponseWriter, r *http.Request){
		"write-only": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			w.Write([]byte("hi"))
		},
		"redirect": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			http.Redirect(w, r, "/next", http.StatusSeeOther)
		},
		"flush": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			w.(http.Flusher).Flush()
			s.Get(r).Data.N = 2 // too late: the header is gone
		},
		"response-controller-flush": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Error(err)
			}
		},
		"read-from": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
			io.Copy(w, strings.NewReader("body"))
		},
		"empty": func(w http.ResponseWriter, r *http.Request) {
			s.Get(r).Data.N = 1
		},
		"early-hints": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			s.Get(r).Data.N = 1
			w.WriteHeader(http.StatusNoContent)
		},
	}
	for name, fn := range handlers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(s.Middleware(http.HandlerFunc(fn)))
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			cs := resp.Cookies()
			if len(cs) != 1 || cs[0].Name != "session" {
				t.Fatalf("cookies %v", cs)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.AddCookie(cs[0])
			if n := s.Get(r).Data.N; n != 1 {
				t.Fatalf("cookie holds n=%d", n)
			}
		})
	}
}

// TestFailedSave checks the error path: the error handler answers, the
// handler's writes are dropped without a superfluous WriteHeader, and the
// client's previous cookie is not touched.
func TestFailedSave(t *testing.T) {
	var logBuf bytes.Buffer
	var handled error
	s := newStore[cart](t, Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		handled = err
		http.Error(w, "session too big", http.StatusInsufficientStorage)
	}})
	big := strings.Repeat("x", 5000)
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if r.URL.Query().Get("big") != "" {
			sess.Data.Items = append(sess.Data.Items, big)
		} else {
			sess.Data.N++
		}
		w.Header().Set("Location", "/elsewhere")
		w.WriteHeader(http.StatusFound)
		if _, err := w.Write([]byte("handler body")); err == nil && r.URL.Query().Get("big") != "" {
			t.Error("write after a failed save reported no error")
		}
	}))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(&logBuf, "", 0)
	srv.Start()
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	prev := resp.Cookies()
	if len(prev) != 1 {
		t.Fatalf("first response cookies: %v", prev)
	}

	req, _ := http.NewRequest("GET", srv.URL+"/?big=1", nil)
	req.AddCookie(prev[0])
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInsufficientStorage || !strings.Contains(string(body), "session too big") || strings.Contains(string(body), "handler body") {
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
	if len(resp.Header["Set-Cookie"]) != 0 || resp.Header.Get("Location") != "" {
		t.Fatalf("failed save leaked headers: %v", resp.Header)
	}
	var tl *TooLargeError
	if !errors.Is(handled, ErrTooLarge) || !errors.As(handled, &tl) || tl.Size <= tl.Limit || tl.Limit != bounds.DefaultMaxCookieBytes {
		t.Fatalf("error handler got %v", handled)
	}
	if strings.Contains(logBuf.String(), "superfluous") {
		t.Fatalf("server logged: %s", logBuf.String())
	}
	// The previous cookie still opens with the previous data.
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(prev[0])
	if n := s.Get(r).Data.N; n != 1 {
		t.Fatalf("previous session n=%d", n)
	}
}

// TestHandledSaveError checks that a handler that handled a failed Save
// keeps its own response: the middleware does not report it again.
func TestHandledSaveError(t *testing.T) {
	called := false
	s := newStore[cart](t, Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) { called = true }})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.Items = []string{strings.Repeat("i", 5000)}
		if err := sess.Save(w); errors.Is(err, ErrTooLarge) {
			http.Error(w, "your cart is full", http.StatusUnprocessableEntity)
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if called || rec.Code != http.StatusUnprocessableEntity || len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatalf("error handler called=%v, status %d, cookies %v", called, rec.Code, rec.Header()["Set-Cookie"])
	}
	// A change after the failed Save is saved (or reported) as usual.
	h = s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.Items = []string{strings.Repeat("i", 5000)}
		if sess.Save(w) != nil {
			sess.Data.Items = []string{"small"}
		}
	}))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if called || len(rec.Header()["Set-Cookie"]) != 1 {
		t.Fatalf("reverted session not saved: called=%v %v", called, rec.Header())
	}
}

// TestNestedMiddlewarePassesThrough: the same store's middleware applied
// twice (a global one and a sub-route's) shares one session and one
// writer, so the inner handler's change reaches the client whatever layer
// opened the session first, and with IdleTimeout's refresh due.
func TestNestedMiddlewarePassesThrough(t *testing.T) {
	for _, tc := range []struct {
		name     string
		idle     bool
		outerGet bool // a layer between the two middlewares opens the session
		write    bool // the inner handler writes a body
		other    bool // another store's middleware sits between the two
	}{
		{name: "inner opens"},
		{name: "inner opens, writes", write: true},
		{name: "outer opens", outerGet: true},
		{name: "outer opens, writes", outerGet: true, write: true},
		{name: "outer opens, idle refresh", outerGet: true, idle: true},
		{name: "outer opens, idle refresh, writes", outerGet: true, idle: true, write: true},
		{name: "inner opens, idle refresh", idle: true},
		{name: "other store between", outerGet: true, idle: true, other: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lost lostRecorder
			clk := newClock()
			o := Options{OnEvent: onLost(lost.report), Now: clk.Now}
			if tc.idle {
				o.IdleTimeout = time.Hour
			}
			s := newStore[cart](t, o)
			j := jar{}
			j.do(t, counter(s)) // N = 1
			clk.Add(30 * time.Minute)
			var outerW, innerW http.ResponseWriter
			inner := http.Handler(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				innerW = w
				s.Get(r).Data.N = 7
				if tc.write {
					w.Write([]byte("ok"))
				}
			})))
			if tc.other {
				inner = newStore[Map](t, Options{Name: "other"}).Middleware(inner)
			}
			h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				outerW = w
				if tc.outerGet {
					_ = s.Get(r).Data.N // an auth layer
				}
				inner.ServeHTTP(w, r)
			}))
			j.do(t, h)
			var n int
			j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n = s.Get(r).Data.N })))
			if n != 7 || len(lost.errs) != 0 {
				t.Fatalf("next request sees N = %d, want 7; lost reports %v", n, lost.errs)
			}
			if !tc.other && innerW != outerW {
				t.Fatalf("the inner middleware did not pass the writer through")
			}
		})
	}
}

// hjCount counts the WriteHeader calls that reach it after a hijack.
type hjCount struct {
	*httptest.ResponseRecorder
	after int
	hj    bool
}

func (h *hjCount) WriteHeader(c int) {
	if h.hj {
		h.after++
	}
	h.ResponseRecorder.WriteHeader(c)
}
func (h *hjCount) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h.hj = true
	c1, _ := net.Pipe()
	return c1, bufio.NewReadWriter(bufio.NewReader(c1), bufio.NewWriter(c1)), nil
}

// TestInformationalAfterHijackDropped: a 1xx status after a hijack is not
// passed to the hijacked writer.
func TestInformationalAfterHijackDropped(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Hijacker).Hijack()
		w.WriteHeader(http.StatusEarlyHints)
	}))
	rw := &hjCount{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(rw, httptest.NewRequest("GET", "/", nil))
	if rw.after != 0 {
		t.Errorf("WriteHeader(103) reached the hijacked writer %d times", rw.after)
	}
}

// bump is code that has only a context, as a connect-go or huma handler or
// a templ component has: it counts through Store.FromContext.
func bump(ctx context.Context, s *Store[cart]) (*Session[cart], error) {
	sess, ok := s.FromContext(ctx)
	if !ok {
		return nil, fmt.Errorf("no session in the context")
	}
	sess.Data.N++
	return sess, nil
}

// TestFromContext checks that code holding only the request's context (or
// one derived from it) gets the very session Get gives the handler, and
// that the middleware saves what it changed.
func TestFromContext(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		sess, err := bump(ctx, s)
		if err != nil {
			t.Error(err)
			return
		}
		if got := s.Get(r); got != sess {
			t.Errorf("Get(r) = %p, FromContext = %p: two sessions for one request", got, sess)
		}
		fmt.Fprint(w, sess.Data.N)
	}))
	j := jar{}
	for i := 1; i <= 3; i++ {
		if got := j.do(t, h).Body.String(); got != fmt.Sprint(i) {
			t.Fatalf("request %d: body %q", i, got)
		}
	}
}

// TestFromContextOutsideMiddleware checks that FromContext answers false,
// with no session, where this store's middleware does not hold one.
func TestFromContextOutsideMiddleware(t *testing.T) {
	s := newStore[cart](t, Options{})
	other := newStore[cart](t, Options{})
	var ctxs = map[string]context.Context{
		"background": context.Background(),
		"nil":        nil,
	}
	other.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctxs["another store's middleware"] = r.Context()
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	for name, ctx := range ctxs {
		if sess, ok := s.FromContext(ctx); ok || sess != nil {
			t.Errorf("%s: FromContext = %p, %v; want nil, false", name, sess, ok)
		}
	}
}

// TestFromContextConcurrent checks that goroutines of one request all get
// the same session (run with -race).
func TestFromContextConcurrent(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := make([]*Session[cart], 8)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i], _ = s.FromContext(r.Context()) })
		}
		wg.Wait()
		for i, sess := range got {
			if sess == nil || sess != got[0] {
				t.Errorf("goroutine %d: session %p, goroutine 0: %p", i, sess, got[0])
			}
		}
	}))
	jar{}.do(t, h)
}

// TestGetOtherRequestKeepsSession is the regression test of the
// workaround store.Get((&http.Request{}).WithContext(ctx)): a request that
// carries the middleware's context but not its cookies must get the
// request's real session, never a new, empty one that the handler then
// sees too and the save writes over the client's cookie.
func TestGetOtherRequestKeepsSession(t *testing.T) {
	s := newStore[cart](t, Options{})
	stranger := jar{}
	stranger.do(t, counter(s))
	stranger.do(t, counter(s)) // another client's session, N = 2
	requests := map[string]func(r *http.Request) *http.Request{
		"empty request": func(r *http.Request) *http.Request {
			return (&http.Request{}).WithContext(r.Context())
		},
		"another client's cookie": func(r *http.Request) *http.Request {
			return stranger.request("GET", "/").WithContext(r.Context())
		},
		"clone without cookies": func(r *http.Request) *http.Request {
			c := r.Clone(r.Context())
			c.Header.Del("Cookie")
			return c
		},
	}
	for name, other := range requests {
		t.Run(name, func(t *testing.T) {
			j := jar{}
			for range 5 {
				j.do(t, counter(s)) // N = 5
			}
			h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				first := s.Get(other(r))
				if first.Data.N != 5 || first.IsNew() {
					t.Errorf("Get(other request): N = %d, new %v; want the client's session, N = 5", first.Data.N, first.IsNew())
				}
				sess := s.Get(r)
				if sess != first {
					t.Errorf("Get(r) = %p, Get(other request) = %p: two sessions for one request", sess, first)
				}
				sess.Data.N++
				fmt.Fprint(w, sess.Data.N)
			}))
			if got := j.do(t, h).Body.String(); got != "6" {
				t.Fatalf("body %q, want 6: the client's session was replaced", got)
			}
			if got := j.do(t, counter(s)).Body.String(); got != "7" {
				t.Fatalf("next request: body %q, want 7", got)
			}
		})
	}
}

// TestMiddlewareContextKeepsParent checks that the context the middleware
// gives the handler is the incoming request's with the session added: the
// parent's values, deadline and cancellation (with its cause) show
// through it, and two stores' middlewares, one inside the other, each find
// their own session.
func TestMiddlewareContextKeepsParent(t *testing.T) {
	type parentKey struct{}
	outer, inner := newStore[cart](t, Options{}), newStore[cart](t, Options{Name: "inner"})
	deadline := time.Now().Add(time.Hour)
	withDeadline, stopDeadline := context.WithDeadline(context.WithValue(context.Background(), parentKey{}, "v"), deadline)
	defer stopDeadline()
	parent, cancel := context.WithCancelCause(withDeadline)
	cause := errors.New("client went away")
	ran := false
	h := outer.Middleware(inner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran = true
		ctx := r.Context()
		if got := ctx.Value(parentKey{}); got != "v" {
			t.Errorf("parent's value = %v, want v", got)
		}
		if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
			t.Errorf("Deadline = %v, %v; want %v, true", d, ok, deadline)
		}
		o, ok1 := outer.FromContext(ctx)
		i, ok2 := inner.FromContext(ctx)
		if !ok1 || !ok2 || o == nil || i == nil || any(o) == any(i) || o != outer.Get(r) || i != inner.Get(r) {
			t.Errorf("FromContext: outer %p %v, inner %p %v: want each store its own session", o, ok1, i, ok2)
		}
		child, stop := context.WithCancel(ctx)
		defer stop()
		cancel(cause)
		<-child.Done()
		if ctx.Err() != context.Canceled || !errors.Is(context.Cause(child), cause) {
			t.Errorf("after the parent's cancel: Err %v, child's cause %v", ctx.Err(), context.Cause(child))
		}
	})))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil).WithContext(parent))
	if !ran {
		t.Fatal("the handler did not run")
	}
}
