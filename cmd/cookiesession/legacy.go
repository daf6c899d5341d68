package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate"
)

// defaultExpressName is cookie-session 2's default cookie name, which
// migrate.Express.Name defaults to.
const defaultExpressName = "session"

// legacyFlags configure the legacy readers of open and inspect, so that an
// operator can check a migration from Express cookie-session or
// gorilla/sessions from the shell.
type legacyFlags struct {
	expressKeys   repeated // each occurrence one key, verbatim
	expressFile   string   // one key per line
	expressName   string
	expressSHA256 bool
	gorillaKeys   repeated // each occurrence one HASH:BLOCK pair
	gorillaName   string
	gorillaJSON   bool
	gorillaMaxAge int

	// Set by resolve.
	express  []string
	gorilla  [][]byte
	resolved bool
}

// repeated is a flag that may be given several times; each occurrence is
// kept as given. String never shows the values: they are keys.
type repeated []string

func (r *repeated) String() string     { return "" }
func (r *repeated) Set(s string) error { *r = append(*r, s); return nil }

func (l *legacyFlags) register(fs *flag.FlagSet) {
	fs.Var(&l.expressKeys, "express-keys", "")
	fs.StringVar(&l.expressFile, "express-keys-file", "", "")
	fs.StringVar(&l.expressName, "express-name", defaultExpressName, "")
	fs.BoolVar(&l.expressSHA256, "express-sha256", false, "")
	fs.Var(&l.gorillaKeys, "gorilla-keys", "")
	fs.StringVar(&l.gorillaName, "gorilla-name", "session", "")
	fs.BoolVar(&l.gorillaJSON, "gorilla-json", false, "")
	fs.IntVar(&l.gorillaMaxAge, "gorilla-max-age", 0, "")
}

// expressOn and gorillaOn report whether each legacy reader is configured;
// any whether one is.
func (l *legacyFlags) expressOn() bool { return len(l.expressKeys) > 0 || l.expressFile != "" }
func (l *legacyFlags) gorillaOn() bool { return len(l.gorillaKeys) > 0 }
func (l *legacyFlags) any() bool       { return l.expressOn() || l.gorillaOn() }

// maxKeyFile bounds a key file.
const maxKeyFile = 1 << 20

// resolve reads the legacy keys once: a repeated flag gives one key (one
// gorilla pair) per occurrence, verbatim; a key file one key per line; a
// single occurrence with commas is split at them, as before, with a
// warning on stderr, since it cannot carry a key that holds a comma.
func (l *legacyFlags) resolve(cmd string, stderr io.Writer) error {
	if l.resolved {
		return nil
	}
	l.resolved = true
	var err error
	if l.express, err = l.expressList(cmd, stderr); err != nil {
		return err
	}
	if !l.gorillaOn() {
		return nil
	}
	pairs := []string(l.gorillaKeys)
	if len(pairs) == 1 && strings.Contains(pairs[0], ",") {
		pairs = strings.Split(pairs[0], ",")
		fmt.Fprintf(stderr, "cookiesession %s: warning: -gorilla-keys split at commas into %d pairs; for a key with a comma, give -gorilla-keys once per pair and the key as base64:... or hex:...\n", cmd, len(pairs))
	}
	l.gorilla, err = gorillaPairs(pairs)
	return err
}

// expressList returns the Express keys the flags give, in order.
func (l *legacyFlags) expressList(cmd string, stderr io.Writer) ([]string, error) {
	switch {
	case l.expressFile != "" && len(l.expressKeys) > 0:
		return nil, usagef("give -express-keys or -express-keys-file, not both")
	case l.expressFile != "":
		return readKeyFile(l.expressFile)
	case len(l.expressKeys) == 1 && strings.Contains(l.expressKeys[0], ","):
		keys := strings.Split(l.expressKeys[0], ",")
		fmt.Fprintf(stderr, "cookiesession %s: warning: -express-keys split at commas into %d keys; for a key with a comma, give -express-keys once per key, or -express-keys-file\n", cmd, len(keys))
		return keys, nil
	}
	for i, k := range l.expressKeys {
		if k == "" {
			return nil, usagef("-express-keys occurrence %d is empty", i+1)
		}
	}
	return l.expressKeys, nil
}

