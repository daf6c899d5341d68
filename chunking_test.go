package cookiesession

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

// sizer sets the session's "blob" to n bytes from the query, or reads it.
// chunked returns o with chunking on: 4 chunks and a 16 KB total budget
// unless o says otherwise.
func chunked(o Options) Options {
	if o.MaxChunks == 0 {
		o.MaxChunks = 4
	}
	if o.MaxTotalBytes == 0 {
		o.MaxTotalBytes = 16384
	}
	return o
}

func sizer(s *Store[Map]) http.Handler {
	return s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		switch q := r.URL.Query(); {
		case q.Has("n"):
			var n int
			fmt.Sscan(q.Get("n"), &n)
			sess.Data["blob"] = strings.Repeat("b", n)
		case q.Has("destroy"):
			sess.Destroy()
		}
		blob, _ := sess.Data["blob"].(string)
		fmt.Fprint(w, len(blob))
	}))
}

func TestChunksRoundTripAndShrink(t *testing.T) {
	s := newStore[Map](t, chunked(Options{}))
	h := sizer(s)
	j := jar{}
	j.get(t, h, "/?n=9000")
	if len(j) != 3 || j["session"] == "" || j["session~2"] == "" || j["session~3"] == "" {
		t.Fatalf("3 chunks expected, jar has %d: %v", len(j), keys(j))
	}
	for name, v := range j {
		if len(name)+len(v) > bounds.DefaultMaxCookieBytes {
			t.Errorf("%s: %d bytes over the budget", name, len(name)+len(v))
		}
	}
	if rec := j.get(t, h, "/"); rec.Body.String() != "9000" {
		t.Fatalf("read back %q", rec.Body.String())
	}
	// Shrink to one cookie: the other chunks the request carried are
	// expired.
	rec := j.get(t, h, "/?n=10")
	expired := 0
	for _, line := range rec.Header()["Set-Cookie"] {
		if strings.Contains(line, "Max-Age=0") {
			expired++
		}
	}
	if len(j) != 1 || expired != 2 { // session~2, ~3
		t.Fatalf("after shrinking: jar %v, %d expiring lines", keys(j), expired)
	}
	if rec := j.get(t, h, "/"); rec.Body.String() != "10" {
		t.Fatalf("read back %q", rec.Body.String())
	}
	// Grow again, then destroy: nothing left.
	j.get(t, h, "/?n=6000")
	if len(j) != 2 {
		t.Fatalf("2 chunks expected: %v", keys(j))
	}
	j.get(t, h, "/?destroy=1")
	if len(j) != 0 {
		t.Fatalf("after destroy: %v", keys(j))
	}
}

func keys(j jar) []string {
	var out []string
	for k, v := range j {
		out = append(out, fmt.Sprintf("%s(%d)", k, len(v)))
	}
	return out
}

// TestHostileChunks checks that missing, extra, reordered, duplicated and
// mixed chunks give a new empty session with a reason, and that the next
// save leaves no stale cookie.
func TestHostileChunks(t *testing.T) {
	s := newStore[Map](t, chunked(Options{}))
	h := sizer(s)
	a, b := jar{}, jar{}
	a.get(t, h, "/?n=9000")
	b.get(t, h, "/?n=9001")
	cases := map[string]struct {
		cookies string
		want    error
	}{
		"missing middle": {fmt.Sprintf("session=%s; session~3=%s", a["session"], a["session~3"]), ErrChunks},
		"missing last":   {fmt.Sprintf("session=%s; session~2=%s", a["session"], a["session~2"]), ErrChunks},
		"missing first":  {fmt.Sprintf("session~2=%s; session~3=%s", a["session~2"], a["session~3"]), ErrChunks},
		"reordered":      {fmt.Sprintf("session=%s; session~2=%s; session~3=%s", a["session"], a["session~3"], a["session~2"]), ErrAuthentication},
		"duplicated":     {fmt.Sprintf("session=%s; session~2=%s; session~2=%s; session~3=%s", a["session"], a["session~2"], a["session~2"], a["session~3"]), ErrChunks},
		"mixed":          {fmt.Sprintf("session=%s; session~2=%s; session~3=%s", a["session"], b["session~2"], a["session~3"]), ErrAuthentication},
		"huge index":     {fmt.Sprintf("session~999999999=x; session~2=%s", a["session~2"]), ErrChunks},
		"zero index":     {"session~0=x; session~3=" + a["session~3"], ErrChunks},
		"leading zero":   {"session~02=x; session~2=" + a["session~2"], ErrChunks},
		"one index":      {"session~1=x; session~2=" + a["session~2"], ErrChunks},
		"megabyte value": {"session=" + strings.Repeat("A", 1<<20), ErrTooLarge},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Cookie", c.cookies)
			sess := s.Get(r)
			if !sess.IsNew() || len(sess.Data) != 0 || !errors.Is(sess.Err(), c.want) {
				t.Fatalf("new=%v data=%d err=%v, want %v", sess.IsNew(), len(sess.Data), sess.Err(), c.want)
			}
			// The next save replaces every cookie the request carried.
			sess.Data["x"] = 1
			rec := httptest.NewRecorder()
			if err := sess.Save(rec); err != nil {
				t.Fatal(err)
			}
			j := jar{}
			for _, part := range strings.Split(c.cookies, "; ") {
				k, v, _ := strings.Cut(part, "=")
				j[k] = v
			}
			j.update(t, rec.Header())
			for k := range j {
				if k != "session" {
					t.Errorf("stale cookie %q survives the save", truncateName(k))
				}
			}
			if got := s.Get(j.request("GET", "/")); got.IsNew() || got.Data["x"] != json.Number("1") {
				t.Errorf("re-saved session does not open: %v", got.Err())
			}
		})
	}
}

