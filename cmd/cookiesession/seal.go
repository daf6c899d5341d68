package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
)

func (c *cli) seal(args []string) error {
	store, f, setCookie, err := c.sealStore(args)
	if err != nil {
		return err
	}
	in, err := c.readStdin()
	if err != nil {
		return err
	}
	data, err := jsonObject(in)
	if err != nil {
		return err
	}
	cookies, lines, err := sealWith(store, data)
	if err != nil {
		var tl *cookiesession.TooLargeError
		if errors.As(err, &tl) {
			return tooLarge(tl, f.limits(1))
		}
		return err
	}
	_, err = fmt.Fprint(c.stdout, sealedOutput(cookies, lines, setCookie))
	return err
}

// sealStore reads seal's command line into the store that seals, its
// flags, and whether to print Set-Cookie lines.
func (c *cli) sealStore(args []string) (*cookiesession.Store[json.RawMessage], *storeFlags, bool, error) {
	fs := newFlags("seal")
	f := &storeFlags{}
	f.register(fs, false)
	cipherName := fs.String("cipher", "xchacha20-poly1305", "")
	browser := fs.Bool("browser-session", false, "")
	setCookie := fs.Bool("set-cookie", false, "")
	path := fs.String("path", "/", "")
	domain := fs.String("domain", "", "")
	secure := fs.Bool("secure", true, "")
	if err := parseFlags(fs, args); err != nil {
		return nil, nil, false, err
	}
	if fs.NArg() > 0 {
		return nil, nil, false, usagef("unexpected argument %q: seal reads the session's JSON on stdin", fs.Arg(0))
	}
	ciph, err := parseCipher(*cipherName)
	if err != nil {
		return nil, nil, false, err
	}
	keys, err := c.keys(f.keys, true)
	if err != nil {
		return nil, nil, false, err
	}
	o := f.options(keys, c)
	o.Cipher, o.BrowserSession = ciph, *browser
	o.Path, o.Domain = *path, *domain
	o.Secure = cookiesession.SecureAlways
	if *setCookie && !*secure {
		if hasCookiePrefix(f.name) {
			return nil, nil, false, usagef("cookie %q needs the Secure attribute (its name prefix says so): drop -secure=false", f.name)
		}
		o.Secure = cookiesession.SecureNever
	}
	store, err := newStore(o)
	return store, f, *setCookie, err
}

// sealedOutput is what seal prints: Set-Cookie lines, the one value, or
// NAME=VALUE lines of the chunks.
func sealedOutput(cookies []cookie.Pair, lines []string, setCookie bool) string {
	var out strings.Builder
	switch {
	case setCookie:
		for _, l := range lines {
			out.WriteString("Set-Cookie: " + l + "\n")
		}
	case len(cookies) == 1:
		out.WriteString(cookies[0].Value + "\n")
	default:
		for _, ck := range cookies {
			out.WriteString(ck.Name + "=" + ck.Value + "\n")
		}
	}
	return out.String()
}

// hasCookiePrefix reports whether name starts with __Host- or __Secure- in
// any case: browsers match the prefixes case-insensitively (RFC 6265bis
// §5.7, since draft 13) and then require Secure.
func hasCookiePrefix(name string) bool {
	_, host := cutPrefixFold(name, "__Host-")
	_, secure := cutPrefixFold(name, "__Secure-")
	return host || secure
}

// parseCipher accepts the cipher's name with or without dashes, in any
// case.
func parseCipher(s string) (cookiesession.Cipher, error) {
	switch strings.ReplaceAll(strings.ToLower(s), "-", "") {
	case "xchacha20poly1305", "xchacha20", "xchacha":
		return cookiesession.XChaCha20Poly1305, nil
	case "aes256gcm", "aesgcm", "aes":
		return cookiesession.AES256GCM, nil
	}
	return 0, usagef("unknown -cipher %q: use xchacha20-poly1305 or aes-256-gcm", s)
}

// jsonObject checks that in is exactly one JSON object. Its errors give
// offsets, never content.
func jsonObject(in []byte) (json.RawMessage, error) {
	const space = " \t\r\n" // JSON's whitespace
	lead := len(in) - len(bytes.TrimLeft(in, space))
	trimmed := bytes.TrimRight(in[lead:], space)
	if len(trimmed) == 0 {
		return nil, errors.New("stdin is empty: give the session as one JSON object")
	}
	var raw json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("stdin is not one JSON object: syntax error at byte %d", se.Offset+int64(lead))
		}
		return nil, errors.New("stdin is not one JSON object")
	}
	if trimmed[0] != '{' {
		return nil, fmt.Errorf("stdin holds a JSON %s, not an object: a session is a JSON object", jsonKind(trimmed[0]))
	}
	return raw, nil
}

func jsonKind(b byte) string {
	switch b {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// sealWith seals data with the store the way a handler would, and returns
// the session's cookies and their Set-Cookie lines (without the lines that
// expire unused chunk names).
func sealWith(store *cookiesession.Store[json.RawMessage], data json.RawMessage) ([]cookie.Pair, []string, error) {
	req, err := http.NewRequest(http.MethodGet, "https://localhost/", nil)
	if err != nil {
		return nil, nil, err
	}
	req.TLS = &tls.ConnectionState{} // the request arrived over HTTPS: Secure
	s := store.Get(req)
	s.Data = data
	w := headerWriter{}
	if err := s.Save(w); err != nil {
		return nil, nil, err
	}
	var cookies []cookie.Pair
	var lines []string
	for _, l := range w.Header().Values("Set-Cookie") {
		nv, _, _ := strings.Cut(l, ";")
		name, value, _ := strings.Cut(nv, "=")
		if value == "" {
			continue // an expiring line for a chunk not used
		}
		cookies = append(cookies, cookie.Pair{Name: name, Value: value})
		lines = append(lines, l)
	}
	if len(cookies) == 0 {
		return nil, nil, errors.New("the store wrote no cookie")
	}
	return cookies, lines, nil
}

// headerWriter is the part of an http.ResponseWriter that Session.Save
// uses: the header.
type headerWriter http.Header

func (w headerWriter) Header() http.Header         { return http.Header(w) }
func (w headerWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w headerWriter) WriteHeader(int)             {}

// tooLarge explains a TooLargeError with the command's flags.
func tooLarge(e *cookiesession.TooLargeError, l chunks.Limits) error {
	switch {
	case e.Total:
		return fmt.Errorf("session too large: its %d cookies need %d bytes together in the Cookie header, limit %d (-max-total-bytes); store less, or raise -max-total-bytes if every proxy on the path allows a longer Cookie header",
			e.Chunks, e.Size, e.Limit)
	case e.Chunks > 1:
		return fmt.Errorf("session too large: it needs about %d bytes, more than %d cookies (-max-chunks) of %d bytes each (-max-cookie-bytes) hold; store less, or raise -max-chunks",
			e.Size, l.Chunks, l.Cookie)
	default:
		return fmt.Errorf("session too large: cookie %q needs %d bytes (name+value), limit %d (-max-cookie-bytes); store less, or split it with -max-chunks N",
			e.Name, e.Size, e.Limit)
	}
}
