package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
)

// result is one run of the command.
type result struct {
	stdout, stderr string
	code           int
}

// cmd runs the command line through run, with stdin.
func cmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return result{out.String(), errb.String(), code}
}

// cmdAt runs the command line with the clock at now.
func cmdAt(t *testing.T, now time.Time, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(string) string { return "" }, now: func() time.Time { return now }}
	code := c.run(args)
	return result{out.String(), errb.String(), code}
}

// ok fails the test unless the run succeeded.
func (r result) ok(t *testing.T) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d, stderr: %s", r.code, r.stderr)
	}
	return r
}

// fails checks exit status code with a reason on stderr, one line for
// exitFailure, whose first line contains each of want.
func (r result) fails(t *testing.T, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d; stdout %q, stderr %q", r.code, code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if code == exitFailure && len(lines) != 1 {
		t.Errorf("stderr has %d lines, want 1: %q", len(lines), r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Errorf("stderr %q does not contain %q", lines[0], w)
		}
	}
}

// newKey returns a fresh key as keygen prints it.
func newKey(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(cmd(t, "", "keygen").ok(t).stdout)
}

// hexData returns JSON of an object holding n random bytes in hex.
func hexData(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return `{"blob":"` + hex.EncodeToString(b) + `"}`
}

// sameJSON fails unless a and b hold the same JSON value.
func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("output is not JSON: %v: %q", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("JSON %s, want %s", gb, wb)
	}
}

