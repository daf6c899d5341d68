package fasthttpsession

import (
	"bufio"
	"net"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/valyala/fasthttp"
)

// BenchmarkRequestBridge is what Get costs to make the store's Request
// from a RequestCtx: the minimal *http.Request and
// Store.Request on it, with one Cookie line and no proxy headers.
func BenchmarkRequestBridge(b *testing.B) {
	s, err := cookiesession.New[struct{}](cookiesession.Options{Keys: [][]byte{cookiesession.GenerateKey()}, TrustedProxies: []string{"loopback"}})
	if err != nil {
		b.Fatal(err)
	}
	var req fasthttp.Request
	raw := "GET / HTTP/1.1\r\nHost: localhost\r\nCookie: session=" + strings.Repeat("A", 200) + "\r\n\r\n"
	if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		b.Fatal(err)
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4321}, nil)
	b.ReportAllocs()
	for b.Loop() {
		if request(s, &ctx).Cookie == nil {
			b.Fatal("no Cookie line")
		}
	}
}
