package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// open and inspect take the cookie name from the input when it names one
// session cookie, chunks included.
func TestNameFromInput(t *testing.T) {
	key := newKey(t)
	value := strings.TrimSpace(cmd(t, `{"a":1}`, "seal", "-keys", key, "-name", "__Host-session").ok(t).stdout)
	header := "theme=dark; __Host-session=" + value + "; lang=en"
	sameJSON(t, cmd(t, "", "open", "-keys", key, "-cookie", header).ok(t).stdout, `{"a":1}`)
	sameJSON(t, cmd(t, header, "open", "-keys", key, "-").ok(t).stdout, `{"a":1}`)
	sameJSON(t, cmd(t, "", "open", "-keys", key, "__Host-session="+value).ok(t).stdout, `{"a":1}`)

	out := cmd(t, "", "inspect", "-keys", key, "-cookie", header).ok(t).stdout
	size := len("__Host-session") + len(value)
	if !regexp.MustCompile(`(?m)^  __Host-session +` + strconv.Itoa(size) + ` bytes`).MatchString(out) {
		t.Errorf("inspect does not size __Host-session at %d bytes:\n%s", size, out)
	}
	if !strings.Contains(out, `sealed for cookie "__Host-session"`) {
		t.Errorf("inspect did not verify under the input's name:\n%s", out)
	}

	// Chunks NAME~k belong to NAME.
	lines := strings.Fields(cmd(t, hexData(2000), "seal", "-keys", key, "-name", "app", "-max-chunks", "3").ok(t).stdout)
	if len(lines) != 2 {
		t.Fatalf("seal printed %d cookies", len(lines))
	}
	chunked := "x=1; " + lines[1] + "; " + lines[0]
	cmd(t, "", "open", "-keys", key, "-cookie", chunked).ok(t)
	if out := cmd(t, "", "inspect", "-cookie", chunked).ok(t).stdout; !strings.Contains(out, `2 cookies named "app"`) {
		t.Errorf("inspect of chunks:\n%s", out)
	}

	// -name wins over the input.
	cmd(t, "", "open", "-keys", key, "-name", "other", "-cookie", header).fails(t, exitFailure, `no cookie named "other"`, `"__Host-session"`, "-name")
}

func TestNameAmbiguousOrAbsent(t *testing.T) {
	key := newKey(t)
	a := strings.TrimSpace(cmd(t, `{"a":1}`, "seal", "-keys", key, "-name", "a").ok(t).stdout)
	b := strings.TrimSpace(cmd(t, `{"b":2}`, "seal", "-keys", key, "-name", "b").ok(t).stdout)
	both := "a=" + a + "; b=" + b
	for _, c := range []string{"open", "inspect"} {
		r := cmd(t, "", c, "-keys", key, "-cookie", both)
		r.fails(t, exitFailure, "2 session cookies", `"a", "b"`, "-name")
		if strings.Contains(r.stderr, a) || strings.Contains(r.stderr, b) {
			t.Errorf("%s: stderr quotes a value: %q", c, r.stderr)
		}
	}
	sameJSON(t, cmd(t, "", "open", "-keys", key, "-name", "b", "-cookie", both).ok(t).stdout, `{"b":2}`)

	for _, c := range []string{"open", "inspect"} {
		r := cmd(t, "", c, "-keys", key, "-cookie", "theme=dark; lang=en; theme=light")
		r.fails(t, exitFailure, `no cookie named "session"`, `"theme", "lang"`, "-name")
	}
}