func TestKeygen(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{43}\n$`)
	seen := map[string]bool{}
	for range 3 {
		r := cmd(t, "", "keygen").ok(t)
		if !re.MatchString(r.stdout) {
			t.Fatalf("keygen printed %q, want 43 base64url characters and a newline", r.stdout)
		}
		k, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(r.stdout))
		if err != nil || len(k) != 32 {
			t.Fatalf("key decodes to %d bytes, %v", len(k), err)
		}
		if seen[r.stdout] {
			t.Fatal("keygen printed the same key twice")
		}
		seen[r.stdout] = true
	}
	cmd(t, "", "keygen", "extra").fails(t, exitUsage, "unexpected argument")
}

func TestSealOpenRoundTrip(t *testing.T) {
	key := newKey(t)
	data := `{"user":"ada","n":42,"big":12345678901234567890,"tags":["a","b"],"nested":{"ok":true},"html":"<b>&</b>"}`
	for _, cipher := range []string{"xchacha20-poly1305", "aes-256-gcm"} {
		t.Run(cipher, func(t *testing.T) {
			value := cmd(t, data, "seal", "-keys", key, "-cipher", cipher).ok(t).stdout
			if strings.Count(value, "\n") != 1 || !strings.HasSuffix(value, "\n") {
				t.Fatalf("seal printed %q, want one line", value)
			}
			value = strings.TrimSpace(value)
			h, err := format.ParseHeader(value)
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := parseCipher(cipher); h.Suite != format.Suite(want) {
				t.Errorf("sealed with %v, want %v", h.Suite, want)
			}

			got := cmd(t, "", "open", "-keys", key, value).ok(t).stdout
			if strings.Count(got, "\n") != 1 {
				t.Errorf("open printed %d lines, want 1", strings.Count(got, "\n"))
			}
			sameJSON(t, got, data)
			// The big number survives exactly: the JSON is carried as is.
			if !strings.Contains(got, "12345678901234567890") {
				t.Errorf("open lost the big number's digits: %s", got)
			}
			// "-" reads the value from stdin; NAME=VALUE works too.
			sameJSON(t, cmd(t, value+"\n", "open", "-keys", key, "-").ok(t).stdout, data)
			sameJSON(t, cmd(t, "", "open", "-keys", key, "session="+value).ok(t).stdout, data)
		})
	}
	t.Run("name", func(t *testing.T) {
		value := strings.TrimSpace(cmd(t, `{"a":1}`, "seal", "-keys", key, "-name", "__Host-sid").ok(t).stdout)
		sameJSON(t, cmd(t, "", "open", "-keys", key, "-name", "__Host-sid", value).ok(t).stdout, `{"a":1}`)
	})
	t.Run("empty object", func(t *testing.T) {
		value := strings.TrimSpace(cmd(t, " {} \n", "seal", "-keys", key).ok(t).stdout)
		sameJSON(t, cmd(t, "", "open", "-keys", key, value).ok(t).stdout, `{}`)
	})
}

// parseSetCookie reads Set-Cookie lines the way an HTTP client does.
func parseSetCookie(t *testing.T, out string) []*http.Cookie {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(l, "Set-Cookie: ") {
			t.Fatalf("line %q does not start with \"Set-Cookie: \"", l)
		}
	}
	raw := "HTTP/1.1 200 OK\r\n" + strings.ReplaceAll(out, "\n", "\r\n") + "Content-Length: 0\r\n\r\n"
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) != strings.Count(out, "\n") {
		t.Fatalf("net/http parsed %d cookies from %d lines:\n%s", len(cookies), strings.Count(out, "\n"), out)
	}
	return cookies
}

func TestSealSetCookie(t *testing.T) {
	key := newKey(t)

	out := cmd(t, `{"a":1}`, "seal", "-keys", key, "-set-cookie", "-max-age", "1h").ok(t).stdout
	cs := parseSetCookie(t, out)
	if len(cs) != 1 {
		t.Fatalf("%d cookies, want 1", len(cs))
	}
	c := cs[0]
	if c.Name != "session" || c.Path != "/" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.MaxAge != 3600 {
		t.Errorf("cookie %+v: want session, Path=/, HttpOnly, Secure, SameSite=Lax, Max-Age=3600", c)
	}
	sameJSON(t, cmd(t, "", "open", "-keys", key, c.Value).ok(t).stdout, `{"a":1}`)
	// open reads seal's Set-Cookie output back.
	sameJSON(t, cmd(t, out, "open", "-keys", key, "-").ok(t).stdout, `{"a":1}`)

	t.Run("attributes", func(t *testing.T) {
		out := cmd(t, `{}`, "seal", "-keys", key, "-set-cookie", "-browser-session", "-secure=false",
			"-path", "/app", "-domain", "example.com", "-name", "sid").ok(t).stdout
		c := parseSetCookie(t, out)[0]
		if c.Name != "sid" || c.Path != "/app" || c.Domain != "example.com" || c.Secure || c.MaxAge != 0 || c.RawExpires != "" {
			t.Errorf("cookie %+v: want sid, Path=/app, Domain=example.com, no Secure, no Max-Age", c)
		}
		h, err := format.ParseHeader(c.Value)
		if err != nil || !h.BrowserSession {
			t.Errorf("header %+v, %v: want the browser-session flag", h, err)
		}
	})

	t.Run("chunked", func(t *testing.T) {
		data := hexData(2000)
		out := cmd(t, data, "seal", "-keys", key, "-max-chunks", "3", "-set-cookie").ok(t).stdout
		cs := parseSetCookie(t, out)
		if len(cs) != 2 || cs[0].Name != "session" || cs[1].Name != "session~2" {
			t.Fatalf("cookies %v, want session and session~2", cs)
		}
		var header []string
		for _, c := range cs {
			if len(c.Name)+len(c.Value) > bounds.DefaultMaxCookieBytes {
				t.Errorf("cookie %s has %d bytes", c.Name, len(c.Name)+len(c.Value))
			}
			if c.MaxAge != 86400 || !c.Secure || !c.HttpOnly {
				t.Errorf("chunk %+v lacks the attributes", c)
			}
			header = append(header, c.Name+"="+c.Value)
		}
		sameJSON(t, cmd(t, "", "open", "-keys", key, "-cookie", strings.Join(header, "; ")).ok(t).stdout, data)
		sameJSON(t, cmd(t, out, "open", "-keys", key, "-").ok(t).stdout, data)
	})

	t.Run("__Host- needs Secure", func(t *testing.T) {
		// Browsers match the prefixes in any case (RFC 6265bis, draft 13+).
		for _, name := range []string{"__Host-s", "__host-s", "__HOST-s", "__Secure-s", "__secure-s", "__SECURE-s"} {
			cmd(t, `{}`, "seal", "-keys", key, "-set-cookie", "-secure=false", "-name", name).fails(t, exitUsage, "Secure", "-secure=false")
		}
	})
}

// sizes returns the integers in s.
func sizes(s string) []int {
	var n []int
	for _, m := range regexp.MustCompile(`\d+`).FindAllString(s, -1) {
		v, _ := strconv.Atoi(m)
		n = append(n, v)
	}
	return n
}

func TestSealTooLarge(t *testing.T) {
	key := newKey(t)
	t.Run("one cookie", func(t *testing.T) {
		r := cmd(t, hexData(3000), "seal", "-keys", key)
		r.fails(t, exitFailure, "too large", "4092", "-max-chunks")
		if n := sizes(r.stderr); len(n) < 2 || n[0] <= 4092 {
			t.Errorf("stderr %q: want the needed size (> 4092) and the limit", r.stderr)
		}
		if strings.Contains(r.stderr, key) {
			t.Error("stderr contains the key")
		}
	})
	t.Run("total", func(t *testing.T) {
		r := cmd(t, hexData(2500), "seal", "-keys", key, "-max-chunks", "3")
		r.fails(t, exitFailure, "too large", "6144", "-max-total-bytes")
	})
	t.Run("chunks", func(t *testing.T) {
		r := cmd(t, hexData(5000), "seal", "-keys", key, "-max-chunks", "2", "-max-total-bytes", "20000")
		r.fails(t, exitFailure, "too large", "2 cookies", "4092")
	})
	t.Run("fits when raised", func(t *testing.T) {
		out := cmd(t, hexData(5000), "seal", "-keys", key, "-max-chunks", "4", "-max-total-bytes", "20000").ok(t).stdout
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "session=") || !strings.HasPrefix(lines[3], "session~4=") {
			t.Errorf("chunked output: %d lines, want session=... to session~4=...", len(lines))
		}
	})
}

func TestSealBadInput(t *testing.T) {
	key := newKey(t)
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "  \n", "empty"},
		{"syntax", `{"secret": "hunter2",}`, "byte 22"},
		{"two objects", `{"secret":1} {}`, "syntax error"},
		{"array", `["secret"]`, "array, not an object"},
		{"string", `"secret"`, "string, not an object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cmd(t, tc.in, "seal", "-keys", key)
			r.fails(t, exitFailure, tc.want)
			if strings.Contains(r.stderr, "secret") || strings.Contains(r.stderr, "hunter2") {
				t.Errorf("stderr quotes the input: %q", r.stderr)
			}
		})
	}
}

func TestOpenFailures(t *testing.T) {
	key, other := newKey(t), newKey(t)
	data := `{"secret":"hunter2"}`
	value := strings.TrimSpace(cmd(t, data, "seal", "-keys", key).ok(t).stdout)

	tampered := []byte(value)
	i := len(tampered) / 2
	if tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	later := time.Now().Add(25 * time.Hour)

	for _, tc := range []struct {
		name string
		r    result
		want string
	}{
		{"tampered", cmd(t, "", "open", "-keys", key, string(tampered)), "failed authentication"},
		{"truncated", cmd(t, "", "open", "-keys", key, value[:len(value)-4]), "failed authentication"},
		{"other name", cmd(t, "", "open", "-keys", key, "-name", "other", value), "failed authentication"},
		{"unknown key", cmd(t, "", "open", "-keys", other, value), "unknown key"},
		{"expired", cmdAt(t, later, "", "open", "-keys", key, value), "expired"},
		{"expired by -max-age", cmdAt(t, time.Now().Add(2*time.Hour), "", "open", "-keys", key, "-max-age", "1h", value), "expired"},
		{"idle", cmdAt(t, time.Now().Add(2*time.Hour), "", "open", "-keys", key, "-idle", "1h", value), "idle"},
		{"from the future", cmdAt(t, time.Now().Add(-time.Hour), "", "open", "-keys", key, value), "future"},
		{"not base64url", cmd(t, "", "open", "-keys", key, "abc$def"), "malformed"},
		{"garbage", cmd(t, "", "open", "-keys", key, "AAAA"), "malformed"},
		{"no such cookie", cmd(t, "", "open", "-keys", key, "-cookie", "a=1; b=2"), `no cookie named "session"`},
		{"empty stdin", cmd(t, "\n", "open", "-keys", key, "-"), "empty"},
		{"empty value", cmd(t, "", "open", "-keys", key, ""), "empty"},
		{"blank value", cmd(t, "", "open", "-keys", key, "  "), "empty"},
		{"empty -cookie", cmd(t, "", "open", "-keys", key, "-cookie", ""), "empty"},
		{"empty -cookie stdin", cmd(t, "", "open", "-keys", key, "-cookie", "-"), "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.fails(t, exitFailure, "cookiesession open: ", tc.want)
			if tc.r.stdout != "" {
				t.Errorf("stdout %q, want nothing", tc.r.stdout)
			}
			for _, secret := range []string{key, other, "hunter2", value} {
				if strings.Contains(tc.r.stderr, secret) {
					t.Errorf("stderr %q reveals a key, the data or the value", tc.r.stderr)
				}
			}
		})
	}
	// Still valid just before the lifetime ends, under the same clock.
	cmdAt(t, time.Now().Add(23*time.Hour), "", "open", "-keys", key, value).ok(t)
}

func TestKeysEnv(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	t.Setenv(keysEnv, k1)
	value := strings.TrimSpace(cmd(t, `{"a":1}`, "seal").ok(t).stdout)
	sameJSON(t, cmd(t, "", "open", value).ok(t).stdout, `{"a":1}`)

	// Rotation: a new key first, the old one still opens.
	t.Setenv(keysEnv, k2+", "+k1)
	sameJSON(t, cmd(t, "", "open", value).ok(t).stdout, `{"a":1}`)
	// One key per line, as in a file: two keys, not one merged key.
	for _, sep := range []string{"\n", "\r\n", " ", "\t"} {
		t.Setenv(keysEnv, k2+sep+k1+sep)
		sameJSON(t, cmd(t, "", "open", value).ok(t).stdout, `{"a":1}`)
		sameJSON(t, cmd(t, "", "open", "-keys", k2+sep+k1, value).ok(t).stdout, `{"a":1}`)
	}
	// -keys wins over the environment.
	cmd(t, "", "open", "-keys", k2, value).fails(t, exitFailure, "unknown key")

	// The same key in hex (openssl rand -hex 32) is accepted; padded
	// base64url, not what keygen prints, is refused.
	raw, _ := base64.RawURLEncoding.DecodeString(k1)
	sameJSON(t, cmd(t, "", "open", "-keys", hex.EncodeToString(raw)+"\n", value).ok(t).stdout, `{"a":1}`)
	cmd(t, "", "open", "-keys", base64.URLEncoding.EncodeToString(raw), value).fails(t, exitUsage, "key 1", "43 base64url characters", "64 or 128 hex digits")

	t.Setenv(keysEnv, "")
	cmd(t, `{}`, "seal").fails(t, exitUsage, "no keys", keysEnv)
}

func TestKeyErrors(t *testing.T) {
	short := base64.RawURLEncoding.EncodeToString([]byte("sixteen byte key"))
	good := newKey(t)
	zero := strings.Repeat("00", 32) // hex
	hexText := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("0123456789abcdef", 2)))
	for _, tc := range []struct {
		name string
		keys string
		want []string
	}{
		{"short", short, []string{"key 1", "base64 of 22 characters", "43 base64url characters"}},
		{"second short", good + "," + short, []string{"key 2", "22 characters"}},
		{"not base64", "!!!!" + good, []string{"key 1", "neither base64url nor hex"}},
		{"passphrase", "MyCompanySessionSecretKeyForProductionDeployment2024", []string{"key 1", "43 base64url characters", "64 or 128 hex digits", "passphrase"}},
		{"empty entry", good + ",,", []string{"key 2", "empty"}},
		{"duplicate", good + "," + good, []string{"same key id"}},
		{"zero key", good + "," + zero, []string{"-keys: ", "key 2", "not random", "cookiesession keygen"}},
		{"hex text key", hexText, []string{"-keys: ", "key 1", "printable text", "ParseKeys"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cmd(t, `{}`, "seal", "-keys", tc.keys)
			r.fails(t, exitUsage, tc.want...)
			if strings.Contains(r.stderr, good) || strings.Contains(r.stderr, short) {
				t.Errorf("stderr reveals a key: %q", r.stderr)
			}
		})
	}
	t.Run("env", func(t *testing.T) {
		t.Setenv(keysEnv, short)
		cmd(t, "", "open", "x").fails(t, exitUsage, keysEnv+": ", "key 1 is base64 of 22 characters")
	})
	t.Run("line break inside a key", func(t *testing.T) {
		r := cmd(t, `{}`, "seal", "-keys", good[:20]+"\n"+good[20:])
		r.fails(t, exitUsage, "-keys: ", "key 1")
		if strings.Contains(r.stderr, good[:20]) || strings.Contains(r.stderr, good[20:]) {
			t.Errorf("stderr reveals a key: %q", r.stderr)
		}
	})
}

func TestUsageErrors(t *testing.T) {
	key := newKey(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage: cookiesession"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", []string{"seal", "-keys", key, "-frob"}, "flag provided but not defined"},
		{"bad duration", []string{"seal", "-keys", key, "-max-age", "soon"}, "invalid value"},
		{"days", []string{"seal", "-keys", key, "-max-age", "1000d"}, "units ns, us, ms, s, m and h"},
		{"bad number", []string{"seal", "-keys", key, "-max-chunks", "three"}, "not a whole number"},
		{"seal argument", []string{"seal", "-keys", key, "extra"}, "unexpected argument"},
		{"bad cipher", []string{"seal", "-keys", key, "-cipher", "rot13"}, "unknown -cipher"},
		{"max-chunks", []string{"seal", "-keys", key, "-max-chunks", "300"}, "MaxChunks 300"},
		{"max-cookie-bytes", []string{"open", "-keys", key, "-max-cookie-bytes", "5000", "x"}, "MaxCookieBytes 5000"},
		{"max-age", []string{"seal", "-keys", key, "-max-age", "10000h"}, "MaxAge"},
		{"bad name", []string{"seal", "-keys", key, "-name", "a b"}, "not an RFC 6265 token"},
		{"open without value", []string{"open", "-keys", key}, "give the cookie"},
		{"open two values", []string{"open", "-keys", key, "a", "b"}, "give one VALUE"},
		{"value and -cookie", []string{"open", "-keys", key, "-cookie", "session=x", "x"}, "not both"},
		{"inspect without value", []string{"inspect"}, "give the cookie"},
		{"open without keys", []string{"open", "x"}, "no keys"},
		{"flag after value", []string{"open", "x", "-keys", key}, `flag -keys comes after an argument, where it is not read: put every flag before the value, as in "cookiesession open -keys ... VALUE"`},
		{"flag= after value", []string{"inspect", "x", "--max-age=1h"}, "flag -max-age comes after an argument"},
		{"flag after stdin", []string{"open", "-keys", key, "-", "-name", "s"}, "flag -name comes after an argument"},
		{"help unknown", []string{"help", "frob"}, "unknown command"},
		{"demo argument", []string{"demo", "x"}, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(keysEnv, "")
			cmd(t, `{}`, tc.args...).fails(t, exitUsage, tc.want)
		})
	}
}

func TestHelp(t *testing.T) {
	r := cmd(t, "", "help").ok(t)
	for _, c := range []string{"keygen", "seal", "open", "inspect", "demo", "revoke", keysEnv} {
		if !strings.Contains(r.stdout, c) {
			t.Errorf("usage lacks %q", c)
		}
	}
	for name, text := range commandUsage {
		if got := cmd(t, "", "help", name).ok(t).stdout; got != text {
			t.Errorf("help %s printed %q", name, got)
		}
		if got := cmd(t, "", name, "-h").ok(t).stdout; got != text {
			t.Errorf("%s -h printed %q", name, got)
		}
	}
}

func TestOpenCookieHeader(t *testing.T) {
	key := newKey(t)
	data := hexData(2000)
	out := cmd(t, data, "seal", "-keys", key, "-max-chunks", "3").ok(t).stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "session=") || !strings.HasPrefix(lines[1], "session~2=") {
		t.Fatalf("seal printed %d lines, want session=... and session~2=...", len(lines))
	}
	// As a browser sends it: other cookies around, any order.
	header := "theme=dark; " + lines[1] + "; session_other=1; " + lines[0] + "; z=\"q\""
	sameJSON(t, cmd(t, "", "open", "-keys", key, "-cookie", header).ok(t).stdout, data)
	sameJSON(t, cmd(t, "", "open", "-keys", key, "-cookie", "Cookie: "+header).ok(t).stdout, data)
	sameJSON(t, cmd(t, header+"\n", "open", "-keys", key, "-cookie", "-").ok(t).stdout, data)
	sameJSON(t, cmd(t, out, "open", "-keys", key, "-").ok(t).stdout, data)
	sameJSON(t, cmd(t, "", "open", "-keys", key, "-max-chunks", "2", "-cookie", header).ok(t).stdout, data)

	cmd(t, "", "open", "-keys", key, "-cookie", "theme=dark; "+lines[1]).fails(t, exitFailure, "chunk 1 of 2 is missing")
	// With -max-chunks 1 the store ignores session~2, as a store with
	// MaxChunks 1 does, and chunk 1 alone does not open.
	cmd(t, "", "open", "-keys", key, "-max-chunks", "1", "-cookie", header).fails(t, exitFailure, "cookiesession open: ")
	cmd(t, "", "open", "-keys", key, "-cookie", header+"; "+lines[1]).fails(t, exitFailure, "sent twice")
	// A stale part after the value's last one (two tabs racing) is
	// ignored, as the store ignores it.
	sameJSON(t, cmd(t, "", "open", "-keys", key, "-cookie", header+"; session~3=AAAA").ok(t).stdout, data)
	cmd(t, "", "open", "-keys", key, "-max-total-bytes", "4500", "-cookie", header).fails(t, exitFailure, "too large", "over the limit of 4500 (-max-total-bytes)")
}

func TestInspect(t *testing.T) {
	key, old := newKey(t), newKey(t)
	data := `{"user":"ada","secret":"hunter2"}`
	value := strings.TrimSpace(cmd(t, data, "seal", "-keys", old, "-cipher", "aes-256-gcm").ok(t).stdout)
	h, err := format.ParseHeader(value)
	if err != nil {
		t.Fatal(err)
	}
	keyID := h.KeyID.String()

	t.Run("without keys", func(t *testing.T) {
		t.Setenv(keysEnv, "")
		out := cmd(t, "", "inspect", value).ok(t).stdout
		for _, want := range []string{
			"AES-256-GCM", "version 1", keyID, "created", "sealed", h.Created.UTC().Format(time.RFC3339),
			"expires", "24h0m0s", "idle deadline   none", "session ", "of 4092", "the header is unauthenticated", "-keys",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("inspect output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "hunter2") || strings.Contains(out, `"ada"`) { // quoted: a random key id may contain the letters
			t.Errorf("inspect without keys shows data:\n%s", out)
		}
	})
	t.Run("with keys", func(t *testing.T) {
		out := cmd(t, "", "inspect", "-keys", key+","+old, value).ok(t).stdout
		for _, want := range []string{keyID + " (key 2 of 2", "verified        yes", `"secret": "hunter2"`} {
			if !strings.Contains(out, want) {
				t.Errorf("inspect output lacks %q:\n%s", want, out)
			}
		}
		i := strings.Index(out, "data:\n")
		if i < 0 {
			t.Fatalf("no data section:\n%s", out)
		}
		sameJSON(t, out[i+len("data:\n"):], data)
	})
	t.Run("wrong key", func(t *testing.T) {
		r := cmd(t, "", "inspect", "-keys", key, value)
		r.fails(t, exitFailure, "unknown key")
		out := r.stdout // the report is printed up to the verdict
		if !strings.Contains(out, "verified        NO: ") || !strings.Contains(out, "none of the 1 keys") {
			t.Errorf("inspect output:\n%s", out)
		}
	})
	t.Run("lifetimes", func(t *testing.T) {
		out := cmdAt(t, h.Created.Add(3*time.Hour), "", "inspect", "-max-age", "2h", "-idle", "30m", value).ok(t).stdout
		for _, want := range []string{"created + 2h0m0s (-max-age) (EXPIRED 1h0m0s ago)", "sealed + 30m0s (-idle) (EXPIRED 2h30m0s ago)"} {
			if !strings.Contains(out, want) {
				t.Errorf("inspect output lacks %q:\n%s", want, out)
			}
		}
		out = cmdAt(t, h.Created.Add(-time.Hour), "", "inspect", value).ok(t).stdout
		if !strings.Contains(out, "IN THE FUTURE") {
			t.Errorf("inspect output does not flag the future:\n%s", out)
		}
	})
	t.Run("chunked", func(t *testing.T) {
		data := hexData(2000)
		out := cmd(t, data, "seal", "-keys", key, "-max-chunks", "3", "-browser-session").ok(t).stdout
		header := strings.ReplaceAll(strings.TrimSpace(out), "\n", "; ")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		r := cmd(t, "", "inspect", "-keys", key, "-max-chunks", "3", "-cookie", "a=1; "+header).ok(t)
		total := len(header)
		for _, want := range []string{
			`2 cookies named "session"; at most 3 (-max-chunks)`,
			"  session       " + strconv.Itoa(len(lines[0])-1) + " bytes (name+value) of 4092",
			"  session~2     " + strconv.Itoa(len(lines[1])-1) + " bytes (name+value) of 4092",
			"  together      " + strconv.Itoa(total) + " bytes in the Cookie header of 6144",
			"browser session", "verified        yes",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("inspect output lacks %q:\n%s", want, r.stdout)
			}
		}
		sameJSON(t, r.stdout[strings.Index(r.stdout, "data:\n")+6:], data)

		r = cmd(t, "", "inspect", "-cookie", lines[1])
		r.fails(t, exitFailure, "chunk 1 (session) of 2 is missing")
		if !strings.Contains(r.stdout, "  session~2 ") {
			t.Errorf("inspect does not list the chunk it found:\n%s", r.stdout)
		}
	})
	t.Run("failures", func(t *testing.T) {
		cmd(t, "", "inspect", "-cookie", "a=1").fails(t, exitFailure, `no cookie named "session"`)
		cmd(t, "", "inspect", "AAAA").fails(t, exitFailure, "malformed")
		cmd(t, "", "inspect", "-keys", old, "-name", "x", value).fails(t, exitFailure, "failed authentication", `"x"`)
		cmd(t, "", "inspect", "-keys", key, "a;b").fails(t, exitFailure, "not base64url")
	})
}

// syncBuffer is a bytes.Buffer safe for the demo's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDemoCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	urls := make(chan string, 1)
	c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(string) string { return "" }, now: time.Now, ctx: ctx,
		ready: func(u string) { urls <- u }}
	done := make(chan int, 1)
	go func() { done <- c.run([]string{"demo", "-addr", "127.0.0.1:0"}) }()

	var url string
	select {
	case url = <-urls:
	case code := <-done:
		t.Fatalf("demo exited with %d: %s", code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("demo did not start")
	}
	if !strings.Contains(out.String(), "listening on "+url) {
		t.Errorf("stdout %q does not give the URL %s", out.String(), url)
	}
	if !strings.Contains(errb.String(), "ephemeral key") {
		t.Errorf("stderr %q does not mention the ephemeral key", errb.String())
	}
	resp, err := http.Post(url+"inc", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="session-json"`) {
		t.Fatalf("status %d, page %.200s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("demo exited with %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("demo did not stop")
	}

	// A bad address is a failure, not a hang.
	r := cmd(t, "", "demo", "-keys", newKey(t), "-addr", "256.0.0.1:0")
	r.fails(t, exitFailure, "cookiesession demo: ")
}

