package format

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestVectorsMeta checks the metadata blocks of the format's test vectors
// (testdata/vectors.json, which TestVectors checks against the codec):
// each parses to the vector's lifetime, identifier and subject, and
// AppendMeta writes it back byte for byte.
func TestVectorsMeta(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct {
		Comment, Meta, ID, Subject string
		MaxAge                     int64 `json:"max_age"`
		Plaintext                  string
	}
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range vectors {
		if v.Meta == "" {
			continue
		}
		n++
		block, err := hex.DecodeString(v.Meta)
		if err != nil {
			t.Fatal(err)
		}
		m, rest, err := ParseMeta(append(bytes.Clone(block), v.Plaintext...))
		if err != nil || string(rest) != v.Plaintext || int64(m.MaxAge/time.Second) != v.MaxAge ||
			(m.HasID && hex.EncodeToString(m.ID[:]) != v.ID) || m.HasID != (v.ID != "") || m.Subject != v.Subject {
			t.Fatalf("%s: metadata %+v, rest %q, %v", v.Comment, m, rest, err)
		}
		if again, err := AppendMeta(nil, &m); err != nil || !bytes.Equal(again, block) {
			t.Errorf("%s: AppendMeta writes %x (%v), want %s", v.Comment, again, err, v.Meta)
		}
	}
	if n < 2 {
		t.Fatalf("only %d vectors with metadata", n)
	}
}

// TestParseMetaRejects feeds ParseMeta every malformed block.
func TestParseMetaRejects(t *testing.T) {
	good := "\x03\x01\x04\x00\x00\x0e\x10\x02\x10" + strings.Repeat("i", 16) + "\x03\x03ada{}"
	m, rest, err := ParseMeta([]byte(good))
	if err != nil || m.MaxAge != time.Hour || !m.HasID || m.Subject != "ada" || string(rest) != "{}" {
		t.Fatalf("good block: %+v %q %v", m, rest, err)
	}
	for name, b := range map[string]string{
		"empty":            "",
		"truncated field":  "\x01\x01\x04\x00\x00",
		"truncated count":  "\x02\x01\x04\x00\x00\x0e\x10",
		"repeated tag":     "\x02\x01\x04\x00\x00\x0e\x10\x01\x04\x00\x00\x0e\x10",
		"out of order":     "\x02\x03\x01a\x01\x04\x00\x00\x0e\x10",
		"unknown tag":      "\x01\x09\x01a",
		"zero max-age":     "\x01\x01\x04\x00\x00\x00\x00",
		"short id":         "\x01\x02\x03abc",
		"empty subject":    "\x01\x03\x00",
		"subject not utf8": "\x01\x03\x02\xff\xfe",
	} {
		if _, _, err := ParseMeta([]byte(b)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}
