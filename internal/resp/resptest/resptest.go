// Package resptest starts a redis-server for tests.
package resptest

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/resp"
)

// Server is a redis-server the test started on a free loopback port,
// without persistence, killed at the test's end.
type Server struct {
	Addr string
}

// Start starts a redis-server with the extra arguments (for example
// "--requirepass", "pw"). Without the binary the test is skipped, or fails
// when CI=true.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin, port := Binary(t), FreePort(t)
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir()}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port)}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := resp.Dial(context.Background(), s.Addr, resp.Options{Timeout: time.Second})
		if err == nil {
			c.Close()
			return s
		}
		var se *resp.ServerError
		if errors.As(err, &se) { // it answers, but wants a password
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not answer within 5s: %v", err)
		}
	}
}

// Binary returns the path of redis-server. Without it the test is skipped,
// or fails when CI=true (CI installs the Debian package redis-server).
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server not found: CI must install the Debian package redis-server")
		}
		t.Skip("redis-server not found; install the Debian package redis-server to run this test")
	}
	return bin
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
