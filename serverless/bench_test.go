package serverless_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/serverless"
)

// BenchmarkColdStartStore is what a cold start spends on sessions without
// a session database: parse the keys from the environment and build the
// store.
func BenchmarkColdStartStore(b *testing.B) {
	keys := newKey(b) + "," + newKey(b)
	o := serverless.StoreOptions(serverless.HTTPAPI)
	for b.Loop() {
		k, err := cookiesession.ParseKeys(keys)
		if err != nil {
			b.Fatal(err)
		}
		o.Keys = k
		if _, err := cookiesession.New[serverless.Session](o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColdStartDial is the least a cold start spends reaching a
// session database instead: a TCP connect and one PING/+PONG exchange
// (Redis's wire format) with a listener on loopback, in this process. A
// real database adds the network's round trips (and TLS, AUTH) on top.
func BenchmarkColdStartDial(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go pong(l)
	ping := []byte("*1\r\n$4\r\nPING\r\n")
	for b.Loop() {
		c, err := net.DialTimeout("tcp", l.Addr().String(), time.Second)
		if err != nil {
			b.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(time.Second))
		if _, err := c.Write(ping); err != nil {
			b.Fatal(err)
		}
		if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "+PONG\r\n" {
			b.Fatalf("%q, %v", line, err)
		}
		c.Close()
	}
}

// pong answers every PING command on l's connections with +PONG.
func pong(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 64)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
				c.Write([]byte("+PONG\r\n"))
			}
		}()
	}
}

// BenchmarkInvocation is one invocation through each adapter and the real
// aws-lambda-go handler (JSON event in, JSON response out) with a session
// of three chunks: read (GET /, no Set-Cookie) and write (POST /login:
// re-sealed, three Set-Cookie lines).
func BenchmarkInvocation(b *testing.B) {
	for _, pl := range platforms() {
		h := pl.adapter(mustHandler(b, pl.p, map[string]string{serverless.EnvKeys: newKey(b)}))
		j := grown(b, pl, h)
		for _, req := range []request{{"GET", "/", "", ""}, {"POST", "/login", "user=ada", ""}} {
			payload, _ := json.Marshal(pl.event(req, j.lines()))
			b.Run(pl.name+"/"+map[string]string{"GET": "read", "POST": "write"}[req.method], func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := h.Invoke(context.Background(), payload); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// grown signs in and grows the session to three chunks.
func grown(b *testing.B, pl platform, h lambda.Handler) *jar {
	j := newJar()
	must(invoke(b, pl, h, request{"POST", "/login", "user=ada", ""}, j))
	for j.chunks() < 3 {
		must(invoke(b, pl, h, request{"POST", "/note", "", note(800)}, j))
	}
	return j
}

// BenchmarkHandlerOnly is the read without an adapter, for comparison: the
// handler called with an *http.Request carrying the three chunks.
func BenchmarkHandlerOnly(b *testing.B) {
	inner := mustHandler(b, serverless.HTTPAPI, map[string]string{serverless.EnvKeys: newKey(b)})
	j := grown(b, platforms()[2], v2Adapter(inner))
	r, _ := http.NewRequest("GET", "https://"+apiDomain+"/", nil)
	r.Header.Set("Cookie", j.lines()[0])
	h := inner
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
