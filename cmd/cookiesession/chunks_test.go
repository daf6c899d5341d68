package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sealedChunks seals a session of about 10 KB into three chunks and
// returns them as Cookie-header pairs, in order.
func sealedChunks(t *testing.T, key string) []string {
	t.Helper()
	out := cmd(t, hexData(4500), "seal", "-keys", key, "-max-chunks", "3", "-max-total-bytes", "16000").ok(t).stdout
	pairs := strings.Split(strings.TrimSpace(out), "\n")
	if len(pairs) != 3 {
		t.Fatalf("sealed into %d cookies, want 3", len(pairs))
	}
	return pairs
}

// TestOpenInspectSameHeaderSize feeds one three-chunk Cookie header over
// the default total budget to open and to inspect: both report the bytes
// it takes in the Cookie header, the same figure.
func TestOpenInspectSameHeaderSize(t *testing.T) {
	key := newKey(t)
	pairs := sealedChunks(t, key)
	quoted := append([]string(nil), pairs...)
	name, value, _ := strings.Cut(quoted[1], "=")
	quoted[1] = name + `="` + value + `"` // the reader drops the quotes
	openRe := regexp.MustCompile(`its 3 cookies take (\d+) bytes in the Cookie header, over the limit of 6144`)
	inspectRe := regexp.MustCompile(`together +(\d+) bytes in the Cookie header of 6144`)
	for _, c := range []struct {
		name, header string
		want         int
	}{
		{"plain", strings.Join(pairs, "; "), len(strings.Join(pairs, "; "))},
		{"quoted", strings.Join(quoted, "; "), len(strings.Join(pairs, "; "))},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := cmd(t, "", "open", "-keys", key, "-max-chunks", "3", "-cookie", c.header)
			r.fails(t, exitFailure, "session too large")
			opened := openRe.FindStringSubmatch(r.stderr)
			r = cmd(t, "", "inspect", "-keys", key, "-max-chunks", "3", "-cookie", c.header)
			r.fails(t, exitFailure, "session too large")
			inspected := inspectRe.FindStringSubmatch(r.stdout)
			if opened == nil || inspected == nil {
				t.Fatalf("no size found: open %q, inspect %q", opened, inspected)
			}
			if opened[1] != inspected[1] || opened[1] != strconv.Itoa(c.want) {
				t.Errorf("open reports %s bytes, inspect %s; the header takes %d", opened[1], inspected[1], c.want)
			}
		})
	}
}

// TestMalformedChunkNamesIgnored checks that open and inspect ignore the
// names in the chunk namespace that are not chunk names, as a store does
// (it deletes them on its next save), and that inspect says so.
func TestMalformedChunkNamesIgnored(t *testing.T) {
	key := newKey(t)
	pairs := sealedChunks(t, key)
	header := "session~0=a; " + pairs[0] + "; session~02=b; " + pairs[1] + "; session~1=c; " + pairs[2] + "; session~256=d"
	flags := []string{"-keys", key, "-max-chunks", "3", "-max-total-bytes", "16000", "-cookie", header}
	cmd(t, "", append([]string{"open"}, flags...)...).ok(t)
	out := cmd(t, "", append([]string{"inspect"}, flags...)...).ok(t).stdout
	for _, n := range []string{"session~0", "session~02", "session~1", "session~256"} {
		if !strings.Contains(out, `ignored         "`+n+`": not a chunk name`) {
			t.Errorf("inspect does not report %s as ignored:\n%s", n, out)
		}
	}
	if !strings.Contains(out, `3 cookies named "session"`) || !strings.Contains(out, "verified        yes") {
		t.Errorf("inspect output:\n%s", out)
	}

	// Only malformed names: there is no session, and inspect lists them.
	r := cmd(t, "", "inspect", "-cookie", "a=1; session~0=x")
	r.fails(t, exitFailure, `no cookie named "session"`)
	if !strings.Contains(r.stdout, `ignored         "session~0"`) {
		t.Errorf("inspect does not list the ignored name:\n%s", r.stdout)
	}
	cmd(t, "", "open", "-keys", key, "-cookie", "a=1; session~0=x").fails(t, exitFailure, `no cookie named "session"`)

	// Many: listed up to a bound.
	r = cmd(t, "", "inspect", "-cookie", strings.Repeat("session~0=x; ", 20)+pairs[0])
	if got := strings.Count(r.stdout, "ignored "); got != maxIgnoredShown+1 || !strings.Contains(r.stdout, "12 more such names") {
		t.Errorf("%d ignored lines:\n%s", got, r.stdout)
	}
}

// TestLostChunkOrCutValue: open and inspect name a missing last chunk, as
// they name a missing first one, and call a value cut short cut, never
// "not base64url".
func TestLostChunkOrCutValue(t *testing.T) {
	key := newKey(t)
	out := cmd(t, hexData(2000), "seal", "-keys", key, "-max-chunks", "3").ok(t).stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("sealed into %d cookies, want 2", len(lines))
	}
	for _, args := range [][]string{
		{"open", "-keys", key},
		{"inspect", "-keys", key},
		{"inspect"},
		{"open", "-keys", key, "-max-chunks", "3"},
	} {
		cmd(t, "", append(args, "-cookie", lines[0])...).fails(t, exitFailure, "session cookies inconsistent", `chunk 2 (session~2) is missing`)
		cmd(t, "", append(args, "-cookie", lines[1])...).fails(t, exitFailure, "chunk 1", "of 2 is missing")
	}
	value := strings.TrimSpace(cmd(t, `{"a":1}`, "seal", "-keys", key).ok(t).stdout)
	cut := value[:len(value)-(len(value)-1)%4-4] // 4k+1 characters: always cut
	cmd(t, "", "open", "-keys", key, cut).fails(t, exitFailure, "malformed", "cut short")
	cmd(t, "", "inspect", cut).fails(t, exitFailure, "malformed", "cut short")
}
