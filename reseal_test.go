package cookiesession

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/jsonx"
	"github.com/cookiesession/cookiesession/memrevoke"
)

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
					if req == 1 && (!hasLine(lines, name+"=") || len(events) == 0 || events[0].Kind != EventUpgraded || hasKind(events, EventResealSkipped)) {
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

// hasKind reports whether events holds one of kind k.
func hasKind(events []Event, k EventKind) bool {
	for _, e := range events {
		if e.Kind == k {
			return true
		}
	}
	return false
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

// TestMarshalJSONNoHTMLEscapes: jsonx.Marshal writes what a json.Encoder
// with SetEscapeHTML(false) writes, without its newline, for every rune up
// to U+3000 and for backslashes that only look like escapes.
func TestMarshalJSONNoHTMLEscapes(t *testing.T) {
	want := func(v any) string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	var all strings.Builder
	for r := rune(0); r < 0x3000; r++ {
		all.WriteRune(r)
	}
	for _, v := range []any{
		Map{"<k&>": "a<b>&c", "n": 1},
		`\u003c \\u0026 \\\u003e` + "\u2028 \x01 <&>",
		[]string{"</script>", "&amp;"},
		all.String(),
	} {
		got, err := jsonx.Marshal(v)
		if err != nil || string(got) != want(v) {
			t.Fatalf("jsonx.Marshal(%.40q) = %.80q, %v; want %.80q", v, got, err, want(v))
		}
	}
	// Unlike the Encoder, it also undoes those escapes in JSON it is given.
	got, err := jsonx.Marshal(json.RawMessage(`{"a": "\u003c\u003E\u0026 \\u0026"}`))
	if want := `{"a":"<>& \\u0026"}`; err != nil || string(got) != want {
		t.Fatalf("RawMessage: %s, %v; want %s", got, err, want)
	}
}
