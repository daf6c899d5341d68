package cookiesession

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

func TestRoundTripTyped(t *testing.T) {
	s := newStore[cart](t, Options{})
	j := jar{}
	h := counter(s)
	for i := 1; i <= 3; i++ {
		rec := j.do(t, h)
		if got := rec.Body.String(); got != fmt.Sprint(i) {
			t.Fatalf("request %d: body %q", i, got)
		}
	}
	if len(j) != 1 || j["session"] == "" {
		t.Fatalf("jar = %v", j)
	}
}

func TestRoundTripUntyped(t *testing.T) {
	s, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Secure: SecureNever})
	if err != nil {
		t.Fatal(err)
	}
	j := jar{}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if sess.IsNew() {
			sess.Data["user"] = "ada"
			sess.Data["roles"] = []any{"admin", "dev"}
			return
		}
		fmt.Fprintf(w, "%v %v", sess.Data["user"], sess.Data["roles"])
	}))
	j.do(t, h)
	if rec := j.do(t, h); rec.Body.String() != "ada [admin dev]" {
		t.Fatalf("body %q", rec.Body.String())
	}
}

// flipEveryByte checks that no single-bit change anywhere in a sealed value
// opens, both in the raw bytes and in the base64 text.
func TestTamperEveryByte(t *testing.T) {
	for _, c := range []Cipher{XChaCha20Poly1305, AES256GCM} {
		t.Run(c.String(), func(t *testing.T) {
			s := newStore[cart](t, Options{Cipher: c})
			j := jar{}
			j.do(t, counter(s))
			value := j["session"]
			raw, err := base64.RawURLEncoding.DecodeString(value)
			if err != nil {
				t.Fatal(err)
			}
			check := func(v string, what string) {
				t.Helper()
				r := httptest.NewRequest("GET", "/", nil)
				r.AddCookie(&http.Cookie{Name: "session", Value: v})
				sess := s.Get(r)
				if !sess.IsNew() || sess.Err() == nil || sess.Data.N != 0 {
					t.Fatalf("%s: opened (new=%v err=%v data=%+v)", what, sess.IsNew(), sess.Err(), sess.Data)
				}
			}
			for i := range raw {
				for bit := 0; bit < 8; bit++ {
					mod := bytes.Clone(raw)
					mod[i] ^= 1 << bit
					check(base64.RawURLEncoding.EncodeToString(mod), fmt.Sprintf("byte %d bit %d", i, bit))
				}
			}
			for i := range value {
				for _, ch := range []byte{'A', 'z', '-', '_', '0'} {
					if value[i] == ch {
						continue
					}
					mod := []byte(value)
					mod[i] = ch
					sess := s.Get(func() *http.Request {
						r := httptest.NewRequest("GET", "/", nil)
						r.AddCookie(&http.Cookie{Name: "session", Value: string(mod)})
						return r
					}())
					if !sess.IsNew() {
						t.Fatalf("char %d -> %q opened", i, ch)
					}
				}
			}
			// Truncations and extensions.
			for n := 0; n < len(value); n++ {
				check(value[:n], fmt.Sprintf("truncated to %d", n))
			}
			check(value+"AAAA", "extended")
		})
	}
}

