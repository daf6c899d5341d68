package resp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/resp"
	"github.com/cookiesession/cookiesession/internal/resp/resptest"
)

var bg = context.Background()

func dialFake(t *testing.T, replies ...string) *resp.Client {
	t.Helper()
	c, err := resp.Dial(bg, resptest.Fake(t, replies...), resp.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestReplies(t *testing.T) {
	c := dialFake(t, "+OK\r\n", ":-42\r\n", "$5\r\nhe\r\no\r\n", "$-1\r\n",
		"*3\r\n:1\r\n*1\r\n$1\r\nx\r\n*-1\r\n", "-ERR no\x01 such\r\n", ":7\r\n")
	if v, err := c.Do(bg, "X"); err != nil || v.Kind != resp.Simple || v.Str != "OK" {
		t.Errorf("simple: %+v %v", v, err)
	}
	if v, err := c.Do(bg, "X"); err != nil || v.Num != -42 {
		t.Errorf("integer: %+v %v", v, err)
	}
	if v, err := c.Do(bg, "X"); err != nil || v.Str != "he\r\no" {
		t.Errorf("bulk: %+v %v", v, err)
	}
	if v, err := c.Do(bg, "X"); err != nil || !v.Null {
		t.Errorf("null bulk: %+v %v", v, err)
	} else if _, err := v.Text(); !errors.Is(err, resp.ErrNil) {
		t.Errorf("Text of null: %v", err)
	}
	v, err := c.Do(bg, "X")
	if err != nil || len(v.Array) != 3 || v.Array[0].Num != 1 || v.Array[1].Array[0].Str != "x" || !v.Array[2].Null {
		t.Errorf("array: %+v %v", v, err)
	}
	_, err = c.Do(bg, "X")
	var se *resp.ServerError
	if !errors.As(err, &se) || se.Prefix() != "ERR" || strings.ContainsRune(se.Msg, 1) {
		t.Errorf("error reply: %v", err)
	}
	// An error reply leaves the connection usable.
	if v, err := c.Do(bg, "X"); err != nil || v.Num != 7 {
		t.Errorf("after an error reply: %+v %v", v, err)
	}
}

func TestProtocolErrors(t *testing.T) {
	for name, reply := range map[string]string{
		"unknown type":   "%1\r\n",
		"no CRLF":        "+OK\n",
		"bad integer":    ":x\r\n",
		"bulk too large": "$" + strconv.Itoa(resp.MaxBulk+1) + "\r\n",
		"array too long": "*" + strconv.Itoa(resp.MaxArray+1) + "\r\n",
		"bad length":     "$-2\r\n",
		"bulk no CRLF":   "$1\r\nxyz\r\n",
		"too deep":       strings.Repeat("*1\r\n", resp.MaxDepth+1) + ":1\r\n",
		"line too long":  "+" + strings.Repeat("a", resp.MaxLine+1) + "\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			c := dialFake(t, reply, "+OK\r\n")
			if _, err := c.Do(bg, "X"); !errors.Is(err, resp.ErrProtocol) {
				t.Fatalf("err %v, want ErrProtocol", err)
			}
			if _, err := c.Do(bg, "X"); err == nil {
				t.Error("a connection with a protocol error stays usable")
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts, never answers
		conn, err := ln.Accept()
		if err == nil {
			defer conn.Close()
			_, _ = io.Copy(io.Discard, conn)
		}
	}()
	start := time.Now()
	_, err = resp.Dial(bg, ln.Addr().String(), resp.Options{Timeout: 200 * time.Millisecond})
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err %v, want a timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel()
	if _, err := resp.Dial(ctx, ln.Addr().String(), resp.Options{Timeout: time.Minute}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("context deadline: %v", err)
	}
}

func TestRealServer(t *testing.T) {
	s := resptest.Start(t, "--requirepass", "s3cret-pw")
	if _, err := resp.Dial(bg, s.Addr, resp.Options{}); err == nil {
		t.Fatal("no password, yet connected")
	}
	_, err := resp.Dial(bg, s.Addr, resp.Options{Password: "wrong-pw"})
	if err == nil || strings.Contains(err.Error(), "wrong-pw") {
		t.Fatalf("wrong password: %v", err)
	}
	c, err := resp.Dial(bg, s.Addr, resp.Options{Password: "s3cret-pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const script = "return tonumber(ARGV[1]) + #KEYS"
	sha := "not-cached-yet"
	n, err := c.RunScript(bg, script, sha, []string{"k"}, []string{"41"})
	if err != nil || n != 42 {
		t.Fatalf("RunScript = %d, %v", n, err)
	}
	v, err := c.Do(bg, "SCRIPT", "LOAD", script)
	if err != nil {
		t.Fatal(err)
	}
	sha, _ = v.Text()
	if n, err := c.RunScript(bg, "", sha, nil, []string{"1"}); err != nil || n != 1 {
		t.Fatalf("EVALSHA of a cached script = %d, %v", n, err)
	}
	if _, err := c.Do(bg, "NOSUCHCOMMAND"); err == nil {
		t.Error("unknown command accepted")
	}
	if err := c.Ping(bg); err != nil {
		t.Errorf("after an error reply: %v", err)
	}
}

// bigReply serves one connection that answers its first command (Dial's
// PING) with reply.
func bigReply(t *testing.T, reply func(w *bufio.Writer)) string {
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
		if !resptest.ReadCommand(bufio.NewReader(conn)) {
			return
		}
		w := bufio.NewWriterSize(conn, 64<<10)
		reply(w)
		_ = w.Flush()
	}()
	return ln.Addr().String()
}

// A reply whose every element is within the per-element limits is still
// bounded as a whole, across nesting, in elements and in bytes.
func TestReplyBudget(t *testing.T) {
	for _, tc := range []struct {
		name  string
		o     resp.Options
		reply func(w *bufio.Writer)
		what  string
	}{
		{"elements across nesting", resp.Options{}, func(w *bufio.Writer) {
			// 4 arrays of 2,000 integers: each within MaxArray, 8,004 values.
			w.WriteString("*4\r\n")
			for range 4 {
				w.WriteString("*2000\r\n" + strings.Repeat(":0\r\n", 2000))
			}
		}, "elements"},
		{"bytes across nesting", resp.Options{}, func(w *bufio.Writer) {
			// 3 bulk strings of 512 KiB: each within MaxBulk, 1.5 MiB.
			w.WriteString("*3\r\n")
			for range 3 {
				w.WriteString("$524288\r\n" + strings.Repeat("x", 524288) + "\r\n")
			}
		}, "bytes"},
		{"configured bytes", resp.Options{MaxReplyBytes: 100}, func(w *bufio.Writer) {
			w.WriteString("$200\r\n" + strings.Repeat("x", 200) + "\r\n")
		}, "bytes"},
		{"configured elements", resp.Options{MaxReplyElements: 10}, func(w *bufio.Writer) {
			w.WriteString("*20\r\n" + strings.Repeat(":0\r\n", 20))
		}, "elements"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Timeout = 5 * time.Second
			c, err := resp.Dial(bg, bigReply(t, tc.reply), o)
			if c != nil {
				c.Close()
			}
			var tl *resp.ReplyTooLargeError
			if !errors.As(err, &tl) || tl.What != tc.what || !errors.Is(err, resp.ErrProtocol) {
				t.Fatalf("Dial: %v; want a ReplyTooLargeError on %s", err, tc.what)
			}
		})
	}
	// Within the budget, several replies in a row each get all of it.
	addr := resptest.Fake(t, "*3000\r\n"+strings.Repeat(":1\r\n", 3000), "*3000\r\n"+strings.Repeat(":1\r\n", 3000))
	c, err := resp.Dial(bg, addr, resp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 2 {
		if v, err := c.Do(bg, "X"); err != nil || len(v.Array) != 3000 {
			t.Fatalf("a reply within the budget: %d elements, %v", len(v.Array), err)
		}
	}
}

// An error reply's message keeps no control character: C0, DEL, C1 (U+009B
// is CSI), a bidirectional override, or an invalid byte.
func TestErrorReplyControls(t *testing.T) {
	c := dialFake(t, "-ERR a\x1b[2Jb\u009b31mc\u202ed\x7fe\x9bf\r\n")
	_, err := c.Do(bg, "X")
	var se *resp.ServerError
	if !errors.As(err, &se) || se.Msg != "ERR a [2Jb 31mc d e f" {
		t.Fatalf("error reply: %q", err)
	}
}