// TestUnicodeSpaceBeforeName: open and inspect read a header as the store
// does, where a Unicode space before a name makes it another cookie (one a
// sibling subdomain can set without the __Host- rules): never the session.
func TestUnicodeSpaceBeforeName(t *testing.T) {
	key := newKey(t)
	victim := strings.TrimSpace(cmd(t, `{"user":"victim"}`, "seal", "-keys", key).ok(t).stdout)
	attacker := strings.TrimSpace(cmd(t, `{"user":"attacker"}`, "seal", "-keys", key).ok(t).stdout)
	for _, sp := range []string{"\u00a0", "\u2000", "\u3000", "\u0085", "\v", "\f"} {
		planted := sp + "session=" + attacker
		for _, in := range []string{planted, "Cookie: " + planted, "a=1;" + planted} {
			cmd(t, "", "open", "-keys", key, "-cookie", in).fails(t, exitFailure, `no cookie named "session"`)
			cmd(t, "", "inspect", "-keys", key, "-name", "session", "-cookie", in).fails(t, exitFailure, `no cookie named "session"`)
		}
		both := "session=" + victim + ";" + planted
		sameJSON(t, cmd(t, "", "open", "-keys", key, "-cookie", both).ok(t).stdout, `{"user":"victim"}`)
		if out := cmd(t, "", "inspect", "-keys", key, "-cookie", both).ok(t).stdout; !strings.Contains(out, "victim") || strings.Contains(out, "attacker") {
			t.Errorf("inspect of %q:\n%s", both, out)
		}
	}
	// The blanks net/http trims still count.
	sameJSON(t, cmd(t, "", "open", "-keys", key, "-cookie", "a=1;\t session="+victim).ok(t).stdout, `{"user":"victim"}`)
}