func TestRejectReasons(t *testing.T) {
	clk := newClock()
	var rejected []error
	opts := Options{Now: clk.Now, MaxAge: time.Hour, IdleTimeout: 10 * time.Minute,
		OnEvent: onRejected(func(err error) { rejected = append(rejected, err) })}
	s := newStore[cart](t, opts)
	j := jar{}
	j.do(t, counter(s))
	good := j["session"]

	open := func(name, value string) *Session[cart] {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: name, Value: value})
		return s.Get(r)
	}
	if sess := open("session", good); sess.IsNew() || sess.Data.N != 1 || sess.Err() != nil {
		t.Fatalf("fresh value: new=%v n=%d err=%v", sess.IsNew(), sess.Data.N, sess.Err())
	}

	// Cross-name replay: another store with the same keys, another name.
	other := newStore[cart](t, Options{Name: "other", Now: clk.Now})
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "other", Value: good})
	if sess := other.Get(r); !errors.Is(sess.Err(), ErrAuthentication) || !sess.IsNew() {
		t.Fatalf("cross-name replay: err=%v", sess.Err())
	}

	cases := []struct {
		name    string
		advance time.Duration
		value   string
		want    error
	}{
		{"garbage", 0, "not*base64", ErrMalformed},
		{"empty-ish", 0, "AA", ErrMalformed},
		{"unknown-version", 0, "CQ" + good[2:], ErrMalformed},
		{"idle", 11 * time.Minute, good, ErrIdleTimeout},
		{"expired", 50 * time.Minute, good, ErrExpired}, // 61 minutes after creation
	}
	for _, c := range cases {
		clk.Add(c.advance)
		sess := open("session", c.value)
		if !errors.Is(sess.Err(), c.want) || !sess.IsNew() || sess.Data.N != 0 {
			t.Errorf("%s: err=%v, want %v (new=%v)", c.name, sess.Err(), c.want, sess.IsNew())
		}
	}
	if len(rejected) != len(cases) {
		t.Errorf("EventRejected or EventExpired raised %d times, want %d", len(rejected), len(cases))
	}
	for _, err := range rejected {
		if strings.Contains(err.Error(), good) {
			t.Errorf("error message contains the cookie value: %v", err)
		}
	}

	// A value from the future (a forged or badly skewed clock).
	future := newStore[cart](t, Options{Now: func() time.Time { return clk.Now().Add(time.Hour) }})
	fj := jar{}
	fj.do(t, counter(future))
	if sess := open("session", fj["session"]); !errors.Is(sess.Err(), ErrFromFuture) {
		t.Errorf("future value: err=%v", sess.Err())
	}
}

func TestExpiredEvenIfBrowserSendsIt(t *testing.T) {
	clk := newClock()
	s := newStore[cart](t, Options{Now: clk.Now, MaxAge: time.Minute})
	j := jar{}
	h := counter(s)
	j.do(t, h)
	clk.Add(time.Minute)
	// The browser still sends the cookie (its clock is wrong, or the value
	// was stolen): the server starts over.
	if rec := j.do(t, h); rec.Body.String() != "1" {
		t.Fatalf("expired session still counted: %q", rec.Body.String())
	}
}

func TestKeyRotation(t *testing.T) {
	oldStore := newStore[cart](t, Options{Keys: [][]byte{testKey(1)}})
	j := jar{}
	j.do(t, counter(oldStore))
	oldValue := j["session"]

	rotated := newStore[cart](t, Options{Keys: [][]byte{testKey(2), testKey(1)}})
	read := rotated.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, rotated.Get(r).Data.N)
	}))
	rec := j.do(t, read)
	if rec.Body.String() != "1" {
		t.Fatalf("old key did not open: %q", rec.Body.String())
	}
	if len(rec.Header()["Set-Cookie"]) != 1 || j["session"] == oldValue {
		t.Fatal("session opened with an old key was not re-sealed")
	}
	h, err := format.ParseHeader(j["session"])
	if err != nil || h.KeyID != rotated.c.codec.KeyID(0) {
		t.Fatalf("re-sealed under key id %x, want %x (%v)", h.KeyID, rotated.c.codec.KeyID(0), err)
	}
	// Once the old key is removed, old values are refused.
	removed := newStore[cart](t, Options{Keys: [][]byte{testKey(2)}})
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "session", Value: oldValue})
	if sess := removed.Get(r); !errors.Is(sess.Err(), ErrUnknownKey) {
		t.Fatalf("removed key: err=%v", sess.Err())
	}
	// The new value opens under the new key alone.
	if rec := j.do(t, removed.Middleware(read)); rec.Body.String() != "1" {
		t.Fatalf("re-sealed value did not open: %q", rec.Body.String())
	}
}

