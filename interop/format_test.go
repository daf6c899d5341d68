package interop

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/format"
)

// The tests of this file check the JavaScript package in ../js, the second
// implementation of docs/FORMAT.md, against the test vectors and against
// the Go codec, both ways, through jsdriver.mjs.

// requireJS skips the test when node or the built package is missing, or
// fails it when CI=true.
func requireJS(t *testing.T) {
	t.Helper()
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join("..", "js", "dist", "esm", "index.js")); err != nil {
		missing = "the JavaScript package is not built"
	}
	if missing == "" {
		return
	}
	msg := missing + ": the cross-language tests run ../js with Node.js; run `cd js && npm ci && npm run build`"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: these tests must not be skipped)")
	}
	t.Skip(msg)
}

// TestFormatVectorsNode runs the JavaScript package's check of
// internal/format/testdata/vectors.json; TestVectors in internal/format checks Go's.
func TestFormatVectorsNode(t *testing.T) {
	requireJS(t)
	cmd := exec.Command("node", "--test", "test/vectors.test.mjs")
	cmd.Dir = filepath.Join("..", "js")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("js/test/vectors.test.mjs: %v\n%s", err, out)
	}
	pass := regexp.MustCompile(`(?m)^# pass ([0-9]+)$`).FindSubmatch(out)
	if pass == nil || string(pass[1]) == "0" || !regexp.MustCompile(`(?m)^# fail 0$`).Match(out) {
		t.Fatalf("js/test/vectors.test.mjs did not pass every vector:\n%s", out)
	}
	t.Logf("js/test/vectors.test.mjs: %s passed", pass[1])
}

// formatCase is one value to seal in one implementation and open in the
// other. The request fields follow jsdriver.mjs.
type formatCase struct {
	Op             string   `json:"op"`
	Cipher         string   `json:"cipher"`
	Keys           []string `json:"keys"`
	Name           string   `json:"name"`
	Chunks         int      `json:"chunks"`
	Created        int64    `json:"created,string"`
	Sealed         int64    `json:"sealed,string"`
	BrowserSession bool     `json:"browser_session"`
	Flashes        bool     `json:"flashes"`
	Plaintext      string   `json:"plaintext"`
	Value          string   `json:"value,omitempty"`
}

type formatResult struct {
	Value          string `json:"value"`
	Plaintext      string `json:"plaintext"`
	Created        int64  `json:"created,string"`
	Sealed         int64  `json:"sealed,string"`
	BrowserSession bool   `json:"browser_session"`
	Flashes        bool   `json:"flashes"`
	KeyID          string `json:"key_id"`
	KeyIndex       int    `json:"key_index"`
	Error          string `json:"error"`
}

// nodeFormat runs the requests through jsdriver.mjs.
func nodeFormat(t *testing.T, reqs []formatCase) []formatResult {
	t.Helper()
	var res []formatResult
	runJS(t, reqs, &res)
	return res
}

// runJS sends reqs, a slice, to jsdriver.mjs and decodes its answer into
// res, a pointer to a slice of the same length.
func runJS(t *testing.T, reqs, res any) {
	t.Helper()
	in, err := json.Marshal(reqs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "jsdriver.mjs")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jsdriver.mjs: %v\n%s", err, stderr.Bytes())
	}
	if err := json.Unmarshal(out, res); err != nil {
		t.Fatalf("jsdriver.mjs answered %v:\n%.2000s", err, out)
	}
	if a, b := reflect.ValueOf(reqs).Len(), reflect.ValueOf(res).Elem().Len(); a != b {
		t.Fatalf("jsdriver.mjs answered %d results to %d requests", b, a)
	}
}

// testKey returns a fixed master key that looks random: SHA-256 of b.
func testKey(b byte) []byte { k := sha256.Sum256([]byte{b}); return k[:] }

var (
	formatKeyA = testKey(0x11)
	formatKeyB = append(testKey(0x22), testKey(0x23)...) // longer than 32 bytes, which is allowed
	formatKeyC = testKey(0x33)
)

func b64(keys ...[]byte) []string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = base64.RawURLEncoding.EncodeToString(k)
	}
	return s
}

// formatFixture is a value sealed with c.Keys[0] and opened by a reader
// configured with openKeys, where the sealing key has index keyIndex.
type formatFixture struct {
	c        formatCase
	openKeys [][]byte
	keyIndex int
}

// formatCases covers both ciphers, both flags, chunk counts, the ends of the
// age field, a long plaintext and values sealed by a key that is not the
// reader's first.
func formatCases() []formatFixture {
	x, a := cookiesession.XChaCha20Poly1305.String(), cookiesession.AES256GCM.String()
	return []formatFixture{
		{formatCase{Cipher: x, Keys: b64(formatKeyA), Name: "session", Chunks: 1, Created: 1796212800, Sealed: 1796216400,
			Plaintext: `{"user":"Zoë","emoji":"😀","html":"\u003cb\u003e","n":1}`}, [][]byte{formatKeyA}, 0},
		{formatCase{Cipher: x, Keys: b64(formatKeyB), Name: "__Host-sid", Chunks: 7, Created: 0, Sealed: 1<<32 - 1,
			BrowserSession: true, Flashes: true, Plaintext: `[{"n":2},["saved","again"]]`}, [][]byte{formatKeyA, formatKeyB}, 1},
		{formatCase{Cipher: a, Keys: b64(formatKeyA), Name: "s", Chunks: 255, Created: 1 << 40, Sealed: 1<<40 + 17,
			Flashes: true, Plaintext: `[null,[]]`}, [][]byte{formatKeyA}, 0},
		{formatCase{Cipher: a, Keys: b64(formatKeyC), Name: "my.app-sess_1", Chunks: 2, Created: 1700000000, Sealed: 1700000000,
			BrowserSession: true, Plaintext: `{"big":"` + strings.Repeat("x", 3000) + `"}`}, [][]byte{formatKeyB, formatKeyC}, 1},
	}
}

