package fasthttpsession_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/fasthttpsession"
	"github.com/cookiesession/cookiesession/sessiontest"
	"github.com/valyala/fasthttp"
)

type counter struct {
	N    int    `json:"n"`
	Note string `json:"note,omitempty"`
}

// events collects the store's lifecycle events.
type events struct {
	mu  sync.Mutex
	all []cookiesession.EventKind
	ch  chan cookiesession.Event
}

func (e *events) add(_ context.Context, ev cookiesession.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev.Kind)
	e.mu.Unlock()
	if ev.Kind == cookiesession.EventLostChange {
		e.ch <- ev
	}
}

// lost waits for the next EventLostChange.
func (e *events) lost(t *testing.T) *cookiesession.LostChangeError {
	t.Helper()
	select {
	case ev := <-e.ch:
		var lc *cookiesession.LostChangeError
		if !errors.As(ev.Err, &lc) {
			t.Fatalf("EventLostChange with Err %v, want a *LostChangeError", ev.Err)
		}
		return lc
	case <-time.After(10 * time.Second):
		t.Fatal("no EventLostChange reported")
		return nil
	}
}

// none checks that no EventLostChange was reported.
func (e *events) none(t *testing.T) {
	t.Helper()
	select {
	case ev := <-e.ch:
		t.Fatalf("unexpected EventLostChange: %v", ev.Err)
	default:
	}
}

// newStore returns a store of o with a fresh key, whose events go to the
// returned collector.
func newStore(t testing.TB, o cookiesession.Options) (*cookiesession.Store[counter], *events) {
	t.Helper()
	ev := &events{ch: make(chan cookiesession.Event, 8)}
	o.Keys = [][]byte{cookiesession.GenerateKey()}
	o.OnEvent = ev.add
	s, err := cookiesession.New[counter](o)
	if err != nil {
		t.Fatal(err)
	}
	return s, ev
}

// serve runs h on a real fasthttp server on a loopback TCP listener,
// over TLS when tlsOn, and returns its base URL and a client for it.
func serve(t testing.TB, h fasthttp.RequestHandler, tlsOn bool) (string, *http.Client) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// fasthttp's default 4 KB read buffer is too small for a full cookie
	// (4,092 bytes) and the rest of the header: see README.md.
	srv := &fasthttp.Server{Handler: h, ReadBufferSize: 16 << 10}
	scheme := "http"
	if tlsOn {
		scheme = "https"
		cert, key := selfSigned(t)
		go func() { _ = srv.ServeTLSEmbed(ln, cert, key) }()
	} else {
		go func() { _ = srv.Serve(ln) }()
	}
	t.Cleanup(func() { _ = srv.Shutdown() })
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return scheme + "://" + ln.Addr().String(), &http.Client{Transport: tr}
}

// selfSigned returns a PEM certificate and key for 127.0.0.1.
func selfSigned(t testing.TB) ([]byte, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"example.test"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})
}

// increment is a counter handler: it adds one and answers the count.
func increment(s *cookiesession.Store[counter]) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		sess := fasthttpsession.Get(s, ctx)
		sess.Data.N++
		fmt.Fprintf(ctx, "%d", sess.Data.N)
	}
}

// do sends a request with the given host (none: the URL's) and headers,
// and returns the response with its body read.
func do(t testing.TB, c *http.Client, method, url, host string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// recorded returns resp's header as a recorder, for sessiontest.Data.
func recorded(resp *http.Response) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	for k, v := range resp.Header {
		rec.Header()[k] = v
	}
	rec.WriteHeader(resp.StatusCode)
	return rec
}

func TestCounterRoundTrip(t *testing.T) {
	s, ev := newStore(t, cookiesession.Options{})
	url, c := serve(t, fasthttpsession.Middleware(s, increment(s)), false)
	jar, _ := cookiejar.New(nil)
	c.Jar = jar
	for want := 1; want <= 3; want++ {
		resp, body := do(t, c, "GET", url+"/", "")
		if body != fmt.Sprint(want) || resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %q, want 200 %d", want, resp.StatusCode, body, want)
		}
		if got := resp.Header.Values("Set-Cookie"); len(got) != 1 || !strings.HasPrefix(got[0], "session=") {
			t.Fatalf("request %d: Set-Cookie %q, want one session line", want, got)
		}
		if v := resp.Header.Get("Vary"); v != "Cookie" {
			t.Errorf("Vary %q, want Cookie", v)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("Cache-Control %q, want private", cc)
		}
		if d, ok := sessiontest.Data(s, recorded(resp)); !ok || d.N != want {
			t.Errorf("sessiontest.Data = %+v %v, want N %d", d, ok, want)
		}
	}
	ev.none(t)
}