func TestConcurrentRequests(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := counter(s)
	j := jar{}
	j.do(t, h)
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, j.request("GET", "/"))
				if rec.Body.String() != "2" {
					t.Errorf("body %q", rec.Body.String())
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestNilMapDecodesEmpty: a map session set to nil is sealed as {} (or,
// when it is new, not at all), and a cookie already holding null, as
// earlier versions sealed it, opens as an empty map that takes writes.
func TestNilMapDecodesEmpty(t *testing.T) {
	type prefs map[string]int
	t.Run("Map", func(t *testing.T) {
		s := newStore[Map](t, Options{})
		j := jar{}
		j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Data["k"] = 1 })))
		j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Data = nil })))
		_, pt, err := s.c.codec.Open(bounds.DefaultName, 1, j[bounds.DefaultName])
		if err != nil || string(pt) != "{}" {
			t.Fatalf("a nil Map sealed as %q (%v), want {}", pt, err)
		}
		var n int
		j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sess := s.Get(r)
			sess.Data["k"] = 2 // panicked with a nil map
			n = len(sess.Data)
		})))
		if n != 1 {
			t.Fatalf("len(Data) = %d after a write", n)
		}
		// A new session set to nil is still empty: no cookie.
		if rec := (jar{}).do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Data = nil }))); len(rec.Header()["Set-Cookie"]) != 0 {
			t.Fatalf("a new session set to nil wrote %q", rec.Header()["Set-Cookie"])
		}
	})
	t.Run("null cookie/typed map", func(t *testing.T) {
		s := newStore[prefs](t, Options{})
		now := s.c.now()
		v, err := s.c.codec.Seal(bounds.DefaultName, format.Header{Created: now, Sealed: now}, []byte("null"))
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: bounds.DefaultName, Value: v})
		sess := s.Get(r)
		if sess.Err() != nil || sess.IsNew() || sess.Data == nil {
			t.Fatalf("null cookie: err %v, new %v, Data nil %v", sess.Err(), sess.IsNew(), sess.Data == nil)
		}
		sess.Data["k"] = 1 // panicked with a nil map
	})
}

// Hostile Cookie headers: what Store.Get costs on headers no browser sends,
// against net/http's own parser on the same header, for the store's reader
// (package migrate tests the Express and gorilla legacy readers the same
// way).

// hostileShape is one hostile Cookie header. With valid set, the reader's
// genuine session cookies follow the junk on the last line.
type hostileShape struct {
	name  string
	lines []string
	valid bool
}

// request returns a request carrying sh's header for reader rd.
func (sh hostileShape) request(rd hostileReader) *http.Request {
	lines := append([]string(nil), sh.lines...)
	if sh.valid {
		lines[len(lines)-1] += "; " + rd.valid
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header["Cookie"] = lines
	return r
}

// hostileShapes returns the headers, each about 1 MB (Go's
// http.DefaultMaxHeaderBytes), the most a net/http server accepts.
func hostileShapes() []hostileShape {
	var lines []string
	for i := 0; i < 10000; i++ {
		lines = append(lines, "c"+strconv.Itoa(i)+"="+strings.Repeat("v", 94))
	}
	spaces := strings.Repeat(" ", 1000)
	return []hostileShape{
		{name: "semicolons", lines: []string{strings.Repeat(";", 1<<20)}},
		{name: "pairs", lines: []string{strings.Repeat("a=b;", 200000)}},
		{name: "chunkNames", lines: []string{strings.Repeat("session~2=x;", 80000)}},
		{name: "duplicates", lines: []string{strings.Repeat("session=x;", 80000)}},
		{name: "foreignNames", lines: []string{strings.Repeat("session~0=x;", 80000)}},
		{name: "prefixNames", lines: []string{strings.Repeat("sessionx=1;", 80000)}},
		{name: "lines", lines: lines},
		{name: "whitespace", lines: []string{strings.Repeat(";"+spaces+"sessionx=1"+spaces, 500)}},
		{name: "validAfterJunk", lines: []string{strings.Repeat("a=b; ", 100000)}, valid: true},
		{name: "validOnly", lines: []string{"a=b"}, valid: true}, // what opening the session costs
	}
}

// hostileReader is a store configured one way, with the Cookie-header text
// of a genuine session it opens.
type hostileReader struct {
	name  string
	store *Store[Map]
	valid string
}

// hostileReaders returns the store alone (cookie "session", chunked).
func hostileReaders(tb testing.TB) []hostileReader {
	own := newStore[Map](tb, Options{MaxChunks: 4, MaxTotalBytes: 16384})
	sess := own.Get(httptest.NewRequest("GET", "/", nil))
	sess.Data["blob"] = strings.Repeat("b", 9000)
	rec := httptest.NewRecorder()
	if err := sess.Save(rec); err != nil {
		tb.Fatal(err)
	}
	var pairs []string
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge >= 0 { // not the expiring lines of unused chunk names
			pairs = append(pairs, c.Name+"="+c.Value)
		}
	}
	return []hostileReader{{name: "store", store: own, valid: strings.Join(pairs, "; ")}}
}

