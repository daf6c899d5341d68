package main

import (
	"bufio"
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/sessiontest"
)

func testStore(t *testing.T) *cookiesession.Store[session] {
	t.Helper()
	store, err := newStore([][]byte{cookiesession.GenerateKey()})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// stream is one open event stream.
type stream struct {
	resp *http.Response
	r    *bufio.Reader
}

// open starts GET /events with c and returns as soon as the response
// header has arrived, the stream still open.
func open(t *testing.T, ctx context.Context, c *http.Client, url string) *stream {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/events", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /events: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	return &stream{resp, bufio.NewReader(resp.Body)}
}

// event reads the stream's next event, its lines joined by "|".
func (s *stream) event(t *testing.T) string {
	t.Helper()
	var lines []string
	for {
		l, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v (after %q)", err, lines)
		}
		if l = strings.TrimSuffix(l, "\n"); l == "" {
			return strings.Join(lines, "|")
		}
		lines = append(lines, l)
	}
}

// TestCookieBeforeFirstEvent opens a stream over real HTTPS: the cookie
// comes with the response header, before the first event, while the
// handler goes on streaming; a second stream, opened while the first still
// runs, sends that cookie back and sees the first stream counted.
func TestCookieBeforeFirstEvent(t *testing.T) {
	srv := httptest.NewTLSServer(routes(testStore(t), 20*time.Millisecond))
	defer srv.Close()
	c := srv.Client()
	c.Jar, _ = cookiejar.New(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	first := open(t, ctx, c, srv.URL)
	if sc := first.resp.Header.Get("Set-Cookie"); !strings.HasPrefix(sc, "__Host-session=") || !strings.Contains(sc, "; Secure") {
		t.Fatalf("the stream's header carries Set-Cookie %q", sc)
	}
	if got := first.event(t); got != "event: hello|data: stream 1" {
		t.Fatalf("first event %q", got)
	}
	if got := first.event(t); !strings.HasPrefix(got, "id: 1|data: ") {
		t.Fatalf("second event %q: the stream did not go on", got)
	}

	second := open(t, ctx, c, srv.URL)
	if got := second.event(t); got != "event: hello|data: stream 2" {
		t.Fatalf("second stream's first event %q", got)
	}
	if got := first.event(t); !strings.HasPrefix(got, "id: ") {
		t.Fatalf("the first stream stopped: %q", got)
	}
}

// TestStreamWithSessiontest runs the stream handler on a request that
// already carries a session, its client already gone, and reads back the
// session the stream's header carried.
func TestStreamWithSessiontest(t *testing.T) {
	store := testStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the handler sends its hello, then sees the client gone
	req := sessiontest.NewRequest(store, "GET", "/events", session{Streams: 41}).WithContext(ctx)
	rec := httptest.NewRecorder()
	routes(store, time.Hour).ServeHTTP(rec, req)
	if !rec.Flushed || rec.Body.String() != "event: hello\ndata: stream 42\n\n" {
		t.Fatalf("flushed %v, body %q", rec.Flushed, rec.Body)
	}
	if got, ok := sessiontest.Data(store, rec); !ok || got.Streams != 42 {
		t.Fatalf("Data = %+v, %v; want 42 streams", got, ok)
	}
}
