// Command server is the Go side of the end-to-end benchmark: one handler
// that reads the session, increments a counter and writes it back, served
// by net/http on a loopback address.
//
//	server -mode middleware   # store.Middleware, the session saved on write
//	server -mode save         # store.Get and Session.Save, no middleware
//	server -mode none         # the same handler without any session
//	server -mode cookie       # the counter in a plain cookie, n=N: the
//	                          # baseline of the session's cost over HTTP
//
// With -cpuprofile FILE it writes a CPU profile of its whole run to FILE.
// It prints "listening on http://ADDR" once it accepts connections, and
// serves runtime figures (goroutines, heap) as JSON at /debug/stats; with
// ?gc=1 it collects garbage first (twice, to empty sync.Pool caches), so
// that heap_alloc is the live heap.
package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/format"
)

// counter is the session data: {"n":N}, as in the Express server.
type counter struct {
	N int `json:"n"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	mode := flag.String("mode", "middleware", "middleware, save, none or cookie")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file until the server stops (SIGINT, SIGTERM)")
	flag.Parse()

	h, err := newHandler(*mode, nil)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := listenLoopback(*addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		srv.Close()
	}()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// listenLoopback listens on addr, which must be a loopback address.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("-addr %q: only loopback addresses (127.0.0.1, ::1) are allowed", addr)
	}
	return net.Listen("tcp", addr)
}

// newHandler returns the server's handler for mode. keys nil means one
// random key.
func newHandler(mode string, keys [][]byte) (http.Handler, error) {
	if keys == nil {
		k := make([]byte, format.MinKeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		keys = [][]byte{k}
	}
	store, err := cookiesession.New[counter](cookiesession.Options{Keys: keys})
	if err != nil {
		return nil, err
	}
	var app http.Handler
	switch mode {
	case "middleware":
		app = store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := store.Get(r)
			s.Data.N++
			writeCount(w, s.Data.N)
		}))
	case "save":
		app = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := store.Get(r)
			s.Data.N++
			if err := s.Save(w); err != nil {
				http.Error(w, "session not saved", http.StatusInternalServerError)
				return
			}
			writeCount(w, s.Data.N)
		})
	case "none":
		app = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeCount(w, 1)
		})
	case "cookie":
		app = http.HandlerFunc(plainCounter)
	default:
		return nil, fmt.Errorf("-mode %q: use middleware, save, none or cookie", mode)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", app)
	mux.HandleFunc("GET /debug/stats", stats)
	return mux, nil
}

// plainCounter is the counter kept in a plain cookie, n=N, sent back with
// the attributes the store gives its session cookie (Max-Age and Expires
// a day ahead, Path=/, HttpOnly, SameSite=Lax) and the response headers
// it adds (Vary: Cookie, Cache-Control private): the same HTTP work
// without the session.
func plainCounter(w http.ResponseWriter, r *http.Request) {
	n := 0
	if c, err := r.Cookie("n"); err == nil {
		n, _ = strconv.Atoi(c.Value)
	}
	n++
	const day = 24 * time.Hour
	http.SetCookie(w, &http.Cookie{Name: "n", Value: strconv.Itoa(n), MaxAge: int(day / time.Second), Expires: time.Now().Add(day),
		Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	h := w.Header()
	h["Vary"], h["Cache-Control"] = []string{"Cookie"}, []string{`private, no-cache="Set-Cookie"`}
	writeCount(w, n)
}

func writeCount(w http.ResponseWriter, n int) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	var buf [20]byte
	w.Write(strconv.AppendInt(buf[:0], int64(n), 10))
}

// stats answers the runtime figures the soak test watches.
func stats(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("gc") == "1" {
		// Twice: the first collection moves sync.Pool contents to the
		// victim cache, the second frees them.
		runtime.GC()
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]uint64{
		"goroutines":   uint64(runtime.NumGoroutine()),
		"heap_alloc":   m.HeapAlloc,
		"heap_inuse":   m.HeapInuse,
		"heap_objects": m.HeapObjects,
		"heap_sys":     m.HeapSys,
		"total_alloc":  m.TotalAlloc,
		"num_gc":       uint64(m.NumGC),
	})
}
