package cookiesession

// Hostile Cookie headers: what Store.Get costs on headers no browser sends,
// against net/http's own parser on the same header, for the store's reader
// and with the Express and gorilla legacy readers configured.

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/securecookie"
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
	}
}

// hostileReader is a store configured one way, with the Cookie-header text
// of a genuine session it opens.
type hostileReader struct {
	name  string
	store *Store[Map]
	valid string
}

// hostileReaders returns the store alone (cookie "session", chunked), and
// stores whose own cookie is "sid" that read an Express or a gorilla
// session called "session".
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
		pairs = append(pairs, c.Name+"="+c.Value)
	}

	e := ExpressSession{Keys: []string{"k1"}}
	ef, err := e.format()
	if err != nil {
		tb.Fatal(err)
	}
	value, sig, err := ef.encode([]byte(`{"blob":"express"}`))
	if err != nil {
		tb.Fatal(err)
	}

	g := GorillaSession{Name: "session", KeyPairs: [][]byte{gHash1, gBlock1}}
	gv, err := securecookie.EncodeMulti("session", map[interface{}]interface{}{"blob": "gorilla"}, securecookie.CodecsFromPairs(g.KeyPairs...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return []hostileReader{
		{name: "store", store: own, valid: strings.Join(pairs, "; ")},
		{name: "storeExpress", store: newStore[Map](tb, Options{Name: "sid", Express: &e}), valid: "session=" + value + "; session.sig=" + sig},
		{name: "storeGorilla", store: newStore[Map](tb, Options{Name: "sid", Gorilla: &g}), valid: "session=" + gv},
	}
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