// hostileWant is the outcome a reader gives a hostile header: the session
// opened (blob is the genuine session's), or a new one with err matching
// (nil: no reason, the header holds no session).
type hostileWant struct {
	opened bool
	err    error
}

// TestHostileHeaderOutcomes checks what Store.Get makes of each hostile
// header, for the store's reader (package migrate's
// TestExpressHostileHeaders for the Express reader).
func TestHostileHeaderOutcomes(t *testing.T) {
	want := map[string]map[string]hostileWant{
		"store": {
			"chunkNames":     {err: ErrChunks}, // session~2 sent twice
			"duplicates":     {err: ErrChunks},
			"foreignNames":   {err: ErrChunks}, // over cookie.MaxCookies
			"prefixNames":    {err: ErrChunks}, // over cookie.MaxCookies
			"validAfterJunk": {opened: true},
			"validOnly":      {opened: true},
		},
	}
	for _, rd := range hostileReaders(t) {
		for _, sh := range hostileShapes() {
			t.Run(sh.name+"/"+rd.name, func(t *testing.T) {
				w := want[rd.name][sh.name]
				sess := rd.store.Get(sh.request(rd))
				checkHostile(t, sess, w, rd.valid)
			})
		}
	}
}

// checkHostile checks sess against w; valid is the genuine session's
// cookies, which no error message may quote.
func checkHostile(t *testing.T, sess *Session[Map], w hostileWant, valid string) {
	t.Helper()
	err := sess.Err()
	switch {
	case w.opened:
		if sess.IsNew() || err != nil || sess.Data["blob"] == nil {
			t.Fatalf("genuine session not opened: new=%v err=%v", sess.IsNew(), err)
		}
	case !sess.IsNew() || len(sess.Data) != 0:
		t.Fatalf("session opened with %d keys", len(sess.Data))
	case w.err == nil && err != nil, w.err != nil && !errors.Is(err, w.err):
		t.Fatalf("err = %v, want %v", err, w.err)
	}
	if err != nil {
		for _, pair := range strings.Split(valid, "; ") {
			if _, v, _ := strings.Cut(pair, "="); strings.Contains(err.Error(), v) {
				t.Fatalf("error message quotes a cookie value: %v", err)
			}
		}
	}
}

// TestHostileBoundExact checks that a session is found with cookie.MaxCookies
// cookie pairs counted against it, and reported with one more.
func TestHostileBoundExact(t *testing.T) {
	readers := hostileReaders(t)
	own := readers[0]
	n := strings.Count(own.valid, ";") + 1
	for extra, w := range []hostileWant{{opened: true}, {err: ErrChunks}} {
		// Pairs that contain the name count for the store's reader;
		// others, on lines of their own, cost it nothing.
		lines := []string{strings.Repeat("x=1; ", 5000), strings.Repeat("sessionx=1; ", cookie.MaxCookies-n+extra) + own.valid}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Cookie"] = lines
		checkHostile(t, own.store.Get(r), w, own.valid)
	}
}

// TestHostileAllocations checks that Store.Get allocates a bounded amount
// on every hostile header, whatever its size or number of lines: the
// session's own cookies, the Session and an error at most, never a copy of
// the header or memory per cookie.
func TestHostileAllocations(t *testing.T) {
	for _, rd := range hostileReaders(t) {
		for _, sh := range hostileShapes() {
			r := sh.request(rd)
			allocs := testing.AllocsPerRun(10, func() { rd.store.Get(r) })
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			const runs = 10
			for i := 0; i < runs; i++ {
				rd.store.Get(r)
			}
			runtime.ReadMemStats(&after)
			bytes := (after.TotalAlloc - before.TotalAlloc) / runs
			limit, most := uint64(8<<10), 40.0
			if sh.valid {
				// The genuine session, opened: the store's is 9,000 bytes in
				// three chunks (about 64 KB to decode into a Map: 65,827
				// bytes on Go 1.27's encoding/json, a little less on 1.26),
				// the same with or without the junk; gob decoding allocates
				// per value.
				limit, most = 96<<10, 400
			}
			if allocs > most || bytes > limit {
				t.Errorf("%s/%s: %.0f allocations, %d bytes per Get (limit %d)", sh.name, rd.name, allocs, bytes, limit)
			}
		}
	}
}

