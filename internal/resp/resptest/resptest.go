// Package resptest starts a redis-server for tests.
package resptest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
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

// Fake serves one connection on a loopback port, and returns its address:
// it answers PING with PONG, then each later command with the next of
// replies, verbatim.
func Fake(t testing.TB, replies ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		for i := -1; i < len(replies); i++ {
			if !ReadCommand(r) {
				return
			}
			reply := "+PONG\r\n"
			if i >= 0 {
				reply = replies[i]
			}
			if _, err := io.WriteString(conn, reply); err != nil {
				return
			}
		}
		_, _ = io.Copy(io.Discard, conn)
	}()
	return ln.Addr().String()
}

// ReadCommand reads one command (an array of bulk strings) from r.
func ReadCommand(r *bufio.Reader) bool {
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "*") {
		return false
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	for range n {
		l, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		size, _ := strconv.Atoi(strings.TrimSpace(l[1:]))
		if _, err := io.CopyN(io.Discard, r, int64(size+2)); err != nil {
			return false
		}
	}
	return true
}