// TestHeaderMerge: Vary and Cache-Control the handler set are merged as
// Update.Apply merges them, and the handler's own cookies are kept.
func TestHeaderMerge(t *testing.T) {
	s, _ := newStore(t, cookiesession.Options{})
	h := func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.Set("Vary", "Accept-Encoding")
		ctx.Response.Header.Set("Cache-Control", "public, max-age=60")
		ctx.Response.Header.Add("Set-Cookie", "theme=dark; Path=/")
		ctx.Response.Header.Add("Set-Cookie", "lang=en; Path=/")
		increment(s)(ctx)
	}
	url, c := serve(t, fasthttpsession.Middleware(s, h), false)
	resp, _ := do(t, c, "GET", url, "")
	if v := strings.Join(resp.Header.Values("Vary"), ", "); !strings.Contains(v, "Accept-Encoding") || !strings.Contains(v, "Cookie") {
		t.Errorf("Vary %q, want Accept-Encoding and Cookie", v)
	}
	if cc := resp.Header.Get("Cache-Control"); strings.Contains(cc, "public") || !strings.Contains(cc, "private") {
		t.Errorf("Cache-Control %q, want private in place of public", cc)
	}
	if got := resp.Header.Values("Set-Cookie"); len(got) != 3 {
		t.Errorf("Set-Cookie %q, want theme, lang and session", got)
	}
}

func TestChunkedRoundTrip(t *testing.T) {
	s, _ := newStore(t, cookiesession.Options{MaxChunks: 3, MaxCookieBytes: 1500, MaxTotalBytes: 4500})
	note := strings.Repeat("0123456789abcdef", 200) // 3,200 bytes: three chunks
	h := func(ctx *fasthttp.RequestCtx) {
		sess := fasthttpsession.Get(s, ctx)
		if string(ctx.Path()) == "/set" {
			sess.Data.Note = note
		}
		fmt.Fprintf(ctx, "%d", len(sess.Data.Note))
	}
	url, c := serve(t, fasthttpsession.Middleware(s, h), false)
	jar, _ := cookiejar.New(nil)
	c.Jar = jar
	resp, _ := do(t, c, "GET", url+"/set", "")
	lines := resp.Header.Values("Set-Cookie")
	if len(lines) != 3 {
		t.Fatalf("Set-Cookie: %d lines, want 3 chunks: %q", len(lines), lines)
	}
	if d, ok := sessiontest.Data(s, recorded(resp)); !ok || d.Note != note {
		t.Fatalf("sessiontest.Data: %v, note of %d bytes", ok, len(d.Note))
	}
	if _, body := do(t, c, "GET", url+"/get", ""); body != fmt.Sprint(len(note)) {
		t.Fatalf("read back %s bytes, want %d", body, len(note))
	}
}

func TestLogout(t *testing.T) {
	s, _ := newStore(t, cookiesession.Options{MaxChunks: 3, MaxCookieBytes: 1500, MaxTotalBytes: 4500})
	h := func(ctx *fasthttp.RequestCtx) { fasthttpsession.Get(s, ctx).Destroy() }
	url, c := serve(t, fasthttpsession.Middleware(s, h), false)
	r := sessiontest.NewRequest(s, "GET", "http://localhost/", counter{N: 7, Note: strings.Repeat("x", 3000)})
	resp, _ := do(t, c, "GET", url+"/logout", "", "Cookie", r.Header.Get("Cookie"))
	lines := resp.Header.Values("Set-Cookie")
	if len(lines) < 3 {
		t.Fatalf("Set-Cookie %q, want a deletion of each of the 3 chunks", lines)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge >= 0 && c.Value != "" {
			t.Errorf("cookie %s not deleted: %q", c.Name, c.Raw)
		}
	}
	if _, ok := sessiontest.Data(s, recorded(resp)); ok {
		t.Error("sessiontest.Data found a session after the logout")
	}
}

