package httpwrap

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// checks test each optional interface, in the order of the bits.
var checks = []struct {
	name string
	has  func(http.ResponseWriter) bool
}{
	{"Flusher", func(w http.ResponseWriter) bool { _, ok := w.(http.Flusher); return ok }},
	{"Hijacker", func(w http.ResponseWriter) bool { _, ok := w.(http.Hijacker); return ok }},
	{"Pusher", func(w http.ResponseWriter) bool { _, ok := w.(http.Pusher); return ok }},
	{"ReaderFrom", func(w http.ResponseWriter) bool { _, ok := w.(io.ReaderFrom); return ok }},
	//lint:ignore SA1019 deliberate: checked as frameworks do
	{"CloseNotifier", func(w http.ResponseWriter) bool { _, ok := w.(http.CloseNotifier); return ok }},
}

// interfaces lists the optional interfaces w has.
func interfaces(w http.ResponseWriter) []string {
	var got []string
	for _, c := range checks {
		if c.has(w) {
			got = append(got, c.name)
		}
	}
	return got
}

// bare has none of the optional interfaces.
type bare struct{ h http.Header }

func (b *bare) Header() http.Header         { return b.h }
func (b *bare) Write(p []byte) (int, error) { return len(p), nil }
func (b *bare) WriteHeader(int)             {}

// full has every optional interface, each recording its call.
type full struct {
	bare
	calls []string
}

func (f *full) Flush() { f.calls = append(f.calls, "Flush") }
func (f *full) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	f.calls = append(f.calls, "Hijack")
	return nil, nil, nil
}
func (f *full) Push(string, *http.PushOptions) error {
	f.calls = append(f.calls, "Push")
	return nil
}
func (f *full) ReadFrom(io.Reader) (int64, error) {
	f.calls = append(f.calls, "ReadFrom")
	return 0, nil
}
func (f *full) CloseNotify() <-chan bool {
	f.calls = append(f.calls, "CloseNotify")
	return nil
}

// unwrapper hides w's optional interfaces but unwraps to it, as
// http.ResponseController follows.
type unwrapper struct{ http.ResponseWriter }

func (u unwrapper) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// flushErrorOnly has FlushError but not Flush, as some wrappers do.
type flushErrorOnly struct{ http.ResponseWriter }

func (flushErrorOnly) FlushError() error { return nil }

// outer is a wrapping writer recording which of its actions ran.
type outer struct {
	http.ResponseWriter
	ran []string
}

func (o *outer) Unwrap() http.ResponseWriter { return o.ResponseWriter }
func (o *outer) FlushError() error {
	o.ran = append(o.ran, "FlushError")
	return http.NewResponseController(o.ResponseWriter).Flush()
}
func (o *outer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	o.ran = append(o.ran, "Hijack")
	return http.NewResponseController(o.ResponseWriter).Hijack()
}
func (o *outer) ReadFrom(src io.Reader) (int64, error) {
	o.ran = append(o.ran, "ReadFrom")
	return o.ResponseWriter.(io.ReaderFrom).ReadFrom(src)
}

// TestWrapInterfaces checks that Wrap's writer has exactly the optional
// interfaces of the writer it wraps, or, for Flush and Hijack, of what
// that one unwraps to.
func TestWrapInterfaces(t *testing.T) {
	for _, c := range []struct {
		name string
		w    http.ResponseWriter
		want string
	}{
		{"bare", &bare{h: http.Header{}}, ""},
		{"recorder", httptest.NewRecorder(), "Flusher"},
		{"full", &full{bare: bare{h: http.Header{}}}, "Flusher,Hijacker,Pusher,ReaderFrom,CloseNotifier"},
		{"unwraps to full", unwrapper{&full{bare: bare{h: http.Header{}}}}, "Flusher,Hijacker"},
		{"FlushError only", flushErrorOnly{&bare{h: http.Header{}}}, "Flusher"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(interfaces(Wrap(&outer{ResponseWriter: c.w})), ",")
			if got != c.want {
				t.Fatalf("wrapped: %q, want %q", got, c.want)
			}
		})
	}
}