// TestChunkBeyondMaxIgnored checks that a chunk cookie beyond MaxChunks
// (left by a store with a higher MaxChunks, or by a deletion the browser
// never got) neither wedges nor ends the session: it is ignored when
// reading and deleted by the next save. With chunking off, that is any
// NAME~k cookie.
func TestChunkBeyondMaxIgnored(t *testing.T) {
	for name, o := range map[string]Options{"chunked": chunked(Options{}), "one cookie": {}} {
		t.Run(name, func(t *testing.T) {
			s := newStore[Map](t, o)
			j := jar{}
			j.get(t, sizer(s), "/?n=100")
			j["session~5"] = "AAAA" // beyond MaxChunks either way
			if name == "one cookie" {
				j["session~2"] = "AAAA"
			}
			sess := s.Get(j.request("GET", "/"))
			if sess.IsNew() || sess.Err() != nil {
				t.Fatalf("session refused because of a stale chunk: %v", sess.Err())
			}
			sess.Data["x"] = 1
			rec := httptest.NewRecorder()
			if err := sess.Save(rec); err != nil {
				t.Fatal(err)
			}
			j.update(t, rec.Header())
			if len(j) != 1 || j["session"] == "" {
				t.Fatalf("after the save the jar holds %v", keys(j))
			}
		})
	}
}

// TestHostileHeadersBoundedWork checks that huge Cookie headers cost no
// allocation beyond a constant when they do not hold the session.
func TestHostileHeadersBoundedWork(t *testing.T) {
	s := newStore[Map](t, chunked(Options{}))
	var many strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&many, "c%d=v; session~%d=x; ", i, 100+i%100)
	}
	headers := map[string]string{
		"10k cookies":       many.String(),
		"megabyte value":    "session=" + strings.Repeat("A", 1<<20),
		"megabyte chunk":    "session=AAAA; session~2=" + strings.Repeat("A", 1<<20),
		"999999999":         "session~999999999=" + strings.Repeat("A", 100),
		"many semicolons":   strings.Repeat(";", 1<<20),
		"many equal prefix": strings.Repeat("sessionx=1;", 50000),
	}
	for name, hdr := range headers {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", hdr)
		allocs := testing.AllocsPerRun(5, func() {
			readChunks(r.Header["Cookie"], "session", s.c.limits)
		})
		// A handful of allocations for the error value at most (their
		// count varies with sync.Pool state), never one per cookie or
		// per byte.
		if allocs > 16 {
			t.Errorf("%s: %.0f allocations", name, allocs)
		}
		// 50,000 cookies that contain the name are over maxNamedCookies.
		wantErr := name != "999999999" && name != "many semicolons"
		if sess := s.Get(r); !sess.IsNew() || (sess.Err() != nil) != wantErr {
			t.Errorf("%s: new=%v err=%v", name, sess.IsNew(), sess.Err())
		}
	}
}

