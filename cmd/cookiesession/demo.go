package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/demo"
	"github.com/cookiesession/cookiesession/internal/format"
)

func (c *cli) demo(args []string) error {
	fs := newFlags("demo")
	addr := fs.String("addr", "127.0.0.1:8080", "")
	keysFlag := fs.String("keys", "", "")
	name := fs.String("name", "", "")
	maxChunks := fs.Int("max-chunks", demo.DefaultMaxChunks, "")
	maxCookie := fs.Int("max-cookie-bytes", demo.DefaultMaxCookieBytes, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	keys, err := c.demoKeys(*keysFlag)
	if err != nil {
		return err
	}
	h, err := demo.Handler(cookiesession.Options{Keys: keys, Name: *name, MaxChunks: *maxChunks, MaxCookieBytes: *maxCookie})
	if err != nil {
		return &usageError{err}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(c.stdout, "cookiesession demo: listening on %s\n", url)
	if c.ready != nil {
		c.ready(url)
	}
	return c.serve(ln, h)
}

// demoKeys returns the keys given, or an ephemeral one, said on stderr.
func (c *cli) demoKeys(flagValue string) ([][]byte, error) {
	keys, err := c.keys(flagValue, false)
	if err != nil || len(keys) > 0 {
		return keys, err
	}
	k := make([]byte, format.MinKeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generating a key: %w", err)
	}
	fmt.Fprintf(c.stderr, "cookiesession demo: no keys given (-keys or %s): using an ephemeral key, so sessions end when the demo stops\n", keysEnv)
	return [][]byte{k}, nil
}

// serve serves h on ln until c.ctx ends (or SIGINT, SIGTERM), then shuts
// the server down gracefully.
func (c *cli) serve(ln net.Listener, h http.Handler) error {
	ctx := c.ctx
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