func TestUntouchedSendsNothing(t *testing.T) {
	s, _ := newStore(t, cookiesession.Options{})
	h := func(ctx *fasthttp.RequestCtx) {
		if string(ctx.Path()) == "/read" {
			_ = fasthttpsession.Get(s, ctx).Data.N
		}
		ctx.WriteString("ok")
	}
	url, c := serve(t, fasthttpsession.Middleware(s, h), false)
	r := sessiontest.NewRequest(s, "GET", "http://localhost/", counter{N: 1})
	for _, path := range []string{"/", "/read"} {
		resp, _ := do(t, c, "GET", url+path, "", "Cookie", r.Header.Get("Cookie"))
		if got := resp.Header.Values("Set-Cookie"); len(got) != 0 {
			t.Errorf("%s: Set-Cookie %q, want none", path, got)
		}
	}
}

// TestSecureRules: plain HTTP to a non-loopback host fails loudly under
// SecureAlways, TLS and a trusted proxy's X-Forwarded-Proto pass, and an
// untrusted peer's header is not believed.
func TestSecureRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		tls     bool
		hdr     []string
		secure  bool
	}{
		{"plain", nil, false, nil, false},
		{"tls", nil, true, nil, true},
		{"trusted XFP", []string{"loopback"}, false, []string{"X-Forwarded-Proto", "https"}, true},
		{"trusted Forwarded", []string{"loopback"}, false, []string{"Forwarded", "proto=https"}, true},
		{"untrusted XFP", nil, false, []string{"X-Forwarded-Proto", "https"}, false},
		{"trusted says http", []string{"loopback"}, true, []string{"X-Forwarded-Proto", "http"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []cookiesession.SecureMode{cookiesession.SecureAuto, cookiesession.SecureAlways} {
				s, _ := newStore(t, cookiesession.Options{Secure: mode, TrustedProxies: tc.trusted})
				url, c := serve(t, fasthttpsession.Middleware(s, increment(s)), tc.tls)
				resp, body := do(t, c, "GET", url, "example.test", tc.hdr...)
				lines := resp.Header.Values("Set-Cookie")
				switch {
				case mode == cookiesession.SecureAlways && !tc.secure:
					if resp.StatusCode != 500 || len(lines) != 0 || body == "1" {
						t.Errorf("%v: %d %q, Set-Cookie %q; want 500 without a cookie", mode, resp.StatusCode, body, lines)
					}
				case len(lines) != 1 || strings.Contains(lines[0], "; Secure") != tc.secure:
					t.Errorf("%v: Set-Cookie %q, want Secure %v", mode, lines, tc.secure)
				}
			}
		})
	}
}

// TestSaveFailureAnswers: a session that cannot be saved answers a fixed
// 500 that carries neither the error's text nor anything of the
// handler's, sets no cookie, and logs the error at level Error;
// Options.ErrorHandler, typed for net/http, is not called.
func TestSaveFailureAnswers(t *testing.T) {
	var logBuf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logBuf, nil)))
	defer slog.SetDefault(old)
	called := false
	s, ev := newStore(t, cookiesession.Options{ErrorHandler: func(http.ResponseWriter, *http.Request, error) { called = true }})
	h := func(ctx *fasthttp.RequestCtx) {
		fasthttpsession.Get(s, ctx).Data.Note = "topsecret" + strings.Repeat("x", 10000)
		ctx.Response.Header.Set("X-Inner", "1")
		ctx.Response.Header.Add("Set-Cookie", "theme=dark")
		ctx.WriteString("handler body")
	}
	url, c := serve(t, fasthttpsession.Middleware(s, h), false)
	resp, body := do(t, c, "GET", url, "")
	if resp.StatusCode != 500 || body != "Internal Server Error: the session could not be saved\n" || len(resp.Header.Values("Set-Cookie")) != 0 || resp.Header.Get("X-Inner") != "" {
		t.Fatalf("%d %q %v, want the fixed 500 and nothing of the handler's", resp.StatusCode, body, resp.Header)
	}
	if called {
		t.Error("Options.ErrorHandler called")
	}
	out := logBuf.String()
	if strings.Count(out, "level=ERROR") != 1 || !strings.Contains(out, "session not saved") || !strings.Contains(out, "too large") || strings.Contains(out, "topsecret") {
		t.Errorf("log: %s", out)
	}
	ev.none(t)
}