// TestForeignChunkNamesIgnored checks that a cookie in the chunk namespace
// that no writer makes neither breaks a valid session nor survives a save.
func TestForeignChunkNamesIgnored(t *testing.T) {
	s := newStore[Map](t, chunked(Options{}))
	j := jar{}
	j.get(t, sizer(s), "/?n=100")
	j["session~0"], j["session~007"], j["session~x"] = "a", "b", "c"
	rec := j.get(t, sizer(s), "/?n=200")
	if rec.Body.String() != "200" || len(j) != 1 {
		t.Fatalf("body %q, jar %v", rec.Body.String(), keys(j))
	}
}

func TestChunkBudgets(t *testing.T) {
	// Without chunking, the largest value fits exactly the per-cookie budget.
	s := newStore[Map](t, Options{})
	last := 0
	for n := 2990; n < 3100; n++ {
		sess := s.Get(httptest.NewRequest("GET", "/", nil))
		sess.Data["v"] = strings.Repeat("a", n)
		rec := httptest.NewRecorder()
		err := sess.Save(rec)
		if err != nil {
			var tl *TooLargeError
			if !errors.As(err, &tl) || tl.Total || tl.Limit != bounds.DefaultMaxCookieBytes || tl.Size != bounds.DefaultMaxCookieBytes+1 && last == 0 {
				t.Fatalf("n=%d: %v", n, err)
			}
			break
		}
		nv, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")
		last = len(nv) - 1 // minus "="
	}
	if last < bounds.DefaultMaxCookieBytes-3 || last > bounds.DefaultMaxCookieBytes {
		t.Fatalf("largest cookie %d bytes, budget %d", last, bounds.DefaultMaxCookieBytes)
	}

	// With chunking, the total budget caps the session.
	c := newStore[Map](t, Options{MaxChunks: 8})
	sess := c.Get(httptest.NewRequest("GET", "/", nil))
	sess.Data["v"] = strings.Repeat("a", 5000)
	err := sess.Save(httptest.NewRecorder())
	var tl *TooLargeError
	if !errors.As(err, &tl) || !tl.Total || tl.Limit != bounds.DefaultMaxTotalBytes || tl.Chunks != 2 {
		t.Fatalf("over the total budget: %v", err)
	}
	// And MaxChunks caps it even under a large total budget.
	c2 := newStore[Map](t, Options{MaxChunks: 2, MaxTotalBytes: 64 << 10})
	sess = c2.Get(httptest.NewRequest("GET", "/", nil))
	sess.Data["v"] = strings.Repeat("a", 9000)
	if err := sess.Save(httptest.NewRecorder()); !errors.As(err, &tl) || tl.Chunks != 3 || tl.Total || tl.Size <= tl.Limit || tl.Limit != 2*(bounds.DefaultMaxCookieBytes+1)+2 {
		t.Fatalf("over MaxChunks: %v", err)
	}
}

