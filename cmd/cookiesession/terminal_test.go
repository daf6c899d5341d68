package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/redistest"
)

// hostile holds every kind of character a terminal acts on: ESC, C1 CSI
// (U+009B) and NEL (U+0085), a bidirectional override (U+202E), DEL, BEL,
// and an invalid byte (0x9b alone, CSI to an 8-bit terminal).
const hostile = "a\x1b[2Jb\u009b31mc\u0085d\u202ee\x7ff\x07g\x9bh"

// reachesTerminal returns the first character of s a terminal would act
// on, or "" if none.
func reachesTerminal(s string) string {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return s[i : i+1]
		}
		if (unicode.IsControl(r) && r != '\n' && r != '\t') || unicode.Is(unicode.Bidi_Control, r) {
			return string(r)
		}
	}
	return ""
}

func TestTerminalSafe(t *testing.T) {
	got := terminalSafe(hostile)
	if c := reachesTerminal(got); c != "" {
		t.Fatalf("terminalSafe(%q) = %q keeps %q", hostile, got, c)
	}
	want := `a\u001b[2Jb\u009b31mc\u0085d\u202ee\u007ff\u0007g\ufffdh`
	if got != want {
		t.Errorf("terminalSafe = %s, want %s", got, want)
	}
	// In JSON the escapes decode to the same text.
	var back string
	if err := json.Unmarshal([]byte(`"`+got+`"`), &back); err != nil || back != strings.ToValidUTF8(hostile, "\uFFFD") {
		t.Errorf("as JSON: %q, %v", back, err)
	}
	if s := "plain\ttext\nü 日本"; terminalSafe(s) != s {
		t.Errorf("changed harmless text: %q", terminalSafe(s))
	}
}

// A hostile Redis answers every command with an error reply full of
// control characters (C1 CSI among them): the revoke command's one line on
// stderr carries none of them. Before, U+009B reached stderr raw. A reply
// of 100 KB is cut.
func TestRevokeHostileErrorReply(t *testing.T) {
	addr := redistest.Fake(t, "-ERR "+hostile+"\r\n")
	r := cmd(t, "", "revoke", "-redis", addr, "-timeout", "2s", "-all")
	r.fails(t, exitFailure, "ERR")
	if c := reachesTerminal(r.stderr); c != "" {
		t.Fatalf("stderr %q carries %q", r.stderr, c)
	}
	addr = redistest.Fake(t, "-ERR "+strings.Repeat("\x1b", 100<<10)+"\r\n")
	r = cmd(t, "", "revoke", "-redis", addr, "-timeout", "2s", "-all")
	r.fails(t, exitFailure, "ERR")
	if len(r.stderr) > 4<<10 {
		t.Errorf("stderr has %d bytes", len(r.stderr))
	}
	// A reply beyond 1 MiB is not read to its end.
	addr = redistest.Fake(t, "-ERR "+strings.Repeat("x", 2<<20)+"\r\n")
	cmd(t, "", "revoke", "-redis", addr, "-timeout", "2s", "-all").fails(t, exitFailure, "more than 1048576 bytes")
}

// A Redis that accepts the connection and never answers: revoke gives up
// after -timeout, saying so.
func TestRevokeHungRedis(t *testing.T) {
	addr := redistest.Fake(t, "")
	start := time.Now()
	r := cmd(t, "", "revoke", "-redis", addr, "-timeout", "300ms", "-all")
	r.fails(t, exitFailure, "redis "+addr+": connecting: no answer within -timeout 300ms")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("revoke returned after %v with -timeout 300ms", d)
	}
}

// open and inspect print a session's data: text the cookie's author chose.
// Controls in its strings reach the terminal escaped, and open's output is
// still the same JSON.
func TestOpenInspectEscapeControls(t *testing.T) {
	key := newKey(t)
	data, _ := json.Marshal(map[string]string{"x": strings.ToValidUTF8(hostile, "")})
	value := strings.TrimSpace(cmd(t, string(data), "seal", "-keys", key).ok(t).stdout)
	for _, command := range []string{"open", "inspect"} {
		out := cmd(t, "", command, "-keys", key, value).ok(t).stdout
		if c := reachesTerminal(out); c != "" {
			t.Errorf("%s printed %q raw", command, c)
		}
		if command == "open" {
			sameJSON(t, out, string(data))
		}
	}
}