// TestSaveFailureCancelsHijack: the 500 of a session that cannot be saved
// is the whole answer: a hijack handler set by next does not run after it.
func TestSaveFailureCancelsHijack(t *testing.T) {
	s, _ := newStore(t, cookiesession.Options{})
	ran := make(chan struct{}, 1)
	h := func(ctx *fasthttp.RequestCtx) {
		fasthttpsession.Get(s, ctx).Data.Note = strings.Repeat("x", 10000)
		ctx.Hijack(func(net.Conn) { ran <- struct{}{} })
	}
	url, c := serve(t, fasthttpsession.Middleware(s, h), false)
	tr := &http.Transport{} // keep-alive: fasthttp hijacks no closing request
	t.Cleanup(tr.CloseIdleConnections)
	c.Transport = tr
	if resp, _ := do(t, c, "GET", url, ""); resp.StatusCode != 500 {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	select {
	case <-ran:
		t.Fatal("the hijack handler ran after the 500")
	case <-time.After(200 * time.Millisecond):
	}
}

func TestStreamWriterLateChange(t *testing.T) {
	s, ev := newStore(t, cookiesession.Options{})
	saved := make(chan struct{})
	h := func(ctx *fasthttp.RequestCtx) {
		sess := fasthttpsession.Get(s, ctx)
		sess.Data.N = 1 // saved: before the response
		ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
			// fasthttp starts the stream writer at once: wait for the
			// middleware to have saved, as the response header waits.
			<-saved
			w.WriteString("streamed")
			sess.Data.N = 2 // lost: the header is gone
		})
	}
	mw := fasthttpsession.Middleware(s, h)
	url, c := serve(t, func(ctx *fasthttp.RequestCtx) { mw(ctx); close(saved) }, false)
	resp, body := do(t, c, "GET", url, "")
	if d, ok := sessiontest.Data(s, recorded(resp)); body != "streamed" || !ok || d.N != 1 {
		t.Fatalf("%q, session %+v %v; want the stream and N 1", body, d, ok)
	}
	lc := ev.lost(t)
	if !errors.Is(lc, cookiesession.ErrAlreadyWritten) || lc.What != "Data" || lc.Hijacked || lc.Panicked {
		t.Fatalf("lost change %+v (%v), want Data after the response started", lc, lc)
	}
}

func TestStreamWriterNoChange(t *testing.T) {
	s, ev := newStore(t, cookiesession.Options{})
	h := func(ctx *fasthttp.RequestCtx) {
		fasthttpsession.Get(s, ctx).Data.N = 1
		ctx.SetBodyStreamWriter(func(w *bufio.Writer) { w.WriteString("streamed") })
	}
	url, c := serve(t, fasthttpsession.Middleware(s, h), false)
	do(t, c, "GET", url, "")
	do(t, c, "GET", url, "") // the first request's state is released by now
	time.Sleep(100 * time.Millisecond)
	ev.none(t)
}

func TestHijackLateChange(t *testing.T) {
	s, ev := newStore(t, cookiesession.Options{})
	h := func(ctx *fasthttp.RequestCtx) {
		sess := fasthttpsession.Get(s, ctx)
		ctx.Hijack(func(net.Conn) { sess.AddFlash("after the upgrade") })
	}
	url, c := serve(t, fasthttpsession.Middleware(s, h), false)
	// fasthttp runs no hijack handler for a request that closes the
	// connection, which a client without keep-alives sends.
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c.Transport = tr
	do(t, c, "GET", url, "")
	lc := ev.lost(t)
	if !errors.Is(lc, cookiesession.ErrHijacked) || !lc.Hijacked || !strings.Contains(lc.What, "flash messages") {
		t.Fatalf("lost change %+v, want flash messages after a hijack", lc)
	}
}

