package cookiesession

import (
	"bytes"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// lostRecorder collects what a store reports as EventLostChange.
type lostRecorder struct {
	mu   sync.Mutex
	errs []error
}

func (l *lostRecorder) report(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

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
