package cookiesession

// Hostile Cookie headers: what Store.Get costs on headers no browser sends,
// against net/http's own parser on the same header, for the store's reader
// (package migrate tests the Express and gorilla legacy readers the same
// way).

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

// hostileShape is one hostile Cookie header. With valid set, the reader's
// genuine session cookies follow the junk on the last line.
type hostileShape struct {
	name  string
	lines []string
	valid bool
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

// BenchmarkHostileCookieHeader measures Store.Get on each hostile header,
// beside Request.Cookies on the store's header as the floor. Compare the
// readers with benchstat, e.g. -col /reader.
func BenchmarkHostileCookieHeader(b *testing.B) {
	readers := hostileReaders(b)
	for _, sh := range hostileShapes() {
		b.Run("shape="+sh.name+"/reader=netHTTPCookies", func(b *testing.B) {
			r := sh.request(readers[0])
			b.ReportAllocs()
			for b.Loop() {
				r.Cookies()
			}
		})
		for _, rd := range readers {
			b.Run("shape="+sh.name+"/reader="+rd.name, func(b *testing.B) {
				r := sh.request(rd)
				b.ReportAllocs()
				for b.Loop() {
					rd.store.Get(r)
				}
			})
		}
	}
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

// readChunksReference is readChunks written the plain way, on
// internal/chunks.LayoutOf: every pair of every line split and trimmed
// (cookie.Pairs), the session's cookies picked out, then the rules of
// docs/FORMAT.md and docs/LIMITS.md applied in order. readChunks must agree
// with it wherever cookie.MaxCookies does not apply.
func readChunksReference(lines []string, name string, l chunks.Limits) (in incoming, err error) {
	var ps, mine []cookie.Pair // mine: the chunks this store reads
	for _, line := range lines {
		ps = append(ps, cookie.Pairs(line)...)
	}
	all := chunks.LayoutOf(ps, name)
	for _, c := range all.Chunks {
		in.Present.Set(c.Index)
	}
	for _, k := range all.Ignored {
		if len(in.Foreign) < chunks.MaxForeign && cookie.ValidName(k) && len(k) <= chunks.MaxForeignName {
			in.Foreign = append(in.Foreign, k)
		}
	}
	for _, p := range ps {
		if i := chunks.Index(p.Name, name); i >= 1 && i <= l.Chunks {
			mine = append(mine, p)
		}
	}
	lay := chunks.LayoutOf(mine, name)
	// The first of a duplicate or an oversize cookie, in header order.
	seen := map[string]bool{}
	for _, p := range mine {
		if seen[p.Name] {
			return in, fmt.Errorf("%w: cookie %q sent twice (another path or domain?)", ErrChunks, p.Name)
		}
		seen[p.Name] = true
		if size := chunks.CookieBytes(p.Name, p.Value); size > bounds.MaxCookieBytesLimit {
			return in, &TooLargeError{Name: p.Name, Size: size, Limit: bounds.MaxCookieBytesLimit, Chunks: 1}
		}
	}
	// The parts a writer of this budget made: 1..w, each but the last
	// filling it; the parts after them are stale.
	w := 0
	for _, c := range lay.Chunks {
		if c.Index != w+1 {
			break
		}
		w++
		if !chunks.Fills(name, c.Index, len(c.Value), l.Cookie) {
			break
		}
	}
	n := lay.Highest()
	if w > 0 && w < n {
		if lay.Problem == "" && lay.HeaderBytes() <= l.Total {
			in.Whole, in.WholeChunks = lay.Value(), n
		}
		lay.Chunks, n = lay.Chunks[:w], w
	}
	switch {
	case n == 0:
		return in, nil
	case n > 1 && lay.HeaderBytes() > l.Total:
		return in, &TooLargeError{Name: name, Size: lay.HeaderBytes(), Limit: l.Total, Total: true, Chunks: n}
	case w == 0:
		return in, fmt.Errorf("%w: chunk %d of %d is missing", ErrChunks, missingChunk(lay), n)
	default:
		in.Value, in.Chunks = lay.Value(), n
		in.Full = true
		for _, c := range lay.Chunks {
			in.Full = in.Full && chunks.Fills(name, c.Index, len(c.Value), l.Cookie)
		}
		return in, nil
	}
}

// missingChunk returns the lowest index lay lacks below its highest.
func missingChunk(lay chunks.Layout) int {
	for k, c := range lay.Chunks {
		if c.Index != k+1 {
			return k + 1
		}
	}
	return 0
}

// compareReaders checks readChunks against its reference on lines
// (package migrate's TestNodeCookieMatchesReference checks the Express
// reader).
func compareReaders(t *testing.T, lines []string) {
	t.Helper()
	joined := strings.Join(lines, "; ")
	r := httptest.NewRequest("GET", "/", nil)
	r.Header["Cookie"] = lines
	l := chunks.Limits{Cookie: bounds.DefaultMaxCookieBytes, Total: 16384, Chunks: 4}
	for _, name := range []string{"session", "s", "express:sess", "session.sig"} {
		if strings.Count(joined, name) <= cookie.MaxCookies && cookie.ValidName(name) {
			got, gotErr := readChunks(r.Header["Cookie"], name, l)
			want, wantErr := readChunksReference(lines, name, l)
			if fmt.Sprint(got, gotErr) != fmt.Sprint(want, wantErr) {
				t.Fatalf("readChunks(%q, %q):\n got %v %v\nwant %v %v", lines, name, got, gotErr, want, wantErr)
			}
			compareNetHTTP(t, lines, name, got.Present)
		}
	}
}

// compareNetHTTP checks that the chunk names readChunks saw (present) are
// those net/http's own parser (Request.Cookies) sees in lines: a name that
// only a reader skipping more blanks than net/http would see is a cookie
// another site could set (a "\u2000__Host-" name has none of the prefix's
// rules). net/http also drops a pair whose value holds a byte RFC 6265
// does not allow, where the store reads the value and refuses it loudly:
// such bytes are replaced before net/http parses the lines. A pair without
// '=' is a cookie with an empty value to net/http and no pair to the
// store, which reads an empty value as none: so each name net/http sees
// with a value must be present, and each present name net/http must see.
func compareNetHTTP(t *testing.T, lines []string, name string, present presence) {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	for _, line := range lines {
		r.Header.Add("Cookie", validValues(line))
	}
	var withValue, any presence
	for _, c := range r.Cookies() {
		if i := chunks.Index(c.Name, name); i > 0 {
			any.Set(i)
			if c.Value != "" || c.Quoted {
				withValue.Set(i)
			}
		}
	}
	for i := 1; i <= chunks.Max; i++ {
		if withValue.Has(i) && !present.Has(i) || present.Has(i) && !any.Has(i) {
			t.Fatalf("lines %q: chunk %d of %q: net/http sees it: %v, readChunks: %v", lines, i, name, any.Has(i), present.Has(i))
		}
	}
}

// validValues replaces, in each pair's value, every byte net/http refuses
// in a cookie value by 'x'; names and separators are left as they are.
func validValues(line string) string {
	b := []byte(line)
	inValue := false
	for i, c := range b {
		switch {
		case c == ';':
			inValue = false
		case !inValue:
			inValue = c == '='
		case c < 0x20 || c >= 0x7f || c == '"' || c == '\\':
			b[i] = 'x'
		}
	}
	return string(b)
}

// hostileFragments are the pieces random Cookie headers are made of: the
// names, near misses, separators and the blanks TrimSpace removes (ASCII
// and not), plus broken UTF-8.
var hostileFragments = []string{
	"session", "session~2", "session~3", "session~0", "session~02", "session~999", "sessionx", "session.sig",
	"express:sess", "s", "=", "==", ";", "; ", " ", "  ", "\t", "\v", "\r\n", "\u00a0", "\u0085", "\u2003", "\u3000",
	"\xc2", "\xa0", "\xe2\x80", `"`, "x", "AAAA", "~", "a=b", ";session=", "; session~2=",
}

// TestReadersMatchReference holds the readers to their references on
// random headers of one to four lines.
func TestReadersMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		compareReaders(t, testjar.RandomLines(rng, hostileFragments))
	}
}

// FuzzReadersMatchReference is TestReadersMatchReference for the fuzzer;
// '\n' separates Cookie header lines.
func FuzzReadersMatchReference(f *testing.F) {
	for _, seed := range []string{
		"session=a; session~2=b", " \u00a0session=a\u2003;session~2=b ", "x=session; session~2=b\nsession=a",
		"sessionx=1;session~0=a;session~02=b", "express:sess=v; express:sess.sig=s", ";; session\t=a",
		"\xc2\xa0session=a", "\xe2\xc2\xa0session=a", "a=b\n  session=\"x\"\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		compareReaders(t, strings.Split(header, "\n"))
	})
}

// TestReadersMatchReferenceOnParts holds readChunks to its reference on
// every layout of chunks 1..4 absent, filling the per-cookie budget, or
// short of it: where a value ends, and which parts after it are stale.
func TestReadersMatchReferenceOnParts(t *testing.T) {
	for _, line := range testjar.ChunkLayouts("session", bounds.DefaultMaxCookieBytes) {
		compareReaders(t, []string{line})
	}
}
