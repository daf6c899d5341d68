package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/securecookie"
)

// expressCookie builds the two cookies cookie-session 2 writes for data,
// signed with key as keygrip does (HMAC-SHA1 over "NAME=VALUE").
func expressCookie(name, data, key string) string {
	value := base64.StdEncoding.EncodeToString([]byte(data))
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(name + "=" + value))
	sig := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	return name + "=" + value + "; " + name + ".sig=" + sig
}

func TestOpenLegacyExpress(t *testing.T) {
	header := "other=1; " + expressCookie("session", `{"user":"ada","n":2}`, "old-secret")
	r := cmd(t, "", "open", "-express-keys", "new-secret,old-secret", "-cookie", header)
	if out := strings.TrimSpace(r.ok(t).stdout); out != `{"user":"ada","n":2}` {
		t.Fatalf("stdout %q", out)
	}
	// 1.x's default name, which net/http would drop.
	header = expressCookie("express:sess", `{"a":[1,2]}`, "k")
	if out := strings.TrimSpace(cmd(t, "", "open", "-express-keys", "k", "-express-name", "express:sess", "-cookie", header).ok(t).stdout); out != `{"a":[1,2]}` {
		t.Fatalf("stdout %q", out)
	}
	// A signature from a key not given, and a tampered value, fail on one line.
	r = cmd(t, "", "open", "-express-keys", "another", "-cookie", expressCookie("session", `{"user":"ada"}`, "k"))
	r.fails(t, exitFailure, "signature")
	tampered := strings.Replace(expressCookie("session", `{"user":"ada"}`, "k"), "session=eyJ", "session=eyK", 1)
	cmd(t, "", "open", "-express-keys", "k", "-cookie", tampered).fails(t, exitFailure, "signature")
	if strings.Contains(r.stderr, "ada") || strings.Contains(r.stderr, "another") {
		t.Fatalf("stderr leaks data or keys: %q", r.stderr)
	}
}

func TestOpenLegacyGorilla(t *testing.T) {
	hash := []byte("hash-key-hash-key-hash-key-12345")
	block := []byte("block-key-block-key-block-key-32")
	value, err := securecookie.New(hash, block).Encode("sid", map[interface{}]interface{}{"user": "ada", 7: "seven"})
	if err != nil {
		t.Fatal(err)
	}
	keys := string(hash) + ":hex:" + hex.EncodeToString(block)
	r := cmd(t, "", "open", "-gorilla-keys", keys, "-gorilla-name", "sid", "-cookie", "sid="+value)
	if out := strings.TrimSpace(r.ok(t).stdout); out != `{"7":"seven","user":"ada"}` {
		t.Fatalf("stdout %q", out)
	}
	// Rotation: the pair that wrote it second in the list.
	other := "base64:" + base64.StdEncoding.EncodeToString([]byte("another-hash-key-another-hash-k"))
	if out := strings.TrimSpace(cmd(t, "", "open", "-gorilla-keys", other+","+keys, "-gorilla-name", "sid", "-cookie", "sid="+value).ok(t).stdout); out != `{"7":"seven","user":"ada"}` {
		t.Fatalf("rotated stdout %q", out)
	}
	cmd(t, "", "open", "-gorilla-keys", other, "-gorilla-name", "sid", "-cookie", "sid="+value).fails(t, exitFailure)
	cmd(t, "", "open", "-gorilla-keys", "a:b:c", "-cookie", "sid="+value).fails(t, exitUsage, "HASH:BLOCK")
	// A line break inside a base64 key is refused, not skipped.
	b64 := base64.StdEncoding.EncodeToString(hash)
	cmd(t, "", "open", "-gorilla-keys", "base64:"+b64[:10]+"\n"+b64[10:]+":hex:"+hex.EncodeToString(block), "-gorilla-name", "sid", "-cookie", "sid="+value).fails(t, exitUsage, "pair 1", "hash key")
}

func TestInspectLegacy(t *testing.T) {
	header := expressCookie("session", `{"user":"ada"}`, "k")
	out := cmd(t, "", "inspect", "-express-keys", "k", "-cookie", header).ok(t).stdout
	for _, want := range []string{"Express cookie-session", `"session.sig"`, "verified        yes", `"user": "ada"`} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	r := cmd(t, "", "inspect", "-express-keys", "wrong", "-cookie", header)
	r.fails(t, exitFailure, "signature")
	if !strings.Contains(r.stdout, "verified        NO") {
		t.Errorf("inspect output:\n%s", r.stdout)
	}
}