// readKeyFile reads one key per line, verbatim but for the line break (LF
// or CRLF); blank lines are skipped. Errors name lines, never keys.
func readKeyFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("-express-keys-file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, usagef("-express-keys-file: %w", err)
	}
	if len(b) > maxKeyFile {
		return nil, usagef("-express-keys-file: larger than %d bytes", maxKeyFile)
	}
	var keys []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSuffix(line, "\r"); line != "" {
			keys = append(keys, line)
		}
	}
	if len(keys) == 0 {
		return nil, usagef("-express-keys-file: no key in the file")
	}
	return keys, nil
}

// apply adds the legacy readers to o; resolve must have run. The store's
// own cookie name must differ from theirs; when it does not and no
// sealed-format keys were given, the store gets a name no browser sends.
func (l *legacyFlags) apply(o *cookiesession.Options, haveKeys bool) error {
	clash := false
	if len(l.express) > 0 {
		o.Legacy = append(o.Legacy, &migrate.Express{
			Name:   l.expressName,
			Keys:   l.express,
			SHA256: l.expressSHA256,
		})
		clash = o.Name == l.expressName
	}
	if len(l.gorilla) > 0 {
		o.Legacy = append(o.Legacy, &migrate.Gorilla{Name: l.gorillaName, KeyPairs: l.gorilla, JSON: l.gorillaJSON, MaxAge: l.gorillaMaxAge})
		clash = clash || o.Name == l.gorillaName
	}
	if clash && !haveKeys {
		o.Name = "cookiesession-cli-unused"
	}
	return nil
}

// gorillaPairs parses HASH:BLOCK pairs: each key a raw string (without
// ':'), or "base64:..." / "hex:..." for binary keys; BLOCK may be absent
// (signed, not encrypted).
func gorillaPairs(list []string) ([][]byte, error) {
	var out [][]byte
	for i, pair := range list {
		parts := strings.Split(pair, ":")
		var keys []string
		for j := 0; j < len(parts); j++ {
			if (parts[j] == "base64" || parts[j] == "hex") && j+1 < len(parts) {
				keys = append(keys, parts[j]+":"+parts[j+1])
				j++
				continue
			}
			keys = append(keys, parts[j])
		}
		if len(keys) == 1 {
			keys = append(keys, "")
		}
		if len(keys) != 2 {
			return nil, usagef("-gorilla-keys pair %d: give HASH:BLOCK (base64:... or hex:... for binary keys)", i+1)
		}
		hash, err := legacyKey(keys[0])
		if err != nil || len(hash) == 0 {
			return nil, usagef("-gorilla-keys pair %d: the hash key is empty or not decodable", i+1)
		}
		block, err := legacyKey(keys[1])
		if err != nil {
			return nil, usagef("-gorilla-keys pair %d: the block key is not decodable", i+1)
		}
		out = append(out, hash, block)
	}
	return out, nil
}

// legacyKey decodes a key given as a raw string, "base64:..." or "hex:...".
func legacyKey(s string) ([]byte, error) {
	switch {
	case s == "":
		return nil, nil
	case strings.HasPrefix(s, "base64:"):
		return decodeKeyStd(strings.TrimPrefix(s, "base64:"))
	case strings.HasPrefix(s, "hex:"):
		return hex.DecodeString(strings.TrimPrefix(s, "hex:"))
	}
	return []byte(s), nil
}

// decodeKeyStd decodes a legacy key given as "base64:...": the standard
// alphabet with padding, as apps usually hold gorilla keys, or base64url or
// unpadded. A line break inside is refused: the decoders would skip it.
func decodeKeyStd(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line break in a key")
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil {
		return k, nil
	}
	s = strings.TrimRight(s, "=")
	if k, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return k, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}