func TestPanicReported(t *testing.T) {
	s, ev := newStore(t, cookiesession.Options{})
	recovered := make(chan any, 1)
	h := fasthttpsession.Middleware(s, func(ctx *fasthttp.RequestCtx) {
		fasthttpsession.Get(s, ctx).Data.N = 5
		panic("boom")
	})
	outer := func(ctx *fasthttp.RequestCtx) {
		defer func() {
			recovered <- recover()
			ctx.Error("recovered", 500)
		}()
		h(ctx)
	}
	url, c := serve(t, outer, false)
	resp, _ := do(t, c, "GET", url, "")
	if v := <-recovered; v != "boom" || resp.StatusCode != 500 {
		t.Fatalf("outer recovered %v (status %d), want the handler's panic to go on", v, resp.StatusCode)
	}
	lc := ev.lost(t)
	if !errors.Is(lc, cookiesession.ErrPanicked) || lc.What != "Data" {
		t.Fatalf("lost change %+v, want Data, panicked", lc)
	}
}

// TestNested: the middleware applied twice with one store saves once.
func TestNested(t *testing.T) {
	s, _ := newStore(t, cookiesession.Options{})
	url, c := serve(t, fasthttpsession.Middleware(s, fasthttpsession.Middleware(s, increment(s))), false)
	resp, body := do(t, c, "GET", url, "")
	if got := resp.Header.Values("Set-Cookie"); body != "1" || len(got) != 1 {
		t.Fatalf("%q, Set-Cookie %q; want 1 and one line", body, got)
	}
}

// TestGetOutsideMiddleware: Get without the middleware opens the cookie.
func TestGetOutsideMiddleware(t *testing.T) {
	s, _ := newStore(t, cookiesession.Options{})
	url, c := serve(t, func(ctx *fasthttp.RequestCtx) {
		fmt.Fprint(ctx, fasthttpsession.Get(s, ctx).Data.N)
	}, false)
	r := sessiontest.NewRequest(s, "GET", "http://localhost/", counter{N: 41})
	if _, body := do(t, c, "GET", url, "", "Cookie", r.Header.Get("Cookie")); body != "41" {
		t.Fatalf("read %q, want 41", body)
	}
}

// TestHostileCookies sends hostile Cookie headers over a raw connection:
// each gets an answer, with a fresh session.
func TestHostileCookies(t *testing.T) {
	s, _ := newStore(t, cookiesession.Options{MaxChunks: 3})
	url, _ := serve(t, fasthttpsession.Middleware(s, increment(s)), false)
	addr := strings.TrimPrefix(url, "http://")
	valid := sessiontest.NewRequest(s, "GET", "http://localhost/", counter{N: 1}).Header.Get("Cookie")
	for i, cookie := range []string{
		"session=" + strings.Repeat("A", 6000),
		"session=%zz%00\xff; session=; session.1=x; session.2=y; session.9999999999=z",
		"session.1=" + valid[len("session="):] + "; session.2=" + valid[len("session="):],
		valid[:len(valid)-3],
		valid + "\x01",
		strings.Repeat("a=b;", 1000),
		"session=\"" + strings.Repeat("\"", 100),
		"session.0=a; session.-1=b; session.01=c; session.1=",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: localhost\r\nCookie: %s\r\nConnection: close\r\n\r\n", cookie)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 431 && resp.StatusCode != 400 {
			t.Errorf("case %d: status %d", i, resp.StatusCode)
		}
		if resp.StatusCode == 200 && string(b) != "1" {
			t.Errorf("case %d: count %q, want a fresh session's 1", i, b)
		}
	}
}

// TestDefaultReadBufferTooSmall pins what README.md says: fasthttp's
// default ReadBufferSize refuses a request carrying a full session cookie
// before any handler runs.
func TestDefaultReadBufferTooSmall(t *testing.T) {
	s, _ := newStore(t, cookiesession.Options{})
	cookie := sessiontest.NewRequest(s, "GET", "http://localhost/", counter{Note: strings.Repeat("x", 2900)}).Header.Get("Cookie")
	for _, size := range []struct {
		buf  int
		want int
	}{{0, http.StatusRequestHeaderFieldsTooLarge}, {16 << 10, http.StatusOK}} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &fasthttp.Server{Handler: fasthttpsession.Middleware(s, increment(s)), ReadBufferSize: size.buf}
		go func() { _ = srv.Serve(ln) }()
		resp, _ := do(t, &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}, "GET", "http://"+ln.Addr().String(), "", "Cookie", cookie)
		_ = srv.Shutdown()
		if resp.StatusCode != size.want {
			t.Errorf("ReadBufferSize %d: status %d, want %d", size.buf, resp.StatusCode, size.want)
		}
	}
}
