package fasthttpsession_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/fasthttpsession"
	"github.com/valyala/fasthttp"
)

// A counter on a fasthttp server: the middleware saves the session after
// the handler returns, before fasthttp sends the response. With Fiber,
// wrap the app's handler the same way and call fasthttpsession.Get with
// the handler's *fasthttp.RequestCtx (README.md).
func Example() {
	type Visits struct{ N int }
	store, err := cookiesession.New[Visits](cookiesession.Options{
		Keys: [][]byte{cookiesession.GenerateKey()}, // from cookiesession.ParseKeys in production
	})
	if err != nil {
		panic(err)
	}
	handler := func(ctx *fasthttp.RequestCtx) {
		s := fasthttpsession.Get(store, ctx)
		s.Data.N++
		fmt.Fprintf(ctx, "visit %d", s.Data.N)
	}
	srv := &fasthttp.Server{
		Handler:        fasthttpsession.Middleware(store, handler),
		ReadBufferSize: 16 << 10, // room for a full session cookie (4 KB is the default)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for range 2 {
		resp, err := client.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(body), resp.Header.Get("Vary"))
	}
	// Output:
	// visit 1 Cookie
	// visit 2 Cookie
}
