package cookiesession

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/testjar"
	"github.com/cookiesession/cookiesession/memrevoke"
)

// adapterStore returns a store of o whose EventLostChange reports are
// collected into the returned slice.
func adapterStore(t *testing.T, o Options) (*Store[map[string]any], *[]error) {
	t.Helper()
	var lost []error
	o.Keys = [][]byte{GenerateKey()}
	o.OnEvent = func(_ context.Context, e Event) {
		if e.Kind == EventLostChange {
			lost = append(lost, e.Err)
		}
	}
	s, err := New[map[string]any](o)
	if err != nil {
		t.Fatal(err)
	}
	return s, &lost
}

// adapterRequest is what an adapter gives Open: a plain-HTTP request to
// localhost without a cookie.
func adapterRequest() Request {
	return Request{Host: "localhost", Context: context.Background()}
}

// TestReportLostChange drives the core as an adapter does (Open, Commit,
// ReportLostChange): each cause gives the *LostChangeError the
// middleware gives, reported once through OnEvent and returned.
func TestReportLostChange(t *testing.T) {
	for _, tc := range []struct {
		cause              error
		committed          bool // the change was committed before the cause
		what               string
		hijacked, panicked bool
	}{
		{cause: ErrAlreadyWritten, what: "Data"},
		{cause: ErrHijacked, what: "Data", hijacked: true},
		{cause: ErrPanicked, what: "Data", panicked: true},
		// A panic loses the committed change too: its response may never go out.
		{cause: ErrPanicked, committed: true, what: "Data", panicked: true},
	} {
		s, lost := adapterStore(t, Options{})
		sess := s.Open(adapterRequest())
		sess.Data["n"] = 1
		if tc.committed {
			if _, err := sess.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		err := sess.ReportLostChange(context.Background(), tc.cause)
		var lc *LostChangeError
		if !errors.As(err, &lc) || !errors.Is(err, tc.cause) || lc.What != tc.what || lc.Hijacked != tc.hijacked || lc.Panicked != tc.panicked {
			t.Errorf("%v (committed %v): %#v, want What %q, Hijacked %v, Panicked %v", tc.cause, tc.committed, err, tc.what, tc.hijacked, tc.panicked)
		}
		if len(*lost) != 1 || (*lost)[0] != err {
			t.Errorf("%v: OnEvent got %v, want the returned error once", tc.cause, *lost)
		}
		sess.Data["n"] = 2
		if err := sess.ReportLostChange(context.Background(), tc.cause); err != nil || len(*lost) != 1 {
			t.Errorf("%v: second call %v, %d reports; want nil and still one", tc.cause, err, len(*lost))
		}
	}
}

// TestReportLostChangeNothingLost: nothing unsaved (untouched, committed,
// or told to the handler by Save's error) reports nothing and returns nil.
func TestReportLostChangeNothingLost(t *testing.T) {
	s, lost := adapterStore(t, Options{Secure: SecureAlways})
	untouched := s.Open(adapterRequest())
	committed := s.Open(Request{Host: "example.com", HTTPS: true})
	committed.Data["n"] = 1
	if _, err := committed.Commit(); err != nil {
		t.Fatal(err)
	}
	told := s.Open(Request{Host: "example.com"}) // plain HTTP under SecureAlways
	told.Data["n"] = 1
	if err := told.Save(httptest.NewRecorder()); !errors.Is(err, ErrInsecureRequest) {
		t.Fatalf("Save = %v, want ErrInsecureRequest", err)
	}
	for name, sess := range map[string]*Session[map[string]any]{"untouched": untouched, "committed": committed, "told": told} {
		for _, cause := range []error{ErrAlreadyWritten, ErrHijacked} {
			if err := sess.ReportLostChange(context.Background(), cause); err != nil {
				t.Errorf("%s, %v: %v, want nil", name, cause, err)
			}
		}
	}
	if len(*lost) != 0 {
		t.Errorf("reported %v, want nothing", *lost)
	}
}

// TestReportLostChangeLog: without OnEvent the report is slog's default
// logger's Error line, without the data.
func TestReportLostChangeLog(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	s, err := New[map[string]any](Options{Keys: [][]byte{GenerateKey()}})
	if err != nil {
		t.Fatal(err)
	}
	sess := s.Open(adapterRequest())
	sess.Data["user"] = "topsecret"
	//lint:ignore SA1012 a nil ctx is documented to mean context.Background()
	if err := sess.ReportLostChange(nil, ErrHijacked); err == nil {
		t.Fatal("nil, want the lost change")
	}
	out := buf.String()
	if strings.Count(out, "level=ERROR") != 1 || !strings.Contains(out, "session change lost (Data)") || strings.Contains(out, "topsecret") {
		t.Fatalf("log: %s", out)
	}
}

func TestNoSetCookieWhenUnchanged(t *testing.T) {
	s := newStore[cart](t, Options{})
	j := jar{}
	read := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = s.Get(r).Data.N
	}))
	// A new, untouched session writes nothing.
	if rec := j.do(t, read); rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("new untouched session set a cookie: %q", rec.Header()["Set-Cookie"])
	}
	j.do(t, counter(s))
	rec := j.do(t, read)
	if sc := rec.Header()["Set-Cookie"]; len(sc) != 0 {
		t.Fatalf("unchanged session set cookies: %q", sc)
	}
	if rec.Header().Get("Vary") != "Cookie" {
		t.Fatalf("a response that read the session lacks Vary: Cookie")
	}
	// Assigning an equal value is not a change either.
	same := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.N = sess.Data.N * 1
	}))
	if rec := j.do(t, same); len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatal("equal data re-sealed")
	}
	// A handler that never calls Get leaves the response alone.
	none := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	if rec := j.do(t, none); len(rec.Header()) != 0 {
		t.Fatalf("untouched session changed headers: %v", rec.Header())
	}
}

