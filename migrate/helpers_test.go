package migrate

// Helpers shared by the package's tests: a store under test, and a cookie
// jar that replays Set-Cookie lines the way a browser does.

import (
	"context"
	"crypto/sha256"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

// testKey returns a fixed master key that looks random: SHA-256 of b.
func testKey(b byte) []byte { k := sha256.Sum256([]byte{b}); return k[:] }

// newStore returns a store with o, a test key unless o has keys, and
// Secure off unless o sets it.
func newStore[T any](t testing.TB, o cookiesession.Options) *cookiesession.Store[T] {
	t.Helper()
	if o.Keys == nil {
		o.Keys = [][]byte{testKey(1)}
	}
	if o.Secure == cookiesession.SecureAuto {
		o.Secure = cookiesession.SecureNever
	}
	s, err := cookiesession.New[T](o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// onRejected returns an Options.OnEvent that passes each refused cookie's
// error (EventExpired, EventRejected) to f.
func onRejected(f func(err error)) func(context.Context, cookiesession.Event) {
	return func(_ context.Context, e cookiesession.Event) {
		if e.Kind == cookiesession.EventExpired || e.Kind == cookiesession.EventRejected {
			f(e.Err)
		}
	}
}

// jar replays cookies between requests the way a browser would, by name.
// It reads Set-Cookie lines itself: net/http's parser drops names such as
// "express:sess" that legacy formats use.
type jar map[string]string

// header is the jar as a Cookie header, in name order.
func (j jar) header() string { return testjar.Header(j) }

// serve is testjar.Serve: the Set-Cookie lines as sent, applied to the jar.
func (j jar) serve(h http.Handler) []string { return testjar.Serve(j, h) }

// hostileHeaders returns Cookie headers of about 1 MB (Go's
// http.DefaultMaxHeaderBytes), the most a net/http server accepts, by
// name; valid, a genuine session's cookies, ends the last two.
func hostileHeaders(valid string) map[string][]string {
	var many []string
	for i := 0; i < 10000; i++ {
		many = append(many, "c"+strconv.Itoa(i)+"="+strings.Repeat("v", 94))
	}
	spaces := strings.Repeat(" ", 1000)
	return map[string][]string{
		"semicolons":     {strings.Repeat(";", 1<<20)},
		"pairs":          {strings.Repeat("a=b;", 200000)},
		"duplicates":     {strings.Repeat("session=x;", 80000)},
		"prefixNames":    {strings.Repeat("sessionx=1;", 80000)},
		"lines":          many,
		"whitespace":     {strings.Repeat(";"+spaces+"sessionx=1"+spaces, 500)},
		"validOnly":      {"a=b; " + valid},
		"validAfterJunk": {strings.Repeat("a=b; ", 100000) + valid},
	}
}

// getCost returns what one s.Get(r) allocates: allocations and bytes.
func getCost(s *cookiesession.Store[cookiesession.Map], r *http.Request) (allocs float64, bytes uint64) {
	allocs = testing.AllocsPerRun(10, func() { s.Get(r) })
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 10
	for i := 0; i < runs; i++ {
		s.Get(r)
	}
	runtime.ReadMemStats(&after)
	return allocs, (after.TotalAlloc - before.TotalAlloc) / runs
}