// sealFor returns the value of a genuine session of s holding user, and of
// its chunks when it takes several.
func sealFor(t *testing.T, s *Store[Map], user string, pad int) []string {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	sess := s.Get(r)
	sess.Data["user"], sess.Data["pad"] = user, strings.Repeat("p", pad)
	rec := httptest.NewRecorder()
	if err := sess.Save(rec); err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, line := range rec.Header()["Set-Cookie"] {
		pair, attrs, _ := strings.Cut(line, ";")
		if _, v, _ := strings.Cut(pair, "="); !testjar.Expires(attrs) {
			values = append(values, v)
		}
	}
	return values
}

// TestBlankBeforeName: to a browser, a name preceded by any byte but the
// blanks of RFC 6265 is another cookie, which a sibling subdomain or a
// plain-HTTP page can set for the parent domain, without the __Host- or
// __Secure- rules. Every reader must ignore such a pair: the store's (for
// the session and for a chunk), the Express and gorilla legacy readers (in
// package migrate's tests), and cookie.Pairs (the command's). Ignored means: not read, and not counted as
// the name "sent twice" beside the genuine cookie.
func TestBlankBeforeName(t *testing.T) {
	s := newStore[Map](t, chunked(Options{MaxCookieBytes: 300}))
	victim, attacker := sealFor(t, s, "victim", 0), sealFor(t, s, "attacker", 0)
	big := sealFor(t, s, "victim", 300)
	if len(victim) != 1 || len(big) != 2 {
		t.Fatalf("want 1 and 2 chunks, got %d and %d", len(victim), len(big))
	}
	get := func(st *Store[Map], header string) *Session[Map] {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", header)
		return st.Get(r)
	}
	for _, b := range testjar.NameBlanks() {
		ok := testjar.BlankOK(b)
		t.Run(fmt.Sprintf("%U", []rune(b)[0]), func(t *testing.T) {
			// Alone: read only after a blank.
			sess := get(s, "a=1;"+b+"session="+attacker[0])
			if got := sess.Data["user"] == "attacker"; got != ok || !ok && sess.Err() != nil {
				t.Errorf("planted session read: %v (err %v), want %v", got, sess.Err(), ok)
			}
			// Beside the genuine one: sent twice only after a blank.
			sess = get(s, "session="+victim[0]+";"+b+"session="+attacker[0])
			if twice := errors.Is(sess.Err(), ErrChunks); twice != ok || !ok && sess.Data["user"] != "victim" {
				t.Errorf("beside the victim's: user %v, err %v; want sent twice: %v", sess.Data["user"], sess.Err(), ok)
			}
			// A chunk: counted only after a blank.
			sess = get(s, "session="+big[0]+";"+b+"session~2="+big[1])
			if got := sess.Data["user"] == "victim"; got != ok {
				t.Errorf("chunk 2 after %q read: %v (err %v), want %v", b, got, sess.Err(), ok)
			}
			sess = get(s, "session="+big[0]+"; session~2="+big[1]+";"+b+"session~2="+attacker[0])
			if twice := errors.Is(sess.Err(), ErrChunks); twice != ok || !ok && sess.Data["user"] != "victim" {
				t.Errorf("planted chunk 2: user %v, err %v; want sent twice: %v", sess.Data["user"], sess.Err(), ok)
			}
			// The Express and gorilla readers: package migrate's
			// TestExpressBlankBeforeName and TestGorillaBlankBeforeName.
			// The command's reader.
			if ps := cookie.Pairs("a=1;" + b + "session=v"); (len(ps) == 2 && ps[1].Name == "session") != ok {
				t.Errorf("cookie.Pairs = %q", ps)
			}
		})
	}
}
