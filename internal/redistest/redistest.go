// Package redistest starts a real redis-server for the tests of the
// modules that talk to Redis (redisrevoke, the cookiesession command), and
// serves fake replies where a real server cannot be made to misbehave.
package redistest

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Start starts a redis-server on a free loopback port, without
// persistence, with the extra arguments (for example "--requirepass",
// "pw"); it is killed at the test's end. It returns the server's address
// once the server answers. Without the binary the test is skipped, or
// fails when CI=true.
func Start(t testing.TB, extra ...string) string {
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
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(5 * time.Second); !answers(addr); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not answer within 5s")
		}
	}
	return addr
}

// answers reports whether the server at addr replies to PING, with PONG or
// with an error (it wants a password).
func answers(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "*1\r\n$4\r\nPING\r\n"); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && (line == "+PONG\r\n" || strings.HasPrefix(line, "-"))
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

// Fake listens on a loopback port until the test's end and returns its
// address. It answers every command of every connection with reply,
// verbatim; with reply "" it reads commands and never answers, as a hung
// server does.
func Fake(t testing.TB, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(conn, reply)
		}
	}()
	return ln.Addr().String()
}

// serve answers each command read from conn with reply, until conn fails.
func serve(conn net.Conn, reply string) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for readCommand(r) {
		if _, err := io.WriteString(conn, reply); err != nil {
			return
		}
	}
}

// readCommand reads one command (an array of bulk strings) from r.
func readCommand(r *bufio.Reader) bool {
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