func goCodec(t *testing.T, cipher string, keys ...[]byte) *format.Codec {
	t.Helper()
	c := format.XChaCha20Poly1305
	if cipher == format.AES256GCM.String() {
		c = format.AES256GCM
	}
	codec, err := format.NewCodec(c, false, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return codec
}

func TestFormatGoSealsNodeOpens(t *testing.T) {
	requireJS(t)
	var reqs []formatCase
	var want []formatResult
	for _, fc := range formatCases() {
		c := fc.c
		keys, _ := base64.RawURLEncoding.DecodeString(c.Keys[0])
		sealer := goCodec(t, c.Cipher, keys)
		value, err := sealer.Seal(c.Name, format.Header{
			Created: time.Unix(c.Created, 0), Sealed: time.Unix(c.Sealed, 0),
			BrowserSession: c.BrowserSession, Flashes: c.Flashes, Chunks: c.Chunks,
		}, []byte(c.Plaintext))
		if err != nil {
			t.Fatal(err)
		}
		id := sealer.KeyID(0)
		ok := formatResult{Plaintext: c.Plaintext, Created: c.Created, Sealed: c.Sealed,
			BrowserSession: c.BrowserSession, Flashes: c.Flashes, KeyID: hex.EncodeToString(id[:]), KeyIndex: fc.keyIndex}
		open := formatCase{Op: "open", Cipher: c.Cipher, Keys: b64(fc.openKeys...), Name: c.Name, Chunks: c.Chunks, Value: value}
		reqs = append(reqs, open)
		want = append(want, ok)

		// The same value under another name, another chunk count, with
		// none of its keys.
		other := open
		other.Name += "x"
		reqs, want = append(reqs, other), append(want, formatResult{Error: "authentication"})
		other = open
		other.Chunks = c.Chunks%255 + 1
		reqs, want = append(reqs, other), append(want, formatResult{Error: "authentication"})
		other = open
		other.Keys = b64(testKey(0x44))
		reqs, want = append(reqs, other), append(want, formatResult{Error: "unknown_key"})
		// A reader that seals with the other cipher opens it all the same
		// (docs/FORMAT.md, "Opening", step 3).
		other = open
		other.Cipher = cookiesession.AES256GCM.String()
		if c.Cipher == other.Cipher {
			other.Cipher = cookiesession.XChaCha20Poly1305.String()
		}
		reqs, want = append(reqs, other), append(want, ok)
	}
	got := nodeFormat(t, reqs)
	for i := range reqs {
		if got[i] != want[i] {
			t.Errorf("Node opening %+v:\n got %+v\nwant %+v", reqs[i], got[i], want[i])
		}
	}
}

func TestFormatNodeSealsGoOpens(t *testing.T) {
	requireJS(t)
	cases := formatCases()
	var reqs []formatCase
	for _, fc := range cases {
		c := fc.c
		c.Op = "seal"
		reqs = append(reqs, c, c) // twice: the nonces must differ
	}
	got := nodeFormat(t, reqs)
	for i, fc := range cases {
		c := fc.c
		v1, v2 := got[2*i], got[2*i+1]
		if v1.Error != "" || v1.Value == "" {
			t.Fatalf("Node sealing %+v: %+v", c, v1)
		}
		if v1.Value == v2.Value {
			t.Errorf("Node sealed the same value twice: %s", v1.Value)
		}
		keys, _ := base64.RawURLEncoding.DecodeString(c.Keys[0])
		opener := goCodec(t, c.Cipher, fc.openKeys...)
		for _, value := range []string{v1.Value, v2.Value} {
			h, plaintext, err := opener.Open(c.Name, c.Chunks, value)
			if err != nil {
				t.Fatalf("Go opening Node's %s value for %q: %v", c.Cipher, c.Name, err)
			}
			if string(plaintext) != c.Plaintext {
				t.Errorf("plaintext %q, want %q", plaintext, c.Plaintext)
			}
			sealerID := goCodec(t, c.Cipher, keys).KeyID(0)
			if h.Suite.String() != c.Cipher || h.KeyID != sealerID || h.KeyID != opener.KeyID(fc.keyIndex) ||
				h.Created.Unix() != c.Created || h.Sealed.Unix() != c.Sealed ||
				h.BrowserSession != c.BrowserSession || h.Flashes != c.Flashes {
				t.Errorf("Go read header %+v from Node's value, sealed as %+v (key %d)", h, c, fc.keyIndex)
			}
			if _, _, err := opener.Open(c.Name+"x", c.Chunks, value); !errors.Is(err, cookiesession.ErrAuthentication) {
				t.Errorf("Go opened Node's value under another name: %v", err)
			}
			if _, _, err := opener.Open(c.Name, c.Chunks%255+1, value); !errors.Is(err, cookiesession.ErrAuthentication) {
				t.Errorf("Go opened Node's value with another chunk count: %v", err)
			}
		}
	}
}