// TestChunkCapacity logs the largest JSON document that fits one cookie and
// the default chunk budget; docs/LIMITS.md quotes these figures.
func TestChunkCapacity(t *testing.T) {
	largest := func(o Options) int {
		s := newStore[Map](t, o)
		lo, hi := 1, 64<<10
		for lo < hi {
			mid := (lo + hi + 1) / 2
			sess := s.Get(httptest.NewRequest("GET", "/", nil))
			sess.Data["v"] = strings.Repeat("a", mid-len(`{"v":""}`))
			if sess.Save(httptest.NewRecorder()) == nil {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo
	}
	one := largest(Options{})
	chunked := largest(Options{MaxChunks: 4})
	if one < 3000 || chunked <= one {
		t.Fatalf("one cookie %d, default chunk budget %d", one, chunked)
	}
	t.Logf("largest JSON: one cookie %d bytes; MaxChunks 4 with the default total budget %d bytes", one, chunked)
}

// truncateName shortens a hostile cookie name for an error message.
func truncateName(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// TestReadTotalAsInCookieHeader checks that the reader counts a chunked
// session against MaxTotalBytes as the writer does and as the Cookie
// header carries it, "; " between chunks included: a session the store
// wrote at exactly its total budget opens, one byte less refuses it with
// the header's size.
func TestReadTotalAsInCookieHeader(t *testing.T) {
	j := jar{}
	j.get(t, sizer(newStore[Map](t, chunked(Options{}))), "/?n=9000")
	var pairs []string
	for _, name := range []string{"session", "session~2", "session~3"} {
		pairs = append(pairs, name+"="+j[name])
	}
	header := strings.Join(pairs, "; ")
	if len(j) != 3 {
		t.Fatalf("3 chunks expected: %v", keys(j))
	}
	get := func(total int) *Session[Map] {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", header)
		return newStore[Map](t, chunked(Options{MaxTotalBytes: total})).Get(r)
	}
	if sess := get(len(header)); sess.IsNew() || sess.Err() != nil {
		t.Fatalf("at exactly the total budget: new=%v err=%v", sess.IsNew(), sess.Err())
	}
	var tl *TooLargeError
	err := get(len(header) - 1).Err()
	if !errors.As(err, &tl) || !tl.Total || tl.Size != len(header) || tl.Limit != len(header)-1 || tl.Chunks != 3 {
		t.Fatalf("one byte over the total budget: %v", err)
	}

	// The writer takes the same session at that budget, and not below.
	for total, fits := range map[int]bool{len(header): true, len(header) - 1: false} {
		sess := newStore[Map](t, chunked(Options{MaxTotalBytes: total})).Get(httptest.NewRequest("GET", "/", nil))
		sess.Data["blob"] = strings.Repeat("b", 9000)
		if err := sess.Save(httptest.NewRecorder()); (err == nil) != fits {
			t.Errorf("saving under MaxTotalBytes %d (the header takes %d): %v", total, len(header), err)
		}
	}
}

// planChunksReference is planChunks as it was before package chunks held
// the rules: planChunks must give the same counts and the same figures.
func planChunksReference(name string, valueLen int, l chunks.Limits) (int, error) {
	nameLen := func(i int) int { return len(chunks.Name(name, i)) }
	total := func(valueLen int) (bytes, n int) {
		for valueLen > 0 {
			n++
			part := min(valueLen, l.Cookie-nameLen(n))
			valueLen -= part
			bytes += nameLen(n) + 1 + part + 2
		}
		return bytes - 2, n
	}
	left, n, size := valueLen, 0, 0
	for left > 0 || n == 0 {
		if n++; n > l.Chunks {
			break
		}
		part := min(left, l.Cookie-nameLen(n))
		left -= part
		size += nameLen(n) + 1 + part
		if n > 1 {
			size += 2
		}
	}
	switch {
	case left > 0 && l.Chunks == 1:
		return 0, &TooLargeError{Name: name, Size: len(name) + valueLen, Limit: l.Cookie, Chunks: 1}
	case left > 0:
		need, count := total(valueLen)
		most, _ := total(valueLen - left)
		if most > l.Total {
			return 0, &TooLargeError{Name: name, Size: need, Limit: l.Total, Total: true, Chunks: count}
		}
		return 0, &TooLargeError{Name: name, Size: need, Limit: most, Chunks: count}
	case n > 1 && size > l.Total:
		return 0, &TooLargeError{Name: name, Size: size, Limit: l.Total, Total: true, Chunks: n}
	}
	return n, nil
}

func TestPlanChunksMatchesReference(t *testing.T) {
	for _, name := range []string{"s", "session", "__Host-session"} {
		for _, l := range []chunks.Limits{
			{Cookie: 256, Total: 256, Chunks: 1}, {Cookie: 4092, Total: 4092, Chunks: 1},
			{Cookie: 256, Total: 1000, Chunks: 4}, {Cookie: 256, Total: 100000, Chunks: 255},
			{Cookie: 4092, Total: 6144, Chunks: 4}, {Cookie: 4096, Total: 16384, Chunks: 8},
		} {
			for valueLen := 0; valueLen <= 70000; valueLen += 1 + valueLen/50 {
				n, err := planChunks(name, valueLen, l)
				wn, werr := planChunksReference(name, valueLen, l)
				if n != wn || fmt.Sprint(err) != fmt.Sprint(werr) || fmt.Sprintf("%#v", err) != fmt.Sprintf("%#v", werr) {
					t.Fatalf("planChunks(%q, %d, %+v) = %d, %#v; want %d, %#v", name, valueLen, l, n, err, wn, werr)
				}
			}
		}
	}
}

// TestLostChunkOrCutValue: a session missing its last chunk is reported as
// that chunk missing (ErrChunks, naming it), like a missing first or middle
// chunk, and a value cut short as cut (ErrMalformed, or ErrAuthentication
// when the cut falls on a whole base64 group), never as "not base64url".
func TestLostChunkOrCutValue(t *testing.T) {
	s := newStore[Map](t, chunked(Options{}))
	two, three := jar{}, jar{}
	two.get(t, sizer(s), "/?n=5000")
	three.get(t, sizer(s), "/?n=9000")
	if len(two) != 2 || len(three) != 3 {
		t.Fatalf("sessions of %d and %d chunks, want 2 and 3", len(two), len(three))
	}
	get := func(st *Store[Map], header string) error {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", header)
		return st.Get(r).Err()
	}
	for _, c := range []struct{ header, want string }{
		{"session=" + two["session"], `chunk 2 (session~2) is missing: chunk 1 (session) fills the 4092-byte budget`},
		{"session~2=" + two["session~2"], "chunk 1 of 2 is missing"},
		{"session=" + three["session"] + "; session~2=" + three["session~2"], `chunk 3 (session~3) is missing`},
	} {
		if err := get(s, c.header); !errors.Is(err, ErrChunks) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.40s...: %v, want ErrChunks %q", c.header, err, c.want)
		}
	}
	// A store that never writes chunk 2 does not claim it is missing.
	if err := get(newStore[Map](t, Options{}), "session="+two["session"]); errors.Is(err, ErrChunks) {
		t.Errorf("MaxChunks 1: %v", err)
	}

	one := jar{}
	one.get(t, sizer(s), "/?n=100")
	v := one["session"]
	for cut := 1; cut <= 8; cut++ {
		err := get(s, "session="+v[:len(v)-cut])
		if strings.Contains(err.Error(), "not base64url") || !(errors.Is(err, ErrMalformed) && strings.Contains(err.Error(), "cut short") || errors.Is(err, ErrAuthentication)) {
			t.Errorf("value cut by %d: %v", cut, err)
		}
	}
	if err := get(s, "session="+v[:10]+"!"+v[11:]); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "not base64url: character 11 of") {
		t.Errorf("a character outside the alphabet: %v", err)
	}
}

// TestSaveDeletesOnlyCarriedChunks checks that a save writes deletion lines
// only for the chunk cookies the request carried: a one-chunk save sends
// one line whatever MaxChunks is.
func TestSaveDeletesOnlyCarriedChunks(t *testing.T) {
	h := sizer(newStore[Map](t, chunked(Options{MaxChunks: 3})))
	j := jar{}
	for _, target := range []string{"/?n=10", "/?n=20"} { // new, then changed
		if lines := j.setCookies(t, h, target); len(lines) != 1 {
			t.Fatalf("%s: one-chunk save sends %d lines: %q", target, len(lines), lines)
		}
	}
	j.get(t, h, "/?n=9000")
	if len(j) != 3 {
		t.Fatalf("3 chunks expected: %v", keys(j))
	}
	// Shrinking deletes the two chunks the request carried.
	if lines := j.setCookies(t, h, "/?n=30"); len(lines) != 3 || len(j) != 1 {
		t.Fatalf("shrinking to one chunk: %d lines, jar %v", len(lines), keys(j))
	}
}

// TestTwoTabsStaleChunks builds by hand what two tabs racing leave in a
// browser: one response wrote three chunks, another, answering a request
// that carried fewer, wrote fewer and deleted only those it carried, and
// arrived last. Its session must open, ignoring the stale chunks, and the
// next save must delete them, since the request then carries them.
func TestTwoTabsStaleChunks(t *testing.T) {
	h := sizer(newStore[Map](t, chunked(Options{MaxChunks: 3})))
	three, two, one := jar{}, jar{}, jar{}
	three.get(t, h, "/?n=9000")
	two.get(t, h, "/?n=5000")
	one.get(t, h, "/?n=10")
	if len(three) != 3 || len(two) != 2 || len(one) != 1 {
		t.Fatalf("jars: %v, %v, %v", keys(three), keys(two), keys(one))
	}
	for name, c := range map[string]struct {
		last  jar
		stale []string
		body  string
	}{
		"one, stale tail":      {one, []string{"session~2", "session~3"}, "10"},
		"one, stale after gap": {one, []string{"session~3"}, "10"},
		"two, stale tail":      {two, []string{"session~3"}, "5000"},
	} {
		t.Run(name, func(t *testing.T) {
			j := jar{}
			for k, v := range c.last {
				j[k] = v
			}
			for _, k := range c.stale {
				j[k] = three[k]
			}
			if rec := j.get(t, h, "/"); rec.Body.String() != c.body {
				t.Fatalf("the last response's session does not open: read %q", rec.Body.String())
			}
			lines := j.setCookies(t, h, "/?n=11")
			if len(lines) != 1+len(c.stale)+len(c.last)-1 || len(j) != 1 {
				t.Fatalf("the next save sends %d lines, leaves %v", len(lines), keys(j))
			}
			if rec := j.get(t, h, "/"); rec.Body.String() != "11" {
				t.Fatalf("read back %q", rec.Body.String())
			}
		})
	}
}

// TestFullLastPartDeletesNext checks the one case where a save deletes a
// chunk name the request did not carry: when the new value's last part
// fills the per-cookie budget, as the parts before it do, a reader would
// read on into a stale next part, so the save deletes it. A stale part
// after that gap is ignored.
func TestFullLastPartDeletesNext(t *testing.T) {
	h := sizer(newStore[Map](t, chunked(Options{})))
	for n := 6000; n < 6200; n++ {
		j := jar{}
		lines := j.setCookies(t, h, fmt.Sprintf("/?n=%d", n))
		if len(j) != 2 || len(j["session~2"])+len("session~2") != bounds.DefaultMaxCookieBytes {
			if len(lines) != len(j) {
				t.Fatalf("n=%d: %d lines for %d chunks", n, len(lines), len(j))
			}
			continue
		}
		if len(lines) != 3 || !strings.HasPrefix(lines[2], "session~3=;") {
			t.Fatalf("n=%d: the full last part's save sends %q", n, lines)
		}
		j["session~4"] = "AAAA"
		if rec := j.get(t, h, "/"); rec.Body.String() != fmt.Sprint(n) {
			t.Fatalf("n=%d: read %q behind a stale part", n, rec.Body.String())
		}
		return
	}
	t.Fatal("no value in the range fills its last part")
}

// TestChunksOfAnotherBudget checks that a value chunked under another
// MaxCookieBytes, whose parts do not fill this store's budget, still opens
// (in.whole), so that changing the budget logs no one out.
func TestChunksOfAnotherBudget(t *testing.T) {
	for _, budget := range []int{3000, bounds.MaxCookieBytesLimit} {
		j := jar{}
		j.get(t, sizer(newStore[Map](t, chunked(Options{MaxCookieBytes: budget}))), "/?n=7000")
		if len(j) < 2 {
			t.Fatalf("budget %d: chunks expected: %v", budget, keys(j))
		}
		s := newStore[Map](t, chunked(Options{}))
		if sess := s.Get(j.request("GET", "/")); sess.IsNew() || sess.Err() != nil {
			t.Errorf("budget %d: not opened under the default budget: %v", budget, sess.Err())
		}
	}
}

// TestDestroyDeletesEveryChunkName checks that Destroy deletes every chunk
// name up to MaxChunks, whether the request carried it or not, and those
// beyond it that the request carried: a logout leaves no part of a value,
// even one a racing response wrote.
func TestDestroyDeletesEveryChunkName(t *testing.T) {
	h := sizer(newStore[Map](t, chunked(Options{MaxChunks: 3})))
	j := jar{}
	j.get(t, h, "/?n=10")
	j["session~5"] = "AAAA"
	lines := j.setCookies(t, h, "/?destroy=1")
	var names []string
	for _, l := range lines {
		name, _, _ := strings.Cut(l, "=")
		if !testjar.Expires(l[strings.IndexByte(l, ';'):]) {
			t.Errorf("not a deletion: %q", l)
		}
		names = append(names, name)
	}
	if want := []string{"session", "session~2", "session~3", "session~5"}; !slices.Equal(names, want) || len(j) != 0 {
		t.Fatalf("Destroy deletes %q, want %q; jar %v", names, want, keys(j))
	}
}

// The store's chunk reader (readChunks) held to a plain reference reader
// and to net/http's own parser, on random Cookie headers and on every
// layout of chunks (package migrate tests the Express reader the same way).
// Store.Get on hostile headers: cookiesession_test.go.

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
