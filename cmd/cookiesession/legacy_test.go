package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
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