// TestWrapRoutes checks that each optional method goes through the
// wrapping writer's action (Flush, Hijack, ReadFrom) or straight to the
// wrapped writer (Push, CloseNotify), and that Unwrap reaches the wrapped
// writer.
func TestWrapRoutes(t *testing.T) {
	f := &full{bare: bare{h: http.Header{}}}
	o := &outer{ResponseWriter: f}
	w := Wrap(o)
	w.(http.Flusher).Flush()
	if err := http.NewResponseController(w).Flush(); err != nil {
		t.Fatal(err)
	}
	w.(http.Hijacker).Hijack()
	w.(io.ReaderFrom).ReadFrom(strings.NewReader("x"))
	w.(http.Pusher).Push("/", nil)
	//lint:ignore SA1019 deliberate: the pass-through is under test
	w.(http.CloseNotifier).CloseNotify()
	if want := []string{"FlushError", "FlushError", "Hijack", "ReadFrom"}; !slices.Equal(o.ran, want) {
		t.Fatalf("actions %v, want %v", o.ran, want)
	}
	if want := []string{"Flush", "Flush", "Hijack", "ReadFrom", "Push", "CloseNotify"}; !slices.Equal(f.calls, want) {
		t.Fatalf("wrapped writer's calls %v, want %v", f.calls, want)
	}
	if w.(interface{ Unwrap() http.ResponseWriter }).Unwrap() != f {
		t.Fatal("Unwrap does not return the wrapped writer")
	}
	w.Header().Set("A", "1")
	if n, err := w.Write([]byte("ab")); n != 2 || err != nil || f.h.Get("A") != "1" {
		t.Fatalf("Write = %d, %v; header %v", n, err, f.h)
	}
}

// TestWrapAllCombinations checks all 32 combinations of the optional
// interfaces: the generated switch has a case for each, giving exactly
// the interfaces asked for.
func TestWrapAllCombinations(t *testing.T) {
	seen := map[string]bool{}
	for bits := range 1 << len(checks) {
		var want []string
		for i, c := range checks {
			if bits>>i&1 == 1 {
				want = append(want, c.name)
			}
		}
		got := interfaces(wrapBits(bits))
		if !slices.Equal(got, want) {
			t.Fatalf("bits %05b: %v, want %v", bits, got, want)
		}
		seen[strings.Join(got, ",")] = true
	}
	if len(seen) != 32 {
		t.Fatalf("%d distinct combinations, want 32", len(seen))
	}
}

// wrapBits is the generated wrap of a writer over one with every
// interface, offering those in bits.
func wrapBits(bits int) http.ResponseWriter {
	return wrap(&outer{ResponseWriter: &full{bare: bare{h: http.Header{}}}}, bits)
}

// http1Like has the optional interfaces of net/http's HTTP/1.x writer:
// all but Pusher.
type http1Like struct{ full }

// Push hides full's: http1Like is not an http.Pusher.
func (*http1Like) Push() {}

// http2Like has the optional interfaces of net/http's HTTP/2 writer:
// Flusher, Pusher and CloseNotifier.
type http2Like struct{ full }

// Hijack and ReadFrom hide full's.
func (*http2Like) Hijack()   {}
func (*http2Like) ReadFrom() {}

// TestWrapIn checks that WrapIn gives the interfaces Wrap gives, and keeps
// the wrapper of a writer with the interfaces of net/http's HTTP/1.x or
// HTTP/2 writer or httptest.ResponseRecorder in the room without
// allocating (net/http's own HTTP/1.x writer among them).
func TestWrapIn(t *testing.T) {
	for _, c := range []struct {
		w    http.ResponseWriter
		free bool // no allocation: kept in the room, or no interface to add
	}{
		{&bare{h: http.Header{}}, true},
		{&full{bare: bare{h: http.Header{}}}, false},
		{httptest.NewRecorder(), true},
		{&http1Like{full{bare: bare{h: http.Header{}}}}, true},
		{&http2Like{full{bare: bare{h: http.Header{}}}}, true},
	} {
		o := &outer{ResponseWriter: c.w}
		var room Room[*outer]
		if got, want := interfaces(WrapIn(o, &room)), interfaces(Wrap(o)); !slices.Equal(got, want) {
			t.Fatalf("%T: WrapIn %v, Wrap %v", c.w, got, want)
		}
		if allocs := testing.AllocsPerRun(100, func() { _ = WrapIn(o, &room) }); (allocs == 0) != c.free {
			t.Errorf("%T: WrapIn allocates %v times, want none: %v", c.w, allocs, c.free)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := &outer{ResponseWriter: w}
		var room Room[*outer]
		got := strings.Join(interfaces(WrapIn(o, &room)), ",")
		allocs := testing.AllocsPerRun(100, func() { _ = WrapIn(o, &room) })
		if want := strings.Join(interfaces(w), ","); got != want || want != "Flusher,Hijacker,ReaderFrom,CloseNotifier" {
			t.Errorf("WrapIn of net/http's writer: %q, the writer %q", got, want)
		}
		if allocs != 0 {
			t.Errorf("WrapIn of net/http's writer: %v allocations, want 0", allocs)
		}
	}))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}
