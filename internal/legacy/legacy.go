// Package legacy holds what the store and the legacy formats of package
// migrate share: their error sentinels and the check of a decoded session
// (the cookie names another library may have used are package cookie's,
// ValidLegacyName).
package legacy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Errors of the legacy formats, exported by the library as
// ErrLegacySignature and ErrLegacyPayload, which document them.
var (
	ErrSignature = errors.New("cookiesession: legacy session cookie signature invalid")
	ErrPayload   = errors.New("cookiesession: legacy session cookie content unusable")
)

// JSONObject checks that b, the decoded content of a legacy cookie,
// is one JSON object, and returns it without surrounding whitespace.
// Invalid UTF-8 (which neither library writes) becomes U+FFFD first, as
// Node.js's Buffer.toString does.
func JSONObject(b []byte, what string) ([]byte, error) {
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("%w: %s does not hold JSON (or not base64 JSON)", ErrPayload, what)
	}
	b = bytes.Trim(b, " \t\r\n")
	if b[0] != '{' {
		return nil, fmt.Errorf("%w: %s holds JSON that is not an object (%s)", ErrPayload, what, jsonKind(b[0]))
	}
	return b, nil
}

// jsonKind names the JSON type that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
