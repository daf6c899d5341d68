package cookiesession

// The store's chunk reader (readChunks) held to a plain reference reader
// and to net/http's own parser, on random Cookie headers and on every
// layout of chunks (package migrate tests the Express reader the same way).
// Store.Get on hostile headers: cookiesession_test.go.

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

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