// TestStoreResealOverBudget: a re-seal the store chooses on its own (an
// identifier for Revocations, a cipher change, a legacy upgrade) that does
// not fit is skipped: the request is served from the cookie it carried,
// EventResealSkipped says so once, and the next request is served too.
// JSON is written without HTML escapes, so the upgrades of sessions full
// of '&' or '<' fit. A change of the handler's own that does not fit still
// fails.
func TestStoreResealOverBudget(t *testing.T) {
	long := func(n int) func(*Session[Map]) { return func(s *Session[Map]) { s.Data["k"] = strings.Repeat("a", n) } }
	// a Map {"k":"aaa..."} of json bytes, sealed by a store with options o.
	sealedJar := func(t *testing.T, o Options, json int) jar {
		j := jar{}
		s := newStore[Map](t, o)
		if rec := j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { long(json - 8)(s.Get(r)) }))); len(rec.Header()["Set-Cookie"]) == 0 {
			t.Fatalf("setup: the %d-byte session was not sealed: %d", json, rec.Code)
		}
		return j
	}
	old := testLegacy{Keys: []string{"k1"}}
	for _, tc := range []struct {
		name    string
		old     func(t *testing.T) jar // the cookies of the request
		o       Options                // the store that reads them
		change  func(*Session[Map])    // the handler's own change, if any
		save    bool                   // the handler calls Save, which succeeds
		skipped string                 // "": the upgrade fits; else From of EventResealSkipped, or "sealed"
		failed  bool                   // the handler's change does not fit: ErrorHandler
	}{
		{name: "revocations add an identifier (2,995+19 bytes)", old: func(t *testing.T) jar { return sealedJar(t, Options{}, 2995) },
			o: Options{Revocations: newRevocationList(t, memrevoke.Options{MaxAge: 24 * time.Hour})}, skipped: "sealed"},
		{name: "revocations, an explicit Save: one event", old: func(t *testing.T) jar { return sealedJar(t, Options{}, 2995) },
			o: Options{Revocations: newRevocationList(t, memrevoke.Options{MaxAge: 24 * time.Hour})}, save: true, skipped: "sealed"},
		{name: "cipher AES-GCM to XChaCha (3,010 bytes)", old: func(t *testing.T) jar { return sealedJar(t, Options{Cipher: AES256GCM}, 3010) },
			skipped: "sealed"},
		{name: "key rotation with an identifier (2,995+19 bytes)", old: func(t *testing.T) jar { return sealedJar(t, Options{Keys: [][]byte{testKey(2)}}, 2995) },
			o: Options{Keys: [][]byte{testKey(1), testKey(2)}, Revocations: newRevocationList(t, memrevoke.Options{MaxAge: 24 * time.Hour})}, skipped: "sealed"},
		{name: "legacy upgrade, 2,907 bytes of '&'", old: func(t *testing.T) jar {
			return legacyJar(t, old, `{"q":"`+strings.Repeat("a&", 1449)+`a"}`)
		}, o: Options{Legacy: []Legacy{&old}}},
		{name: "legacy upgrade too large (3,030 bytes)", old: func(t *testing.T) jar {
			return legacyJar(t, old, `{"q":"`+strings.Repeat("a", 3022)+`"}`)
		}, o: Options{Legacy: []Legacy{&old}}, skipped: "test"},
		{name: "legacy re-signed in transition, 4,095-byte cookie", old: func(t *testing.T) jar {
			return legacyJar(t, testLegacy{Keys: []string{"k0"}}, `{"q":"`+strings.Repeat("a", 3058)+`"}`)
		}, o: Options{Legacy: []Legacy{&testLegacy{Keys: []string{"k1", "k0"}, Transition: true}}}, skipped: "test"},
		{name: "revocations, and a change of the handler's own", old: func(t *testing.T) jar { return sealedJar(t, Options{}, 2995) },
			o: Options{Revocations: newRevocationList(t, memrevoke.Options{MaxAge: 24 * time.Hour})}, change: func(s *Session[Map]) { s.Data["more"] = 1 }, failed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := tc.old(t)
			var events []Event
			o := tc.o
			o.Name = "sid"
			o.OnEvent = func(_ context.Context, e Event) { events = append(events, e) }
			if tc.skipped == "sealed" || tc.failed {
				o.Name = "" // the cookie sealedJar wrote
			}
			s := newStore[Map](t, o)
			name := s.c.name
			for req := 1; req <= 2; req++ {
				events = nil
				var held int
				rec := j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					sess := s.Get(r)
					held = len(sess.Data)
					if tc.change != nil {
						tc.change(sess)
					}
					if tc.save {
						if err := sess.Save(w); err != nil {
							t.Errorf("Save = %v", err)
						}
					}
					w.Write([]byte("ok"))
				})))
				lines := rec.Header()["Set-Cookie"]
				t.Logf("request %d: %d, %d Set-Cookie, events %v", req, rec.Code, len(lines), events)
				if tc.failed {
					if rec.Code != http.StatusInternalServerError {
						t.Fatalf("a change that does not fit answered %d", rec.Code)
					}
					return
				}
				if rec.Code != http.StatusOK || held == 0 {
					t.Fatalf("request %d: status %d, session held %d keys", req, rec.Code, held)
				}
				if tc.skipped == "" {
					if req == 1 && (!testjar.HasLine(lines, name+"=") || len(events) == 0 || events[0].Kind != EventUpgraded || hasKind(events, EventResealSkipped)) {
						t.Fatalf("upgrade not written: %d lines, events %v", len(lines), events)
					}
					continue
				}
				if len(lines) != 0 {
					t.Fatalf("request %d: a skipped re-seal wrote %q", req, lines)
				}
				from := tc.skipped
				if from == "sealed" {
					from = ""
				}
				var tl *TooLargeError
				if len(events) != 1 || events[0].Kind != EventResealSkipped || events[0].From != from ||
					!errors.As(events[0].Err, &tl) || events[0].Size != tl.Size || events[0].Budget != tl.Limit || tl.Size <= tl.Limit {
					t.Fatalf("request %d: events %+v, want one EventResealSkipped from %q with the sizes", req, events, from)
				}
			}
		})
	}
}