// Express keys are arbitrary strings: a repeated flag or a file carries a
// key with commas and spaces verbatim; the old single comma-separated form
// still splits, with a warning.
func TestExpressKeysWithCommas(t *testing.T) {
	const key = "new, key with comma"
	header := expressCookie("session", `{"user":"ada"}`, key)
	want := `{"user":"ada"}`

	r := cmd(t, "", "open", "-express-keys", "other", "-express-keys", key, "-cookie", header).ok(t)
	if strings.TrimSpace(r.stdout) != want || r.stderr != "" {
		t.Fatalf("repeated flag: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	r = cmd(t, "", "open", "-express-keys", key, "-express-keys", "other", "-cookie", header).ok(t)
	if strings.TrimSpace(r.stdout) != want {
		t.Fatalf("repeated flag, key first: %q", r.stdout)
	}

	file := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte("other\r\n\n"+key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = cmd(t, "", "open", "-express-keys-file", file, "-cookie", header).ok(t)
	if strings.TrimSpace(r.stdout) != want || r.stderr != "" {
		t.Fatalf("key file: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	out := cmd(t, "", "inspect", "-express-keys-file", file, "-cookie", header).ok(t).stdout
	if !strings.Contains(out, "verified        yes") {
		t.Errorf("inspect with a key file:\n%s", out)
	}

	// Given once, the comma form splits the key, and says so.
	r = cmd(t, "", "open", "-express-keys", key, "-cookie", header)
	if r.code != exitFailure || !strings.Contains(r.stderr, "warning: -express-keys split at commas into 2 keys") || !strings.Contains(r.stderr, "once per key") {
		t.Fatalf("single comma form: exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "key with comma") {
		t.Errorf("stderr quotes a key: %q", r.stderr)
	}
	// ... and keeps working for keys without commas.
	r = cmd(t, "", "open", "-express-keys", "x,"+"k", "-cookie", expressCookie("session", want, "k")).ok(t)
	if strings.TrimSpace(r.stdout) != want || !strings.Contains(r.stderr, "warning") {
		t.Fatalf("old form: %q %q", r.stdout, r.stderr)
	}

	cmd(t, "", "open", "-express-keys", "a", "-express-keys-file", file, "-cookie", header).fails(t, exitUsage, "not both")
	cmd(t, "", "open", "-express-keys", "a", "-express-keys", "", "-cookie", header).fails(t, exitUsage, "occurrence 2 is empty")
	cmd(t, "", "open", "-express-keys-file", filepath.Join(t.TempDir(), "none"), "-cookie", header).fails(t, exitUsage, "-express-keys-file")
	empty := filepath.Join(t.TempDir(), "empty")
	_ = os.WriteFile(empty, []byte("\n\r\n"), 0o600)
	cmd(t, "", "open", "-express-keys-file", empty, "-cookie", header).fails(t, exitUsage, "no key")
}

// A gorilla pair per occurrence: a raw key with a comma is not split.
func TestGorillaKeysRepeated(t *testing.T) {
	hash := []byte("hash,key-hash-key-hash-key-12345")
	value, err := securecookie.New(hash, nil).Encode("sid", map[interface{}]interface{}{"user": "ada"})
	if err != nil {
		t.Fatal(err)
	}
	r := cmd(t, "", "open", "-gorilla-keys", "other:", "-gorilla-keys", string(hash)+":", "-gorilla-name", "sid", "-cookie", "sid="+value).ok(t)
	if strings.TrimSpace(r.stdout) != `{"user":"ada"}` || r.stderr != "" {
		t.Fatalf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
	r = cmd(t, "", "open", "-gorilla-keys", string(hash)+":", "-gorilla-name", "sid", "-cookie", "sid="+value)
	if r.code == 0 || !strings.Contains(r.stderr, "warning: -gorilla-keys split at commas") {
		t.Fatalf("single comma form: exit %d, stderr %q", r.code, r.stderr)
	}
}