// TestHTMLEscapedCookieNotAChange: a cookie sealed by an earlier version,
// whose JSON escaped '<', '>' and '&' for HTML, is not a change: a
// read-only request writes nothing.
func TestHTMLEscapedCookieNotAChange(t *testing.T) {
	s := newStore[Map](t, Options{})
	now := s.c.now()
	v, err := s.c.codec.Seal(bounds.DefaultName, format.Header{Created: now, Sealed: now}, []byte(`{"q":"\u003cb\u003e \u0026"}`))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: bounds.DefaultName, Value: v})
	var q any
	var changed bool
	rec := httptest.NewRecorder()
	s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		q, changed = sess.Data["q"], sess.Changed()
	})).ServeHTTP(rec, r)
	if q != "<b> &" || changed || len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatalf("q %q, Changed %v, Set-Cookie %q", q, changed, rec.Header()["Set-Cookie"])
	}
}

// TestConcurrentSavesOwnBytes saves sessions from several goroutines at
// once, in one cookie and in chunks: each save's lines open to its own
// data (the sealed bytes are pooled: run with -race).
func TestConcurrentSavesOwnBytes(t *testing.T) {
	type data struct {
		G, I int
		Pad  string
	}
	s := newStore[data](t, Options{MaxChunks: 3})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				want := data{G: g, I: i + 1, Pad: strings.Repeat("x", (g%2)*3500+i)}
				sess := s.Open(Request{})
				sess.Data = want
				u, err := sess.Commit()
				if err != nil {
					t.Error(err)
					return
				}
				var pairs []string
				for _, line := range u.SetCookie {
					pairs = append(pairs, line[:strings.IndexByte(line, ';')])
				}
				if got := s.Open(Request{Cookie: []string{strings.Join(pairs, "; ")}}); got.IsNew() || got.Data != want {
					t.Errorf("goroutine %d, save %d: opened %d/%d (%v), want its own data", g, i, got.Data.G, got.Data.I, got.Err())
					return
				}
			}
		})
	}
	wg.Wait()
}
